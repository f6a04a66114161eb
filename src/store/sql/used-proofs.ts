import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { UsedProofLog } from '../store.js';

export function usedProofLog(db: Kysely<Database>): UsedProofLog {
  return {
    async use(owner, jti, expiresAt) {
      // The primary key decides, atomically on every instance that shares the store.
      const inserted = await db
        .insertInto('used_proofs')
        .values({ owner, jti, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['owner', 'jti']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async isUsed(owner, jti) {
      const row = await db
        .selectFrom('used_proofs')
        .select('jti')
        .where('owner', '=', owner)
        .where('jti', '=', jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    async pruneExpired(at, limit) {
      const result = await db
        .deleteFrom('used_proofs')
        .where(({ eb, refTuple, selectFrom }) =>
          eb(
            refTuple('owner', 'jti'),
            'in',
            selectFrom('used_proofs')
              .select(['owner', 'jti'])
              .where('expires_at', '<=', at.toISOString())
              .orderBy('expires_at')
              .limit(limit)
              .$asTuple('owner', 'jti'),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
