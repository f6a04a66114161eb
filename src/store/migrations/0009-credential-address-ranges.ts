import type { Kysely, Migration } from 'kysely';

/** Where a credential may be used from: a JSON list of CIDR ranges, empty for anywhere. */
export const credentialAddressRanges: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('credentials')
      .addColumn('allowed_cidrs', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
};
