// The one way pages load data: useApi(path, options) calls a GET operation of the API (typed
// from the OpenAPI document, see api/typed.ts) and returns its answer with loading and error
// state, a reload, and setData for live updates. Loading rules (stale answers dropped, polling,
// errors keep the last data) are in loader.ts.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';
import { call, type Answer, type CallOptions, type PathWith } from '../api/typed';
import { Loader, type LoadState } from './loader';

export interface Loaded<T> {
  data: T | null;
  /** readable text of the last error, null after a success */
  error: string | null;
  /** the error itself (an ApiError carries status and code) */
  errorObj: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (fn: (old: T | null) => T | null) => void;
}

export interface UseApiSettings {
  /** loads again every this many milliseconds while the page shows */
  everyMs?: number;
  /** loads again whenever this value changes (something the page knows the answer depends on) */
  key?: string | number | boolean | null;
}

/**
 * Loads `path` (a GET of the API) with its path and query parameters, again whenever they
 * change, and every `everyMs` when given. A null path loads nothing (e.g. no connection chosen).
 * `D` may widen the answer's type for what setData adds (e.g. rows seen live); when the answer
 * does not fit `D`, the data's type is `never` and the page does not compile.
 */
export function useApi<P extends PathWith<'get'>, D = Answer<P, 'get'>>(
  path: P | null,
  options: CallOptions<P, 'get'>,
  settings: UseApiSettings = {},
): Loaded<Answer<P, 'get'> extends D ? D : never> {
  type T = Answer<P, 'get'> extends D ? D : never;
  const [state, setState] = useState<LoadState<T>>({ data: null, error: null, loading: path !== null });
  const loader = useRef<Loader<T> | null>(null);
  const key = JSON.stringify([path, options, settings.key ?? null]);

  useEffect(() => {
    if (path === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const fetchOnce = () => call('get', path, ...([options] as unknown as [CallOptions<P, 'get'>])) as Promise<unknown> as Promise<T>;
    const l = new Loader<T>(fetchOnce, setState);
    loader.current = l;
    setState(l.current());
    l.start(settings.everyMs);
    return () => l.stop();
    // the key stands for path and options (new objects on every render)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, settings.everyMs]);

  const reload = useCallback(async () => {
    await loader.current?.load();
  }, []);
  const setData = useCallback((fn: (old: T | null) => T | null) => loader.current?.setData(fn), []);

  return {
    data: state.data,
    error: state.error === null ? null : errorText(state.error),
    errorObj: state.error,
    loading: state.loading,
    reload,
    setData,
  };
}
