import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { ManagedObjects } from '../store.js';
import { transact } from './transact.js';
import { appendAudit, now } from './writes.js';

/**
 * Marks only: no change-log entry, since no cache of a running server reads them. A mark made when
 * apply creates an object is covered by that object's audit entry; one that takes an object over
 * comes with its own.
 */
export function managedObjects(db: Kysely<Database>): ManagedObjects {
  return {
    async list(type, manager) {
      const rows = await db
        .selectFrom('managed_objects')
        .select('object_id')
        .where('object_type', '=', type)
        .where('manager', '=', manager)
        .execute();
      return rows.map((row) => row.object_id);
    },
    async managers(type) {
      const rows = await db
        .selectFrom('managed_objects')
        .select(['object_id', 'manager'])
        .where('object_type', '=', type)
        .execute();
      return new Map(rows.map((row) => [row.object_id, row.manager]));
    },
    async mark(type, id, manager, audit) {
      await transact(db, async (trx) => {
        await trx
          .insertInto('managed_objects')
          .values({ object_type: type, object_id: id, manager, created_at: now() })
          .onConflict((oc) => oc.columns(['object_type', 'object_id']).doUpdateSet({ manager }))
          .execute();
        await appendAudit(trx, audit);
      });
    },
  };
}
