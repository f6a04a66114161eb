import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Signing keys belong to a region. Keys from before this migration get the empty region and are
 * claimed by the first region that starts on the store (services/verification/signing-keys.ts).
 */
export const signingKeyRegion: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('signing_keys')
      .addColumn('region', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createIndex('signing_keys_region')
      .on('signing_keys')
      .columns(['region', 'status'])
      .execute();
  },
};
