import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.js';
import type { RevokedTokenRepository } from '../store.js';
import { transact } from './transact.js';
import { appendAudit, appendChange, now } from './writes.js';

export function revokedTokenRepository(db: Kysely<Database>): RevokedTokenRepository {
  return {
    async add({ jti, clientId, expiresAt }, bound) {
      return transact(db, async (trx) => {
        const at = now();
        if (bound && !(await isHeld(trx, jti)) && (await lockCredential(trx, clientId))) {
          const live = await trx
            .selectFrom('revoked_tokens')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('client_id', '=', clientId)
            .where('expires_at', '>', at)
            .executeTakeFirstOrThrow();
          if (Number(live.n) >= bound.maxLivePerClient) {
            // Every token of the client issued until now is refused by the cut-off, these included:
            // their rows say nothing more, and the client starts again from none.
            await trx
              .updateTable('credentials')
              .set({ tokens_revoked_at: at, updated_at: at })
              .where('client_id', '=', clientId)
              .execute();
            await trx.deleteFrom('revoked_tokens').where('client_id', '=', clientId).execute();
            await appendChange(trx, 'credential.updated', clientId);
            await appendAudit(trx, bound.audit);
            return 'all_revoked';
          }
        }
        const inserted = await trx
          .insertInto('revoked_tokens')
          .values({ jti, client_id: clientId, expires_at: expiresAt, revoked_at: at })
          .onConflict((oc) => oc.column('jti').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0)
          await appendChange(trx, 'token.revoked', jti);
        return 'revoked';
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
    async pruneExpired(at, limit) {
      const result = await db
        .deleteFrom('revoked_tokens')
        .where('jti', 'in', (eb) =>
          eb
            .selectFrom('revoked_tokens')
            .select('jti')
            .where('expires_at', '<=', at.toISOString())
            .orderBy('expires_at')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

async function isHeld(trx: Transaction<Database>, jti: string): Promise<boolean> {
  const row = await trx.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes the credential's row lock (PostgreSQL; SQLite's writer lock) with an update that changes
 * nothing, so two revocations of one client count its revocations one after the other. False when
 * no credential has the client ID.
 */
async function lockCredential(trx: Transaction<Database>, clientId: string): Promise<boolean> {
  const locked = await trx
    .updateTable('credentials')
    .set((eb) => ({ tokens_revoked_at: eb.ref('tokens_revoked_at') }))
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}
