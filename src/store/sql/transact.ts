import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../database.js';

let savepoints = 0;

/**
 * Runs `work` in a transaction: a new one on a pool, or a savepoint inside one already open (the
 * store's `transaction`), so a repository's write stays all-or-nothing on its own and joins the
 * caller's transaction when there is one. Savepoints are standard SQL on SQLite and PostgreSQL.
 */
export async function transact<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (!db.isTransaction) return db.transaction().execute(work);
  const trx = db as Transaction<Database>;
  const name = sql.raw(`keygate_${++savepoints}`);
  await sql`savepoint ${name}`.execute(trx);
  try {
    const result = await work(trx);
    await sql`release savepoint ${name}`.execute(trx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint ${name}`.execute(trx);
    await sql`release savepoint ${name}`.execute(trx);
    throw error;
  }
}
