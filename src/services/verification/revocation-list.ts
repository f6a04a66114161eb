import type { Store } from '../../store/store.js';

/**
 * Token IDs revoked and not yet expired, held in memory: loaded at start, then fed by the change
 * log, so a revoked token is refused within one poll interval without a store read per check.
 *
 * Bounded by the store: `refresh` (every minute) keeps exactly the entries the store still lists as
 * active, so between two refreshes it holds the store's live revocations (at most
 * `maxRevokedTokensPerCredential` per credential) plus those learned since.
 */
export class RevocationList {
  readonly #revoked = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** Starts over from the store's live revocations. */
  async load(): Promise<void> {
    const active = await this.store.revokedTokens.listActive(new Date());
    this.#revoked.clear();
    for (const token of active) this.#revoked.set(token.jti, Date.parse(token.expiresAt));
  }

  /** A revocation named by the change log: the expiry is unknown here, so keep it until refreshed. */
  add(jti: string, expiresAtMs = Number.POSITIVE_INFINITY): void {
    this.#revoked.set(jti, expiresAtMs);
  }

  has(jti: string): boolean {
    return this.#revoked.has(jti);
  }

  /** Forget revocations whose tokens have expired anyway (`expiresAtMs` from the token itself). */
  prune(now = Date.now()): void {
    for (const [jti, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(jti);
  }

  /**
   * Makes the list the store's: learns the expiry of revocations the change log named, and drops
   * those the store no longer lists as active (their tokens expired, or a credential-wide
   * revocation took their place and refuses those tokens itself). Only entries held before the
   * query are judged, so one learned meanwhile is never dropped; an entry is added here only after
   * its row is written, so an entry held before the query is one the query sees if it is live.
   */
  async refresh(now = new Date()): Promise<void> {
    const held = [...this.#revoked.keys()];
    const active = new Map(
      (await this.store.revokedTokens.listActive(now)).map((t) => [t.jti, Date.parse(t.expiresAt)]),
    );
    for (const jti of held) {
      const expiresAt = active.get(jti);
      if (expiresAt === undefined) this.#revoked.delete(jti);
      else this.#revoked.set(jti, expiresAt);
    }
    this.prune(now.getTime());
  }

  get size(): number {
    return this.#revoked.size;
  }
}
