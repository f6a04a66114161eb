import type { AuditAction } from '../../core/audit-actions.js';
import type { AuditDraft, PortalUser } from '../../core/model.js';

/** Who asks for a change: a portal user (through the portal or the admin API) or the command line. */
export type Actor = { kind: 'user'; user: PortalUser; ip: string | null } | { kind: 'cli' };

export const CLI_ACTOR: Actor = { kind: 'cli' };

/** An audit entry for `actor` doing `action` on a target of `accountId`. */
export function auditBy(
  actor: Actor,
  accountId: string,
  action: AuditAction,
  target: { type: string; id: string | null; name: string | null },
  details: Record<string, unknown> = {},
): AuditDraft {
  return {
    accountId,
    actorUserId: actor.kind === 'user' ? actor.user.id : null,
    actorEmail: actor.kind === 'user' ? actor.user.email : 'cli',
    action,
    targetType: target.type,
    targetId: target.id,
    targetName: target.name,
    ip: actor.kind === 'user' ? actor.ip : null,
    details,
  };
}
