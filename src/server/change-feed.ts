import type { Change, Store } from '../store/store.js';

/**
 * Follows the store's change log so this process sees what the CLI or other instances wrote
 * (rotated keys, revoked tokens, changed credentials) within one poll interval.
 */
export class ChangeFeed {
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #listeners: Array<(changes: Change[]) => Promise<void> | void> = [];

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  onChanges(listener: (changes: Change[]) => Promise<void> | void): void {
    this.#listeners.push(listener);
  }

  async start(intervalMs: number): Promise<void> {
    this.#seq = await this.store.changes.latestSeq();
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
    try {
      for (;;) {
        const changes = await this.store.changes.since(this.#seq);
        if (changes.length === 0) break;
        for (const listener of this.#listeners) await listener(changes);
        this.#seq = changes[changes.length - 1]!.seq;
      }
    } catch (error) {
      this.onError(error);
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
