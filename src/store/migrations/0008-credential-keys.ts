import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Credentials without shared secrets: their public keys (private_key_jwt, RFC 7523), whether their
 * tokens must be bound to a key (DPoP, RFC 9449), and the one-time proof IDs already used (client
 * assertions, DPoP proofs), so each is accepted once on every instance.
 */
export const credentialKeys: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('credentials')
      .addColumn('require_dpop', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
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
      .createTable('used_proofs')
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('jti', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('used_proofs_pk', ['owner', 'jti'])
      .execute();
    await db.schema.createIndex('used_proofs_expiry').on('used_proofs').column('expires_at').execute();
  },
};
