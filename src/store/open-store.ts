import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type pgModule from 'pg';
import type { Database } from './database.js';
import { SqlStore } from './sql-store.js';
import type { Store } from './store.js';

export interface StoreLocation {
  dataDir: string;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
}

/**
 * Opens the store the configuration names: PostgreSQL when a URL is given, else the embedded SQLite
 * file. The SQLite store holds emails, password hashes and the audit log, so its folder is made
 * owner-only; `warn` hears of an existing folder that other users can read.
 */
export function openStore(location: StoreLocation, warn: (message: string) => void = () => {}): Store {
  if (location.databaseUrl) {
    return openPostgresStore(
      location.databaseUrl,
      location.databaseSchema ? { schema: location.databaseSchema } : {},
    );
  }
  ensurePrivateDataDir(location.dataDir, warn);
  return openSqliteStore(join(location.dataDir, 'keygate.sqlite'));
}

/**
 * Creates the data folder owner-only (0700). An existing folder keeps its mode, since the operator
 * may have chosen it (a backup group), but a group- or world-accessible one is reported with the fix.
 */
function ensurePrivateDataDir(dataDir: string, warn: (message: string) => void = () => {}): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warn(
      `the data directory ${dataDir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}) ` +
        `and holds the store's emails, password hashes and audit log, and any generated master key: ` +
        `run \`chmod 700 ${dataDir}\``,
    );
  }
}

/**
 * The PostgreSQL store: a connection pool over the same queries. `schema` (tests use one per run)
 * is created when missing and put first on the search path of every connection.
 */
export function openPostgresStore(url: string, options: { schema?: string; poolSize?: number } = {}): Store {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new TypeError(`invalid schema name ${schema}`);
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  let ensured: Promise<unknown> | undefined;
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: async () => {
        if (schema) ensured ??= pool.query(`create schema if not exists ${schema}`);
        await ensured;
        return pool;
      },
    }),
  });
  const listen = async (channel: string, onNotify: () => void) => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', onNotify);
    client.on('error', () => {}); // a lost listener only delays readers until their next poll
    await client.connect();
    await client.query(`listen ${channel}`);
    return async () => {
      await client.end().catch(() => {});
    };
  };
  return new SqlStore(db, 'postgres', schema, listen);
}

/**
 * node-postgres, loaded the first time a PostgreSQL store opens: on the embedded default it would
 * only add about 3 MB to the heap that every major garbage collection of the gateway marks.
 * Synchronous (pg is CommonJS), so openStore stays synchronous.
 */
function loadPg(): typeof pgModule {
  return createRequire(import.meta.url)('pg') as typeof pgModule;
}

export function openSqliteStore(path: string): Store {
  // Created owner-only before SQLite opens it: SQLite would make it 0644, and gives the -wal and
  // -shm files it creates beside it the database file's mode.
  if (path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
  const database = new SQLite(path);
  // WAL lets the CLI write while a server reads; busy_timeout makes a writer wait instead of failing.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return new SqlStore(db, 'sqlite');
}
