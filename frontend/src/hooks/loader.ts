// The loading logic behind useApi, without React so it is unit-tested (loader.test.ts):
// one fetch function, its latest answer or error, and a loading flag.
//
// Guarantees: only the most recently started fetch may change the state (an older answer that
// arrives late is dropped, so a slow poll never overwrites a newer load); after stop() nothing
// changes any more (the page left or asked for something else); an error keeps the last data
// (a failed poll does not blank the page) and the next success clears the error.

export interface LoadState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
}

export class Loader<T> {
  private state: LoadState<T> = { data: null, error: null, loading: true };
  private generation = 0;
  private stopped = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly fetcher: () => Promise<T>,
    private readonly onChange: (s: LoadState<T>) => void,
  ) {}

  current(): LoadState<T> {
    return this.state;
  }

  /** Fetches now; resolves when this fetch has ended (whether or not it was still the latest). */
  async load(): Promise<void> {
    if (this.stopped) return;
    const mine = ++this.generation;
    if (!this.state.loading && this.state.data === null) this.update({ loading: true });
    try {
      const data = await this.fetcher();
      if (this.isLatest(mine)) this.update({ data, error: null, loading: false });
    } catch (error) {
      if (this.isLatest(mine)) this.update({ error, loading: false });
    }
  }

  /** Loads now and then every `everyMs` (no repeat when absent or 0) until stop(). */
  start(everyMs?: number): void {
    void this.load();
    if (everyMs && everyMs > 0) this.timer = setInterval(() => void this.load(), everyMs);
  }

  /** A local change of the data (a realtime event, an action's answer); wins over fetches already under way. */
  setData(fn: (old: T | null) => T | null): void {
    if (this.stopped) return;
    this.generation++;
    this.update({ data: fn(this.state.data), loading: false });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private isLatest(generation: number): boolean {
    return !this.stopped && generation === this.generation;
  }

  private update(change: Partial<LoadState<T>>): void {
    this.state = { ...this.state, ...change };
    this.onChange(this.state);
  }
}
