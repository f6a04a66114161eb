import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { toApiToken } from '../rows.js';
import type { ApiTokenRepository } from '../store.js';
import { transact } from './transact.js';
import { appendAudit } from './writes.js';

export function apiTokenRepository(db: Kysely<Database>): ApiTokenRepository {
  return {
    async create(token, audit) {
      await transact(db, async (trx) => {
        await trx
          .insertInto('api_tokens')
          .values({
            id: token.id,
            user_id: token.userId,
            name: token.name,
            hash: token.hash.toString('hex'),
            hint: token.hint,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
            last_used_at: null,
          })
          .execute();
        await appendAudit(trx, audit);
      });
    },
    async findByHash(hash) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('hash', '=', hash.toString('hex'))
        .executeTakeFirst();
      return row && toApiToken(row);
    },
    async list(userId) {
      return (
        await db
          .selectFrom('api_tokens')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('created_at', 'desc')
          .execute()
      ).map(toApiToken);
    },
    async markUsed(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async delete(userId, id, audit) {
      return transact(db, async (trx) => {
        const result = await trx
          .deleteFrom('api_tokens')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        await appendAudit(trx, audit);
        return true;
      });
    },
  };
}
