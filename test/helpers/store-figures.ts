import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../src/store/store.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Rows in a table of the store, SQLite or PostgreSQL alike (reaching under the interface to count). */
export async function rowCount(store: Store, table: string): Promise<number> {
  const { db } = store as unknown as { db: Kysely<unknown> };
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

/** The embedded store's files (database, WAL, shared memory) in bytes; 0 on PostgreSQL. */
export function sqliteBytes(dataDir: string): number {
  const base = join(dataDir, 'keygate.sqlite');
  return ['', '-wal', '-shm']
    .map((suffix) => base + suffix)
    .filter((file) => existsSync(file))
    .reduce((sum, file) => sum + statSync(file).size, 0);
}

/** Bytes of the SQLite database's pages in use (pages freed by deletes are reused, not returned). */
async function sqliteUsedBytes(store: Store): Promise<number> {
  if (store.dialect !== 'sqlite') return 0;
  const { db } = store as unknown as { db: Kysely<unknown> };
  const pragma = async (name: string) =>
    Number(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0]);
  return ((await pragma('page_count')) - (await pragma('freelist_count'))) * (await pragma('page_size'));
}

export interface Figures {
  rows: Record<string, number>;
  sqliteBytes: number;
  sqliteUsedBytes: number;
  rssMb: number;
  heapMb: number;
}

/** The store's size and this process's memory (the server runs in it), after full collections. */
export async function storeFigures(
  keygate: { store: Store; dataDir: string },
  tables: readonly string[],
): Promise<Figures> {
  const rows: Record<string, number> = {};
  for (const table of tables) rows[table] = await rowCount(keygate.store, table);
  for (let i = 0; i < 3; i++) gc();
  const memory = process.memoryUsage();
  return {
    rows,
    sqliteBytes: sqliteBytes(keygate.dataDir),
    sqliteUsedBytes: await sqliteUsedBytes(keygate.store),
    rssMb: Math.round(memory.rss / 1024 / 1024),
    heapMb: Math.round(memory.heapUsed / 1024 / 1024),
  };
}

/** One line for the test's output: what the store and the process held before and after. */
export function printFigures(label: string, before: Figures, after: Figures): void {
  const rows = Object.keys(after.rows)
    .map((table) => `${table} ${before.rows[table]} → ${after.rows[table]} rows`)
    .join(', ');
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  process.stdout.write(
    `[figures] ${label}: ${rows}; SQLite files ${kb(before.sqliteBytes)} → ${kb(after.sqliteBytes)} ` +
      `(pages in use ${kb(before.sqliteUsedBytes)} → ${kb(after.sqliteUsedBytes)}); ` +
      `RSS ${before.rssMb} → ${after.rssMb} MB; live heap ${before.heapMb} → ${after.heapMb} MB\n`,
  );
}
