import type { Kysely } from 'kysely';
import { newId } from '../../core/identifiers.js';
import type { Database } from '../database.js';
import { toAccount } from '../rows.js';
import type { AccountRepository } from '../store.js';
import { transact } from './transact.js';
import { appendAudit, now } from './writes.js';

export function accountRepository(db: Kysely<Database>): AccountRepository {
  return {
    async create({ name, region, plan }, audit) {
      const row = { id: newId(), name, region, plan: plan ?? null, created_at: now() };
      await transact(db, async (trx) => {
        await trx.insertInto('accounts').values(row).execute();
        await appendAudit(trx, audit && { ...audit, accountId: row.id, targetId: row.id });
      });
      return toAccount(row);
    },
    async setPlan(id, plan, audit) {
      return transact(db, async (trx) => {
        const row = await trx
          .updateTable('accounts')
          .set({ plan })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await appendAudit(trx, audit);
        return toAccount(row);
      });
    },
    async delete(id, audit) {
      return transact(db, async (trx) => {
        const holds = async (table: 'users' | 'credentials') =>
          (await trx.selectFrom(table).select('id').where('account_id', '=', id).limit(1).execute()).length >
          0;
        if ((await holds('users')) || (await holds('credentials'))) return 'not_empty';
        const row = await trx.deleteFrom('accounts').where('id', '=', id).returning('id').executeTakeFirst();
        if (!row) return false;
        await trx
          .deleteFrom('managed_objects')
          .where('object_type', '=', 'account')
          .where('object_id', '=', id)
          .execute();
        await appendAudit(trx, audit);
        return true;
      });
    },
    async get(id) {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },
    async findByName(name) {
      const row = await db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toAccount(row);
    },
    async list() {
      return (await db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute()).map(
        toAccount,
      );
    },
  };
}
