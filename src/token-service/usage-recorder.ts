import type { Store } from '../store/store.js';

/**
 * Collects last-used times and per-day counts in memory and writes them in one transaction every
 * few seconds: the hot path never waits for a write.
 */
export class UsageRecorder {
  #credentialLastUsed = new Map<string, string>();
  #secretLastUsed = new Map<string, string>();
  #daily = new Map<
    string,
    { credentialId: string; day: string; scope: string; tokensIssued: number; apiCalls: number }
  >();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  tokenIssued(credentialId: string, secretId: string, scopes: readonly string[], at: Date): void {
    const iso = at.toISOString();
    this.#credentialLastUsed.set(credentialId, iso);
    this.#secretLastUsed.set(secretId, iso);
    const day = iso.slice(0, 10);
    for (const scope of scopes) {
      const key = `${credentialId}\u0000${day}\u0000${scope}`;
      const entry = this.#daily.get(key);
      if (entry) entry.tokensIssued += 1;
      else this.#daily.set(key, { credentialId, day, scope, tokensIssued: 1, apiCalls: 0 });
    }
  }

  async flush(): Promise<void> {
    if (this.#credentialLastUsed.size === 0 && this.#daily.size === 0) return;
    const batch = {
      credentialLastUsed: this.#credentialLastUsed,
      secretLastUsed: this.#secretLastUsed,
      daily: [...this.#daily.values()],
    };
    this.#credentialLastUsed = new Map();
    this.#secretLastUsed = new Map();
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
