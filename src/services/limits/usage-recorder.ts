import type { RefusalReason, Store } from '../../store/store.js';

const DAY_MS = 86_400_000;

/**
 * Collects last-used times and per-day counts in memory and writes them in one transaction every
 * few seconds: the hot path never waits for a write.
 */
export class UsageRecorder {
  /** Epoch milliseconds: turned into timestamps at flush time, not on the hot path. */
  #credentialLastUsed = new Map<string, number>();
  #secretLastUsed = new Map<string, number>();
  #keyLastUsed = new Map<string, number>();
  #daily = new Map<
    string,
    { credentialId: string; day: number; scope: string; tokensIssued: number; apiCalls: number }
  >();
  #refusals = new Map<string, { credentialId: string; day: number; reason: RefusalReason; count: number }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  tokenIssued(
    credentialId: string,
    /** The secret the client presented, or the key whose assertion it signed. */
    wayIn: { secretId: string } | { keyId: string },
    scopes: readonly string[],
    atMs: number,
  ): void {
    this.#credentialLastUsed.set(credentialId, atMs);
    if ('secretId' in wayIn) this.#secretLastUsed.set(wayIn.secretId, atMs);
    else this.#keyLastUsed.set(wayIn.keyId, atMs);
    for (const scope of scopes) this.#count(credentialId, scope, atMs).tokensIssued += 1;
  }

  apiCalled(credentialId: string, scope: string, atMs: number): void {
    this.#credentialLastUsed.set(credentialId, atMs);
    this.#count(credentialId, scope, atMs).apiCalls += 1;
  }

  /** A call or token request that the credential's own policy refused (its address, its quota). */
  refused(credentialId: string, reason: RefusalReason, atMs: number): void {
    const day = Math.floor(atMs / DAY_MS);
    const key = `${credentialId}\u0000${day}\u0000${reason}`;
    const entry = this.#refusals.get(key);
    if (entry) entry.count += 1;
    else this.#refusals.set(key, { credentialId, day, reason, count: 1 });
  }

  /** The day's counters of one credential and scope, created at zero on first use. */
  #count(credentialId: string, scope: string, atMs: number) {
    const day = Math.floor(atMs / DAY_MS);
    const key = `${credentialId}\u0000${day}\u0000${scope}`;
    let entry = this.#daily.get(key);
    if (!entry) {
      entry = { credentialId, day, scope, tokensIssued: 0, apiCalls: 0 };
      this.#daily.set(key, entry);
    }
    return entry;
  }

  async flush(): Promise<void> {
    if (this.#credentialLastUsed.size === 0 && this.#daily.size === 0 && this.#refusals.size === 0) return;
    const iso = (entries: Map<string, number>) =>
      new Map([...entries].map(([id, ms]) => [id, new Date(ms).toISOString()]));
    const batch = {
      credentialLastUsed: iso(this.#credentialLastUsed),
      secretLastUsed: iso(this.#secretLastUsed),
      keyLastUsed: iso(this.#keyLastUsed),
      daily: [...this.#daily.values()].map((d) => ({
        ...d,
        day: new Date(d.day * DAY_MS).toISOString().slice(0, 10),
      })),
      refusals: [...this.#refusals.values()].map((r) => ({
        ...r,
        day: new Date(r.day * DAY_MS).toISOString().slice(0, 10),
      })),
    };
    this.#refusals = new Map();
    this.#credentialLastUsed = new Map();
    this.#secretLastUsed = new Map();
    this.#keyLastUsed = new Map();
    this.#daily = new Map();
    try {
      await this.store.usage.record(batch);
    } catch (error) {
      // Usage is informational: a failed flush is logged and dropped rather than retried forever.
      this.onError(error);
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }
}
