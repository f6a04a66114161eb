import type { Store } from '../../store/store.js';
import { FORGET_AFTER_MS } from './catalogue-agreement.js';

/**
 * How long the change log keeps an entry. Its readers are the change feeds of running processes,
 * which read it every `changePollMs` (10 s at most); a process starting reads from the newest entry
 * and needs none older. A feed that has not read for a third of this starts over from the newest
 * entry with its caches emptied (`ChangeFeed`), so it never misses an entry pruned meanwhile, even
 * with a writer's clock minutes off.
 */
export const CHANGE_RETENTION_MS = 15 * 60_000;

/** How often expired entries are dropped. */
export const PRUNE_INTERVAL_MS = 60_000;

/** Rows deleted per statement, and statements per table per run: each run's work is bounded. */
const BATCH = 2_000;
const MAX_BATCHES = 250;

export interface PrunedCounts {
  usedProofs: number;
  revokedTokens: number;
  changes: number;
  /** Reports of processes that stopped without removing them. */
  instances: number;
}

/**
 * Drops what the store keeps only for a while: used proof IDs and revocations whose tokens have
 * expired, change-log entries older than CHANGE_RETENTION_MS, and reports of processes silent for
 * a day. At most BATCH × MAX_BATCHES rows per table per run, in short statements, so a backlog
 * never holds the writer for long (a process reports once; their number stays small).
 */
export async function pruneExpired(store: Store, now = new Date()): Promise<PrunedCounts> {
  const changesBefore = new Date(now.getTime() - CHANGE_RETENTION_MS);
  return {
    usedProofs: await inBatches((limit) => store.usedProofs.pruneExpired(now, limit)),
    revokedTokens: await inBatches((limit) => store.revokedTokens.pruneExpired(now, limit)),
    changes: await inBatches((limit) => store.changes.pruneBefore(changesBefore, limit)),
    instances: await store.instances.pruneSeenBefore(new Date(now.getTime() - FORGET_AFTER_MS)),
  };
}

async function inBatches(prune: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const deleted = await prune(BATCH);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

/**
 * Runs `pruneExpired` every PRUNE_INTERVAL_MS, one run at a time, and then has `held` (the
 * process's revocation list) drop what the store no longer keeps.
 */
export class StorePruner {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
    private readonly held?: { refresh(at: Date): Promise<void> },
  ) {}

  start(intervalMs = PRUNE_INTERVAL_MS): void {
    this.#timer = setInterval(() => void this.run().catch(this.onError), intervalMs).unref();
  }

  /** One run as of `at`, after the one in progress, if any; rejects when the store fails. */
  run(at = new Date()): Promise<PrunedCounts> {
    const run = this.#running.then(async () => {
      const counts = await pruneExpired(this.store, at);
      await this.held?.refresh(at);
      return counts;
    });
    this.#running = run.catch(() => {});
    return run;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
