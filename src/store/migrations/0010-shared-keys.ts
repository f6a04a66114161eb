import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Keys every instance must share and none may be configured with: made once, by the first
 * instance that needs one, and read by the rest (the DPoP nonce key). Not credentials: each keys
 * a check that is only as strong as the feature it serves.
 */
export const sharedKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('shared_keys')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
