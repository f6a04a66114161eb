import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { LoginThrottle } from '../store.js';
import { transact } from './transact.js';

/**
 * Portal login attempts per key (the service keys them by email and client network), counted in the
 * store so every instance shares them. `locked_until` is when the key may try again.
 */
export function loginThrottle(db: Kysely<Database>): LoginThrottle {
  return {
    async charge(key, { freeAttempts, maxDelaySeconds, now }) {
      return transact(db, async (trx) => {
        await trx
          .insertInto('login_throttle')
          .values({ key, failures: 0, locked_until: null, updated_at: now })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        // One UPDATE counts the attempt unless the key must wait (locked_until is when it may try
        // again): concurrent attempts queue on the row and each sees what the one before left.
        const counted = await trx
          .updateTable('login_throttle')
          .set((eb) => ({ failures: eb('failures', '+', 1), updated_at: now }))
          .where('key', '=', key)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
          .returning('failures')
          .executeTakeFirst();
        if (!counted) {
          const row = await trx
            .selectFrom('login_throttle')
            .select('locked_until')
            .where('key', '=', key)
            .executeTakeFirstOrThrow();
          return { allowed: false as const, retryAt: row.locked_until! };
        }
        const attempts = Number(counted.failures);
        if (attempts >= freeAttempts) {
          // Still inside the transaction (and on PostgreSQL the row's lock), so no attempt can come
          // between the count and the wait it imposes.
          const delaySeconds = Math.min(2 ** (attempts - freeAttempts), maxDelaySeconds);
          await trx
            .updateTable('login_throttle')
            .set({ locked_until: new Date(Date.parse(now) + delaySeconds * 1000).toISOString() })
            .where('key', '=', key)
            .execute();
        }
        return { allowed: true as const, attempts };
      });
    },
    async clear(key) {
      await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
    async prune(before) {
      const result = await db
        .deleteFrom('login_throttle')
        .where('updated_at', '<', before)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
