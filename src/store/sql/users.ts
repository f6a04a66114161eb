import type { Kysely } from 'kysely';
import { newId } from '../../core/identifiers.js';
import type { Database } from '../database.js';
import { toUser } from '../rows.js';
import type { UserRepository } from '../store.js';
import { transact } from './transact.js';
import { appendAudit, now } from './writes.js';

export function userRepository(db: Kysely<Database>): UserRepository {
  return {
    async create({ accountId, email, passwordHash, licence }, audit) {
      const row = {
        id: newId(),
        account_id: accountId,
        email: email.toLowerCase(),
        password_hash: passwordHash,
        licence,
        created_at: now(),
      };
      await transact(db, async (trx) => {
        await trx.insertInto('users').values(row).execute();
        await appendAudit(trx, audit && { ...audit, targetId: row.id });
      });
      return toUser(row);
    },
    async setLicence(id, licence, audit) {
      return transact(db, async (trx) => {
        const row = await trx
          .updateTable('users')
          .set({ licence })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await appendAudit(trx, audit);
        return toUser(row);
      });
    },
    async delete(id, audit) {
      return transact(db, async (trx) => {
        // Sessions and API tokens go with the user (on delete cascade); credentials lose their owner.
        const row = await trx.deleteFrom('users').where('id', '=', id).returning('id').executeTakeFirst();
        if (!row) return false;
        await trx
          .deleteFrom('managed_objects')
          .where('object_type', '=', 'user')
          .where('object_id', '=', id)
          .execute();
        await appendAudit(trx, audit);
        return true;
      });
    },
    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findForLogin(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst();
      return row && { user: toUser(row), passwordHash: row.password_hash };
    },
    async count() {
      const { n } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    async list(accountId) {
      return (
        await db
          .selectFrom('users')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .execute()
      ).map(toUser);
    },
  };
}
