import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Accounts name their rate-limit plan (null: the configured default). */
export const accountPlan: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('plan', 'text').execute();
  },
};
