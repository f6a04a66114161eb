import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * At most one active and one next signing key per region, enforced by the database: two processes
 * starting at once on an empty store cannot both create an active key (the second insert fails and
 * it uses the first's), and two rotations at once cannot both succeed.
 */
export const oneActiveKey: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create unique index signing_keys_one_per_status on signing_keys (region, status) where status in ('active', 'next')`.execute(
      db,
    );
  },
};
