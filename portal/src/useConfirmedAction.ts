import { useState } from 'react';
import { toApiError } from './api';

export interface ConfirmedAction<T> {
  /** The item waiting for confirmation; null when no dialog is open. */
  pending: T | null;
  ask: (item: T) => void;
  cancel: () => void;
  /** Runs the action on the pending item; its failure goes to `onError`; the dialog closes either way. */
  confirm: () => Promise<void>;
}

/** Delete or revoke after a confirmation dialog: one flow for credentials, secrets and API tokens. */
export function useConfirmedAction<T>(
  act: (item: T) => Promise<void>,
  /** Called with null as the action starts (clearing an earlier error), then with a failure's message. */
  onError: (message: string | null) => void,
): ConfirmedAction<T> {
  const [pending, setPending] = useState<T | null>(null);
  async function confirm() {
    if (pending === null) return;
    onError(null);
    try {
      await act(pending);
    } catch (error) {
      onError(toApiError(error).message);
    } finally {
      setPending(null);
    }
  }
  return { pending, ask: setPending, cancel: () => setPending(null), confirm };
}
