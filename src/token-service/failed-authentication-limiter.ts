import { clientNetwork } from '../core/address-ranges.js';
import { TooManyRequests } from '../core/errors.js';
import { boundedCache } from '../services/caches/bounded-cache.js';

export interface FailedAuthenticationLimits {
  /** Failures for one client ID from one address. */
  perClient: number;
  /** Failures from one address, whatever the client IDs. */
  perAddress: number;
  windowSeconds: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Most windows held; past it the least recently used goes first. */
const MAX_WINDOWS = 100_000;

/**
 * Counts failed client authentications per source address, and per client ID from that address, in
 * fixed windows. Past a limit, further attempts from that address are refused before any secret is
 * checked. The guesser is throttled, never the victim: client IDs are public (every token names its
 * own), so a count per client ID alone would let anyone lock a client out; its own program, calling
 * from an address that has not failed, still gets its token. A 256-bit secret needs no limit per
 * client ID against guessing from many addresses.
 *
 * Bounded by count and by time: each window is forgotten when it ends, and callers count only
 * client IDs that could be Keygate's (see authenticate-client.ts), so a flood of made-up IDs cannot
 * grow the table beyond MAX_WINDOWS small entries.
 */
export class FailedAuthenticationLimiter {
  readonly #windows = boundedCache<string, Window>(MAX_WINDOWS);

  constructor(
    private readonly limits: FailedAuthenticationLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 when `address`, or `address` guessing for `clientId`, is past its limit. */
  assertAllowed(clientId: string | undefined, address: string): void {
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

  recordFailure(clientId: string | undefined, address: string): void {
    const at = this.now();
    const windowMs = this.limits.windowSeconds * 1000;
    for (const [key] of this.#keys(clientId, address)) {
      const window = this.#windows.get(key);
      if (!window || window.resetAt <= at) {
        this.#windows.set(key, { count: 1, resetAt: at + windowMs }, { ttl: windowMs });
      } else {
        window.count += 1;
      }
    }
  }

  /** Windows held. */
  get size(): number {
    return this.#windows.size;
  }

  /** Counted per network (`clientNetwork`): hopping addresses inside one IPv6 /64 buys no fresh tries. */
  #keys(clientId: string | undefined, address: string): Array<[string, number]> {
    const network = clientNetwork(address);
    const keys: Array<[string, number]> = [[`a:${network}`, this.limits.perAddress]];
    if (clientId) keys.push([`c:${network}:${clientId}`, this.limits.perClient]);
    return keys;
  }
}
