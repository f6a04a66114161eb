import type { Kysely, Migration } from 'kysely';

/** Accounts name their rate-limit plan (null: the configured default). */
export const accountPlan: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('plan', 'text').execute();
  },
};
