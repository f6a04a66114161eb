/**
 * Calls in progress per key (an account): a tenant can hold at most its plan's share of the
 * upstream connections, so its slow or numerous calls cannot queue another tenant's. A key is held
 * only while it has a call in progress, so the table is as large as the calls in flight.
 */
export class ConcurrentCalls {
  readonly #running = new Map<string, number>();

  /** Counts a call for `key` and returns true, or returns false when `limit` calls are in progress. */
  tryEnter(key: string, limit: number): boolean {
    const running = this.#running.get(key) ?? 0;
    if (running >= limit) return false;
    this.#running.set(key, running + 1);
    return true;
  }

  leave(key: string): void {
    const running = this.#running.get(key) ?? 0;
    if (running <= 1) this.#running.delete(key);
    else this.#running.set(key, running - 1);
  }
}
