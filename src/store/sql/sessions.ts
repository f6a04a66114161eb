import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { toSession } from '../rows.js';
import type { SessionRepository } from '../store.js';
import { transact } from './transact.js';
import { appendAudit } from './writes.js';

export function sessionRepository(db: Kysely<Database>): SessionRepository {
  return {
    async create(idHash, session, audit) {
      await transact(db, async (trx) => {
        await trx
          .insertInto('sessions')
          .values({
            id_hash: idHash,
            user_id: session.userId,
            csrf_token: session.csrfToken,
            created_at: session.createdAt,
            expires_at: session.expiresAt,
            last_seen_at: session.lastSeenAt,
          })
          .execute();
        await appendAudit(trx, audit);
      });
    },
    async get(idHash) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return row && toSession(row);
    },
    async touch(idHash, lastSeenAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: lastSeenAt })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async delete(idHash, audit) {
      await transact(db, async (trx) => {
        await trx.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
        await appendAudit(trx, audit);
      });
    },
    async deleteExpired(at, idleBefore) {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', at.toISOString()),
            eb('last_seen_at', '<', idleBefore.toISOString()),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
