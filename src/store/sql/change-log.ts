import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { Change, ChangeLog, ChangeTopic } from '../store.js';

export function changeLog(db: Kysely<Database>): ChangeLog {
  const latestSeq = async () => {
    const row = await db
      .selectFrom('changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  };
  return {
    latestSeq,
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
    async pruneBefore(at, limit) {
      // The newest entry stays whatever its age: a process starting reads its place from it.
      const newest = await latestSeq();
      const result = await db
        .deleteFrom('changes')
        .where('seq', 'in', (eb) =>
          eb
            .selectFrom('changes')
            .select('seq')
            .where('at', '<', at.toISOString())
            .where('seq', '<', newest)
            .orderBy('seq')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
