// Loads data for a page, optionally re-checking every `everyMs`, and exposes it with its loading
// and error state. Stale answers (after the deps changed) are dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  errorObj: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (fn: (old: T | null) => T | null) => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [errorObj, setErrorObj] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const d = await loadRef.current();
      if (mine === generation.current) {
        setDataState(d);
        setError(null);
        setErrorObj(null);
      }
    } catch (e) {
      if (mine === generation.current) {
        setError(errorText(e));
        setErrorObj(e);
      }
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    setDataState(null);
    void reload();
    if (!everyMs) return;
    const t = setInterval(() => void reload(), everyMs);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  const setData = useCallback((fn: (old: T | null) => T | null) => setDataState((old) => fn(old)), []);
  return { data, error, errorObj, loading, reload, setData };
}
