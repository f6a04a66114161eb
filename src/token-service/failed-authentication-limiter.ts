import { TooManyRequests } from '../core/errors.js';

export interface FailedAuthenticationLimits {
  perClient: number;
  perAddress: number;
  windowSeconds: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts failed client authentications per client ID and per source address in fixed windows.
 * Past a limit, further attempts are refused before any secret is checked, so guessing a secret
 * costs the guesser the window, not the server a store lookup.
 */
export class FailedAuthenticationLimiter {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly limits: FailedAuthenticationLimits,
    private readonly now: () => number = Date.now,
  ) {}

  assertAllowed(clientId: string, address: string): void {
    const at = this.now();
    for (const [key, limit] of this.#keys(clientId, address)) {
      const window = this.#windows.get(key);
      if (window && window.resetAt > at && window.count >= limit) {
        const retryAfter = Math.max(1, Math.ceil((window.resetAt - at) / 1000));
        throw new TooManyRequests(
          `Too many failed authentication attempts; retry after ${retryAfter} seconds`,
          retryAfter,
        );
      }
    }
  }

  recordFailure(clientId: string, address: string): void {
    const at = this.now();
    if (this.#windows.size > 100_000) this.#sweep(at);
    for (const [key] of this.#keys(clientId, address)) {
      const window = this.#windows.get(key);
      if (!window || window.resetAt <= at) {
        this.#windows.set(key, { count: 1, resetAt: at + this.limits.windowSeconds * 1000 });
      } else {
        window.count += 1;
      }
    }
  }

  #keys(clientId: string, address: string): Array<[string, number]> {
    const keys: Array<[string, number]> = [[`a:${address}`, this.limits.perAddress]];
    if (clientId) keys.push([`c:${clientId}`, this.limits.perClient]);
    return keys;
  }

  #sweep(at: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= at) this.#windows.delete(key);
  }
}
