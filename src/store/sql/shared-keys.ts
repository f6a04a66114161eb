import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { SharedKeys } from '../store.js';

export function sharedKeys(db: Kysely<Database>): SharedKeys {
  return {
    async getOrCreate(name, create) {
      // The first insert wins on every instance that shares the store; the rest read its value.
      await db
        .insertInto('shared_keys')
        .values({ name, value: create(), created_at: new Date().toISOString() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('shared_keys')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
