import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** When each public key last authenticated its client, as secrets have it: for the portal and CLI. */
export const keyLastUse: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('credential_keys').addColumn('last_used_at', 'text').execute();
  },
};
