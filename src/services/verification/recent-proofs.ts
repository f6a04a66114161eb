import type { LRUCache } from 'lru-cache';
import type { UsedProofLog } from '../../store/store.js';
import { boundedCache } from '../caches/bounded-cache.js';

/** Most proof IDs one instance remembers; past it the oldest go, and the store still decides. */
const REMEMBERED_PROOFS = 100_000;

/**
 * The DPoP proof IDs a gateway instance has itself recorded, in front of the shared store's log.
 *
 * `isUsed` answers from this memory alone, before the call's limits are counted, so a proof
 * replayed to the same instance is refused without a store round trip. `use` is the store's atomic
 * insert, which every instance shares: a proof replayed to another instance, or one this memory
 * has dropped, is refused there, once the call's limits are counted. One SQL statement per proof
 * instead of two; no replay is admitted anywhere.
 */
export class RecentProofs implements Pick<UsedProofLog, 'use' | 'isUsed'> {
  readonly #seen: LRUCache<string, true> = boundedCache(REMEMBERED_PROOFS);

  constructor(private readonly store: Pick<UsedProofLog, 'use'>) {}

  async isUsed(owner: string, jti: string): Promise<boolean> {
    return this.#seen.has(keyOf(owner, jti));
  }

  async use(owner: string, jti: string, expiresAt: string): Promise<boolean> {
    const recorded = await this.store.use(owner, jti, expiresAt);
    const ttl = Date.parse(expiresAt) - Date.now();
    if (ttl > 0) this.#seen.set(keyOf(owner, jti), true, { ttl });
    return recorded;
  }
}

/** The owner (`dpop:` and a key thumbprint) has no space: the pair reads back one way only. */
function keyOf(owner: string, jti: string): string {
  return `${owner} ${jti}`;
}
