import type { LRUCache } from 'lru-cache';
import type { Account } from '../../core/model.js';
import type { Store } from '../../store/store.js';
import { boundedCache } from '../caches/bounded-cache.js';

/**
 * Accounts by id, held for a minute: their region and plan change rarely, and requests need both.
 * Bounded: at most `maxEntries`, the least recently used going first.
 */
export class AccountCache {
  readonly #entries: LRUCache<string, { account: Account | undefined }>;

  constructor(
    private readonly store: Store,
    maxAgeMs = 60_000,
    maxEntries = 10_000,
  ) {
    this.#entries = boundedCache(maxEntries, maxAgeMs);
  }

  /** The entry for `accountId` when it is held and fresh, without reading the store; else undefined. */
  peek(accountId: string): { account: Account | undefined } | undefined {
    return this.#entries.get(accountId);
  }

  async get(accountId: string): Promise<Account | undefined> {
    const entry = this.peek(accountId);
    if (entry) return entry.account;
    const account = await this.store.accounts.get(accountId);
    this.#entries.set(accountId, { account });
    return account;
  }
}
