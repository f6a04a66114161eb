import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { toAuditEntry } from '../rows.js';
import type { AuditLog } from '../store.js';
import { appendAudit } from './writes.js';

export function auditLog(db: Kysely<Database>): AuditLog {
  return {
    async append(entry) {
      await appendAudit(db, entry);
    },
    async list(accountId, { limit, before }) {
      let query = db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
      if (before !== undefined) query = query.where('id', '<', before);
      return (await query.orderBy('id', 'desc').limit(limit).execute()).map(toAuditEntry);
    },
  };
}
