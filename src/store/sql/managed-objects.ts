import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { ManagedObjects } from '../store.js';
import { now } from './writes.js';

/**
 * Marks only: no change-log entry, since no cache of a running server reads them, and no audit
 * entry, since the object itself does not change.
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
    async mark(type, id, manager) {
      await db
        .insertInto('managed_objects')
        .values({ object_type: type, object_id: id, manager, created_at: now() })
        .onConflict((oc) => oc.columns(['object_type', 'object_id']).doUpdateSet({ manager }))
        .execute();
    },
  };
}
