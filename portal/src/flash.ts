import { useEffect, useState } from 'react';

/** A one-shot notice carried across a navigation, e.g. "Deleted …" shown on the list after a delete. */
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

/** Reads the notice once; cleared after mount (not during render, which StrictMode may repeat). */
export function useFlash(): [string | null, (message: string | null) => void] {
  const [message, setMessage] = useState<string | null>(() => pending);
  useEffect(() => {
    pending = null;
  }, []);
  return [message, setMessage];
}
