import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import type { RefusalReason, UsageRepository } from '../store.js';
import { transact } from './transact.js';

export function usageRepository(db: Kysely<Database>): UsageRepository {
  return {
    async record(batch) {
      await transact(db, async (trx) => {
        for (const [id, at] of batch.credentialLastUsed) {
          await trx.updateTable('credentials').set({ last_used_at: at }).where('id', '=', id).execute();
        }
        for (const [id, at] of batch.secretLastUsed) {
          await trx
            .updateTable('credential_secrets')
            .set({ last_used_at: at })
            .where('id', '=', id)
            .execute();
        }
        for (const [id, at] of batch.keyLastUsed) {
          await trx.updateTable('credential_keys').set({ last_used_at: at }).where('id', '=', id).execute();
        }
        for (const d of batch.daily) {
          await trx
            .insertInto('usage_daily')
            .values({
              credential_id: d.credentialId,
              day: d.day,
              scope: d.scope,
              tokens_issued: d.tokensIssued,
              api_calls: d.apiCalls,
            })
            .onConflict((oc) =>
              oc.columns(['credential_id', 'day', 'scope']).doUpdateSet({
                tokens_issued: sql`usage_daily.tokens_issued + excluded.tokens_issued`,
                api_calls: sql`usage_daily.api_calls + excluded.api_calls`,
              }),
            )
            .execute();
        }
        for (const r of batch.refusals) {
          await trx
            .insertInto('usage_refusals')
            .values({ credential_id: r.credentialId, day: r.day, reason: r.reason, count: r.count })
            .onConflict((oc) =>
              oc
                .columns(['credential_id', 'day', 'reason'])
                .doUpdateSet({ count: sql`usage_refusals.count + excluded.count` }),
            )
            .execute();
        }
      });
    },
    async daily(credentialId) {
      const rows = await db
        .selectFrom('usage_daily')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .orderBy('day')
        .orderBy('scope')
        .execute();
      return rows.map((r) => ({
        day: r.day,
        scope: r.scope,
        tokensIssued: Number(r.tokens_issued),
        apiCalls: Number(r.api_calls),
      }));
    },
    async refusals(credentialId) {
      const rows = await db
        .selectFrom('usage_refusals')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .orderBy('day')
        .orderBy('reason')
        .execute();
      return rows.map((r) => ({ day: r.day, reason: r.reason as RefusalReason, count: Number(r.count) }));
    },
  };
}
