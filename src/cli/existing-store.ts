import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import { dataDirSource } from './cli-config.js';
import { UsageError } from './usage-error.js';

const HOW_TO_POINT =
  'Run the command where `keygate start` runs, or name its store: --data-dir DIR or KEYGATE_DATA_DIR ' +
  '(the embedded store), KEYGATE_DATABASE_URL and KEYGATE_DATABASE_SCHEMA (PostgreSQL), or ' +
  'KEYGATE_CONFIG=path/to/keygate.config.json';

/**
 * A command that reads or changes the store must find the one the server uses. Creating one here,
 * with a master key and default account of its own, would leave the operator's changes where no
 * server looks; only `keygate start` and `keygate migrate` create a store.
 */
export function requireExistingStore(config: Config): void {
  if (config.databaseUrl) return;
  const file = join(config.dataDir, 'keygate.sqlite');
  if (!existsSync(file)) {
    throw new UsageError(
      `no Keygate store at ${file} (data folder from ${dataDirSource()}). ${HOW_TO_POINT}. ` +
        'To create a new store there, run `keygate migrate`.',
    );
  }
  const keyFile = join(config.dataDir, 'master.key');
  if (!config.masterKey && !config.masterKeyFile && !existsSync(keyFile)) {
    throw new UsageError(
      `the store at ${file} has no master key beside it (${keyFile}): give the command the key the ` +
        'server has, with KEYGATE_MASTER_KEY or KEYGATE_MASTER_KEY_FILE',
    );
  }
}

/** The PostgreSQL counterpart: a schema no Keygate has migrated is not the server's store. */
export async function requireCreatedStore(store: Store, config: Config): Promise<void> {
  if (!config.databaseUrl || !(await store.isNew())) return;
  throw new UsageError(
    `the PostgreSQL schema ${config.databaseSchema ?? 'public'} holds no Keygate store. ${HOW_TO_POINT}. ` +
      'To create a new store there, run `keygate migrate`.',
  );
}
