import type { Kysely } from 'kysely';
import type { ApiDocumentVersion } from '../../core/model.js';
import type { Database } from '../database.js';
import type { RunningInstances } from '../store.js';

export function runningInstances(db: Kysely<Database>): RunningInstances {
  return {
    async report(instance) {
      const row = {
        id: instance.id,
        region: instance.region,
        host: instance.host,
        api_documents: JSON.stringify(instance.apiDocuments),
        started_at: instance.startedAt,
        seen_at: instance.seenAt,
      };
      await db
        .insertInto('running_instances')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ api_documents: row.api_documents, seen_at: row.seen_at }),
        )
        .execute();
    },
    async seenSince(since) {
      const rows = await db
        .selectFrom('running_instances')
        .selectAll()
        .where('seen_at', '>=', since.toISOString())
        .orderBy('started_at')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        region: row.region,
        host: row.host,
        apiDocuments: JSON.parse(row.api_documents) as ApiDocumentVersion[],
        startedAt: row.started_at,
        seenAt: row.seen_at,
      }));
    },
    async remove(id) {
      await db.deleteFrom('running_instances').where('id', '=', id).execute();
    },
    async pruneSeenBefore(before) {
      const result = await db
        .deleteFrom('running_instances')
        .where('seen_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
