/** Loading data and running operations, each with its busy state and its error as "<code>: <message>". */
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` now and whenever `deps` change; an answer that arrives after a newer request started
 * is dropped, so quick filter changes never show a stale page.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const id = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (id !== latest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (id !== latest.current) return;
        setError(describeError(failure));
        setLoading(false);
      },
    );
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data, error, loading, reload };
}

export interface Action {
  busy: boolean;
  error: string | null;
  status: string;
  /** Runs `work`, announcing `doing` while it runs and `done` (or the error) after. */
  run: <T>(doing: string, work: () => Promise<T>, done?: string | ((value: T) => string)) => Promise<T | undefined>;
  clear: () => void;
}

/** One operation a person starts with a button: busy while it runs, its outcome announced. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');

  const run = useCallback(
    async <T,>(doing: string, work: () => Promise<T>, done?: string | ((value: T) => string)) => {
      setBusy(true);
      setError(null);
      setStatus(doing);
      try {
        const value = await work();
        setStatus(typeof done === 'function' ? done(value) : (done ?? ''));
        return value;
      } catch (failure) {
        setError(describeError(failure));
        setStatus('');
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  const clear = useCallback(() => {
    setError(null);
    setStatus('');
  }, []);
  return { busy, error, status, run, clear };
}

/** `value`, once it has stopped changing for `delay` ms (text filters query as one stops typing). */
export function useDebounced<T>(value: T, delay = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}
