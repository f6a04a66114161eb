/** Counts events per key in fixed windows, in memory; enough for per-address login attempts. */
export class FixedWindowCounter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one event; returns the seconds to wait when the key is over its limit, else 0. */
  hit(key: string): number {
    const at = this.now();
    if (this.#windows.size > 100_000) {
      for (const [k, w] of this.#windows) if (w.resetAt <= at) this.#windows.delete(k);
    }
    const window = this.#windows.get(key);
    if (!window || window.resetAt <= at) {
      this.#windows.set(key, { count: 1, resetAt: at + this.windowMs });
      return 0;
    }
    window.count += 1;
    return window.count > this.limit ? Math.max(1, Math.ceil((window.resetAt - at) / 1000)) : 0;
  }

  count(key: string): number {
    const window = this.#windows.get(key);
    return window && window.resetAt > this.now() ? window.count : 0;
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }
}
