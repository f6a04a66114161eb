import type { CredentialWithSecrets, Store } from '../store/store.js';

export interface CredentialCacheOptions {
  /** Most client IDs held (known and unknown); the oldest go first. */
  maxEntries: number;
  /** A safety net only: the change feed invalidates entries as soon as the store changes. */
  maxAgeMs: number;
}

interface Entry {
  value: CredentialWithSecrets | undefined;
  loadedAt: number;
}

/**
 * Credentials with their secret hashes, by client ID, so a token request costs no store read.
 * Unknown client IDs are cached too (as absent), so guessing IDs does not reach the store either.
 * Entries are dropped when the change log names their client ID (see server/change-feed.ts).
 */
export class CredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<CredentialWithSecrets | undefined>>();
  /** Bumped by every invalidation, so a load that raced with one is not cached. */
  #epoch = 0;

  constructor(
    private readonly store: Store,
    private readonly options: CredentialCacheOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get(clientId: string): Promise<CredentialWithSecrets | undefined> {
    const entry = this.peek(clientId);
    if (entry) return Promise.resolve(entry.value);
    let loading = this.#loading.get(clientId);
    if (!loading) {
      loading = this.#load(clientId).finally(() => this.#loading.delete(clientId));
      this.#loading.set(clientId, loading);
    }
    return loading;
  }

  /** The entry for `clientId` when it is held and fresh, without reading the store; else undefined. */
  peek(clientId: string): { value: CredentialWithSecrets | undefined } | undefined {
    const entry = this.#entries.get(clientId);
    return entry && this.now() - entry.loadedAt < this.options.maxAgeMs ? entry : undefined;
  }

  invalidate(clientId: string): void {
    this.#epoch++;
    this.#entries.delete(clientId);
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }

  async #load(clientId: string): Promise<CredentialWithSecrets | undefined> {
    const epoch = this.#epoch;
    const loadedAt = this.now();
    const value = await this.store.credentials.findForAuthentication(clientId);
    if (epoch === this.#epoch) {
      this.#entries.delete(clientId);
      this.#entries.set(clientId, { value, loadedAt });
      if (this.#entries.size > this.options.maxEntries) {
        this.#entries.delete(this.#entries.keys().next().value as string);
      }
    }
    return value;
  }
}
