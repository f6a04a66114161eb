import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { Change, ChangeLog, ChangeTopic } from '../store.js';

export function changeLog(db: Kysely<Database>): ChangeLog {
  return {
    async latestSeq() {
      const row = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
    async since(seq, limit = 1000) {
      const rows = await db
        .selectFrom('changes')
        .select(['seq', 'topic', 'ref'])
        .where('seq', '>', seq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r): Change => ({ seq: Number(r.seq), topic: r.topic as ChangeTopic, ref: r.ref }));
    },
  };
}
