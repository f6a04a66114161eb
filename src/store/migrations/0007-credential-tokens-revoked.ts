import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * When all of a credential's tokens were last revoked at once: tokens issued before it are refused
 * wherever a token is checked (gateway, introspection, explain).
 */
export const credentialTokensRevoked: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('credentials').addColumn('tokens_revoked_at', 'text').execute();
  },
};
