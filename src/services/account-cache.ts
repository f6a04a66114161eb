import type { Account } from '../core/model.js';
import type { Store } from '../store/store.js';

/** Accounts by id, held for a minute: their region and plan change rarely, and requests need both. */
export class AccountCache {
  readonly #entries = new Map<string, { account: Account | undefined; loadedAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The entry for `accountId` when it is held and fresh, without reading the store; else undefined. */
  peek(accountId: string): { account: Account | undefined } | undefined {
    const entry = this.#entries.get(accountId);
    return entry && Date.now() - entry.loadedAt < this.maxAgeMs ? entry : undefined;
  }

  async get(accountId: string): Promise<Account | undefined> {
    const entry = this.peek(accountId);
    if (entry) return entry.account;
    const account = await this.store.accounts.get(accountId);
    this.#entries.set(accountId, { account, loadedAt: Date.now() });
    return account;
  }
}
