import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A client's live revocations, counted on each revocation against its bound. */
export const revokedTokensByClient: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('revoked_tokens_client')
      .on('revoked_tokens')
      .columns(['client_id', 'expires_at'])
      .execute();
  },
};
