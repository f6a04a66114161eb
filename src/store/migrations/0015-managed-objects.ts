import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Which objects a declarative configuration (`keygate apply`) made or took over, so that
 * `apply --prune` deletes those only and never one made by hand in the portal. A table of its own
 * rather than a credential field: metadata is copied into tokens, and the marker is nobody's business
 * but the operator's.
 */
export const managedObjects: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('managed_objects')
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addColumn('manager', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('managed_objects_pk', ['object_type', 'object_id'])
      .execute();
  },
};
