import type { Kysely, Migration } from 'kysely';

/**
 * Credentials that authenticate with a signed assertion (private_key_jwt, RFC 7523): their public
 * keys, and the assertion IDs already used, so each is accepted once per client on every instance.
 */
export const credentialKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('credential_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id').onDelete('cascade'))
      .addColumn('thumbprint', 'text', (c) => c.notNull())
      .addColumn('jwk', 'text', (c) => c.notNull())
      .addColumn('algorithms', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('credential_keys_thumbprint')
      .on('credential_keys')
      .columns(['credential_id', 'thumbprint'])
      .unique()
      .execute();

    await db.schema
      .createTable('used_client_assertions')
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('used_client_assertions_pk', ['client_id', 'jti'])
      .execute();
    await db.schema
      .createIndex('used_client_assertions_expiry')
      .on('used_client_assertions')
      .column('expires_at')
      .execute();
  },
};
