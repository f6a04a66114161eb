import { TemporarilyUnavailable } from '../core/errors.js';

/**
 * Awaits a store read or write; a failure there (the database is down, locked too long…) becomes
 * `503 temporarily_unavailable`, which clients may retry, instead of a 500.
 */
export async function fromStore<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch {
    throw new TemporarilyUnavailable('The credential store is unavailable; retry shortly');
  }
}
