import { afterEach, describe, expect, it, vi } from 'vitest';
import { Loader, type LoadState } from './loader';

/** A fetch whose answer the test gives when it wants (to make answers arrive out of order). */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recording<T>(fetcher: () => Promise<T>) {
  const states: LoadState<T>[] = [];
  const loader = new Loader<T>(fetcher, (s) => states.push(s));
  return { loader, states };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Loader', () => {
  it('starts loading and then holds the answer', async () => {
    const { loader } = recording(async () => ['a']);
    expect(loader.current()).toEqual({ data: null, error: null, loading: true });
    await loader.load();
    expect(loader.current()).toEqual({ data: ['a'], error: null, loading: false });
  });

  it('drops an older answer that arrives after a newer one', async () => {
    const answers = [deferred<string>(), deferred<string>()];
    let n = 0;
    const { loader } = recording(() => answers[n++].promise);
    const first = loader.load();
    const second = loader.load();
    answers[1].resolve('new');
    await second;
    answers[0].resolve('old');
    await first;
    expect(loader.current().data).toBe('new');
  });

  it('keeps the last data on an error and clears the error on the next success', async () => {
    let fail = false;
    const { loader } = recording(async () => {
      if (fail) throw new Error('down');
      return 'data';
    });
    await loader.load();
    fail = true;
    await loader.load();
    expect(loader.current().data).toBe('data');
    expect((loader.current().error as Error).message).toBe('down');
    fail = false;
    await loader.load();
    expect(loader.current()).toEqual({ data: 'data', error: null, loading: false });
  });

  it('changes nothing after stop, even when an answer is still on its way', async () => {
    const answer = deferred<string>();
    const { loader, states } = recording(() => answer.promise);
    const pending = loader.load();
    loader.stop();
    answer.resolve('late');
    await pending;
    loader.setData(() => 'local');
    await loader.load();
    expect(states).toEqual([]);
    expect(loader.current().data).toBeNull();
  });

  it('lets a local change win over a fetch already under way', async () => {
    const answer = deferred<string[]>();
    const { loader } = recording(() => answer.promise);
    const pending = loader.load();
    loader.setData((old) => [...(old ?? []), 'live']);
    answer.resolve(['stale page']);
    await pending;
    expect(loader.current().data).toEqual(['live']);
  });

  it('polls every everyMs until stopped', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const { loader } = recording(async () => ++calls);
    loader.start(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toBe(4);
    expect(loader.current().data).toBe(4);
    loader.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(4);
  });

  it('loads once when no interval is given', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const { loader } = recording(async () => ++calls);
    loader.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
  });
});
