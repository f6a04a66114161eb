import { CHANGE_RETENTION_MS } from '../services/upkeep/store-pruner.js';
import type { Change, Store } from '../store/store.js';

/**
 * Follows the store's change log so this process sees what the CLI or other instances wrote
 * (rotated keys, revoked tokens, changed credentials) within one poll interval.
 *
 * The log keeps entries for CHANGE_RETENTION_MS only. A feed that has not read it for a third of
 * that (the store away, the process stopped) may have lost entries: it starts over from the newest
 * one and tells its resync listeners to reload what they hold, instead of following a log with holes.
 */
export class ChangeFeed {
  #seq = 0;
  #lastReadAt: number | undefined;
  readonly #resyncListeners: Array<() => Promise<void> | void> = [];
  #timer: NodeJS.Timeout | undefined;
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #listeners: Array<(changes: Change[]) => Promise<void> | void> = [];

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
    /** How long without a successful read before the feed starts over. */
    private readonly maxSilenceMs = CHANGE_RETENTION_MS / 3,
  ) {}

  onChanges(listener: (changes: Change[]) => Promise<void> | void): void {
    this.#listeners.push(listener);
  }

  /** Heard when the feed starts over: whatever was learned from the log must be reloaded. */
  onResync(listener: () => Promise<void> | void): void {
    this.#resyncListeners.push(listener);
  }

  async start(intervalMs: number): Promise<void> {
    this.#seq = await this.store.changes.latestSeq();
    this.#lastReadAt = Date.now();
    this.#timer = setInterval(() => {
      if (this.#pending === 0) void this.poll();
    }, intervalMs);
    this.#timer.unref();
  }

  /**
   * Reads and dispatches new changes. Calls run one after another, and each reads the log after
   * it was called, so a caller that just wrote sees its own write dispatched when this resolves.
   */
  poll(): Promise<void> {
    this.#pending++;
    this.#queue = this.#queue.then(() => this.#readAll()).finally(() => this.#pending--);
    return this.#queue;
  }

  async #readAll(): Promise<void> {
    const startedAt = Date.now();
    try {
      if (this.#lastReadAt !== undefined && startedAt - this.#lastReadAt > this.maxSilenceMs) {
        // The place first, then the reload: a change after it is read next, one before it is loaded.
        this.#seq = await this.store.changes.latestSeq();
        for (const listener of this.#resyncListeners) await listener();
      }
      for (;;) {
        const changes = await this.store.changes.since(this.#seq);
        if (changes.length === 0) break;
        for (const listener of this.#listeners) await listener(changes);
        this.#seq = changes[changes.length - 1]!.seq;
      }
      this.#lastReadAt = startedAt;
    } catch (error) {
      this.onError(error);
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
