import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** Change-log entries by age: the pruner drops those older than the log's retention. */
export const changesByAge: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('changes_at').on('changes').column('at').execute();
  },
};
