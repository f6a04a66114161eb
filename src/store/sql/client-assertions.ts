import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { ClientAssertionLog } from '../store.js';

export function clientAssertionLog(db: Kysely<Database>): ClientAssertionLog {
  return {
    async use(clientId, jti, expiresAt) {
      // The primary key decides, atomically on every instance that shares the store.
      const inserted = await db
        .insertInto('used_client_assertions')
        .values({ client_id: clientId, jti, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async pruneExpired(at) {
      await db.deleteFrom('used_client_assertions').where('expires_at', '<=', at.toISOString()).execute();
    },
  };
}
