import type { Account } from '../core/model.js';
import type { Store } from '../store/store.js';

/** Accounts by id, held for a minute: their region and plan change rarely, and requests need both. */
export class AccountCache {
  readonly #entries = new Map<string, { account: Account | undefined; loadedAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs = 60_000,
  ) {}

  async get(accountId: string): Promise<Account | undefined> {
    const entry = this.#entries.get(accountId);
    if (entry && Date.now() - entry.loadedAt < this.maxAgeMs) return entry.account;
    const account = await this.store.accounts.get(accountId);
    this.#entries.set(accountId, { account, loadedAt: Date.now() });
    return account;
  }
}
