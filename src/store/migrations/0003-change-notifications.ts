import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { SqlDialectName } from '../store.js';

/**
 * PostgreSQL: every insert into the change log wakes the instances listening on
 * `keygate_changes_<schema>` (LISTEN/NOTIFY), so they read it at once instead of at the next poll.
 * SQLite has no such push; its readers poll.
 */
export function changeNotifications(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`
        create or replace function keygate_notify_change() returns trigger language plpgsql as $$
        begin
          perform pg_notify('keygate_changes_' || current_schema(), '');
          return null;
        end $$`.execute(db);
      await sql`
        create trigger changes_notify after insert on changes
        for each statement execute function keygate_notify_change()`.execute(db);
    },
  };
}
