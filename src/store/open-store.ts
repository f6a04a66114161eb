import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './store.js';

export interface StoreLocation {
  dataDir: string;
  databaseUrl?: string | undefined;
}

/** Opens the store the configuration names: PostgreSQL when a URL is given, else the embedded SQLite file. */
export function openStore(location: StoreLocation): Store {
  if (location.databaseUrl) {
    throw new Error(
      'databaseUrl: the PostgreSQL store is not available in this version; unset KEYGATE_DATABASE_URL',
    );
  }
  mkdirSync(location.dataDir, { recursive: true });
  return openSqliteStore(join(location.dataDir, 'keygate.sqlite'));
}

export function openSqliteStore(path: string): Store {
  const database = new SQLite(path);
  // WAL lets the CLI write while a server reads; busy_timeout makes a writer wait instead of failing.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new SqlStore(db, 'sqlite');
}
