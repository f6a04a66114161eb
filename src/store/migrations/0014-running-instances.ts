import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** The processes serving each region, with the API documents each serves (RunningInstances). */
export const runningInstances: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('running_instances')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('api_documents', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('running_instances_seen_at')
      .on('running_instances')
      .column('seen_at')
      .execute();
  },
};
