import type { Store } from '../store/store.js';

/**
 * Token IDs revoked and not yet expired, held in memory: loaded at start, then fed by the change
 * log, so a revoked token is refused within one poll interval without a store read per check.
 */
export class RevocationList {
  readonly #revoked = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for (const token of await this.store.revokedTokens.listActive(new Date())) {
      this.#revoked.set(token.jti, Date.parse(token.expiresAt));
    }
  }

  /** A revocation named by the change log: the expiry is unknown here, so keep it until pruned. */
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
   * Learns from the store the expiry of revocations the change log named, then prunes: without it
   * the list would only grow. A revocation the store no longer lists as active has an expired token.
   * Only entries held before the query are judged, so one learned meanwhile is never dropped.
   */
  async refresh(now = new Date()): Promise<void> {
    const unknownExpiry = [...this.#revoked].filter(([, at]) => at === Number.POSITIVE_INFINITY);
    const active = new Map(
      (await this.store.revokedTokens.listActive(now)).map((t) => [t.jti, Date.parse(t.expiresAt)]),
    );
    for (const [jti] of unknownExpiry) {
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
