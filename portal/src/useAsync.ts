import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, toApiError } from './api';

export interface AsyncState<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload: () => void;
  setData: (data: T) => void;
}

/** Runs `load` (memoise it with useCallback) on mount and whenever it changes; late answers are ignored. */
export function useAsync<T>(load: () => Promise<T>): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);

  const run = useCallback(() => {
    const request = ++latest.current;
    setLoading(true);
    setError(null);
    load().then(
      (result) => {
        if (request !== latest.current) return;
        setData(result);
        setLoading(false);
      },
      (failure: unknown) => {
        if (request !== latest.current) return;
        setError(toApiError(failure));
        setLoading(false);
      },
    );
  }, [load]);

  useEffect(() => {
    run();
    return () => {
      latest.current++;
    };
  }, [run]);

  return { data, error, loading, reload: run, setData };
}
