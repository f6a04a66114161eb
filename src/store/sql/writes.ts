import type { Kysely, Transaction } from 'kysely';
import { newTimeOrderedId } from '../../core/identifiers.js';
import type { AuditDraft } from '../../core/model.js';
import type { Database } from '../database.js';
import type { Audit, ChangeTopic } from '../store.js';

/** The store's timestamps: ISO 8601 in UTC. */
export const now = () => new Date().toISOString();

/** Every write names what it changed in the change log, in its own transaction (ADR 0002). */
export async function appendChange(
  trx: Transaction<Database>,
  topic: ChangeTopic,
  ref: string,
): Promise<void> {
  await trx.insertInto('changes').values({ topic, ref, at: now() }).execute();
}

/** A write's audit entry, in the same transaction: the log holds every change and only changes. */
export async function appendAudit(db: Kysely<Database> | Transaction<Database>, entry: Audit): Promise<void> {
  if (!entry) return;
  const at = new Date();
  await db.insertInto('audit_log').values(auditRow(entry, at)).execute();
}

export function auditRow(entry: AuditDraft, at: Date): Database['audit_log'] {
  return {
    id: newTimeOrderedId(at),
    account_id: entry.accountId,
    at: at.toISOString(),
    actor_user_id: entry.actorUserId,
    actor_email: entry.actorEmail,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    target_name: entry.targetName,
    ip: entry.ip,
    details: JSON.stringify(entry.details),
  };
}
