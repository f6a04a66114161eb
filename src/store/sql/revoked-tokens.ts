import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { RevokedTokenRepository } from '../store.js';
import { appendChange, now } from './writes.js';

export function revokedTokenRepository(db: Kysely<Database>): RevokedTokenRepository {
  return {
    async add({ jti, clientId, expiresAt }) {
      await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('revoked_tokens')
          .values({ jti, client_id: clientId, expires_at: expiresAt, revoked_at: now() })
          .onConflict((oc) => oc.column('jti').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0)
          await appendChange(trx, 'token.revoked', jti);
      });
    },
    async isRevoked(jti) {
      const row = await db
        .selectFrom('revoked_tokens')
        .select('jti')
        .where('jti', '=', jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    async listActive(at) {
      const rows = await db
        .selectFrom('revoked_tokens')
        .selectAll()
        .where('expires_at', '>', at.toISOString())
        .execute();
      return rows.map((r) => ({
        jti: r.jti,
        clientId: r.client_id,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
      }));
    },
    async pruneExpired(at) {
      const result = await db
        .deleteFrom('revoked_tokens')
        .where('expires_at', '<=', at.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
