import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Credential policies: where a credential may be used from (a JSON list of CIDR ranges, empty for
 * anywhere), how many tokens it may get (a JSON `{limit, period}`, or null for no quota), how many
 * API calls (a JSON `{limit, windowSeconds}` in place of its plan's, or null), and what
 * its tokens say of it (a JSON object of strings, copied into each token).
 */
export const credentialPolicies: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('credentials')
      .addColumn('allowed_cidrs', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('credentials').addColumn('token_quota', 'text').execute();
    await db.schema.alterTable('credentials').addColumn('call_limit', 'text').execute();
    await db.schema
      .alterTable('credentials')
      .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    // What the policies refused, per credential, day and reason, for the usage view.
    await db.schema
      .createTable('usage_refusals')
      .addColumn('credential_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('usage_refusals_pk', ['credential_id', 'day', 'reason'])
      .execute();
  },
};
