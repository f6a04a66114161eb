import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { type PrunedCounts, StorePruner } from '../services/upkeep/store-pruner.js';
import type { RevocationList } from '../services/verification/revocation-list.js';
import type { Store } from '../store/store.js';
import type { ChangeFeed } from './change-feed.js';

/** What every process runs on the store, whatever its roles. */
export interface StoreUpkeep {
  /** Drops expired store entries and revocations now, as of `at`, as the minute's run does. */
  prune(at?: Date): Promise<PrunedCounts>;
  close(): Promise<void>;
}

/**
 * Starts following the change log, once every role has said what it follows, and the minute's
 * pruning: expired entries leave the store, and the revocation list (where a role judges tokens)
 * follows the store.
 */
export async function startStoreUpkeep(
  config: Config,
  store: Store,
  logger: Logger,
  feed: ChangeFeed,
  revocations: RevocationList | undefined,
): Promise<StoreUpkeep> {
  // Last of the resync listeners: said once every role has reloaded what it holds.
  feed.onResync(() => logger.warn('the change log was not read for minutes; caches reloaded from the store'));
  await feed.start(config.changePollMs);
  // Where the database pushes (PostgreSQL), read the log as soon as anything is appended; the
  // poll stays as the reconciliation that heals a missed notification.
  const stopWatching = await store
    .watchChanges?.(() => void feed.poll())
    .catch((err: unknown) => {
      logger.warn({ err }, 'listening for change notifications failed; relying on polling');
      return undefined;
    });
  const pruner = new StorePruner(
    store,
    (err) => logger.warn({ err }, 'dropping expired store entries failed'),
    revocations,
  );
  pruner.start();
  return {
    prune: (at) => pruner.run(at),
    async close() {
      await pruner.stop();
      feed.stop();
      await stopWatching?.();
    },
  };
}
