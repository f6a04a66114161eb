import { DomainError } from './domain-error.js';
import type { Credential, PortalUser } from './model.js';
import type { ScopeCatalogue, ScopeDefinition } from './scopes.js';

/**
 * Who may do what with API credentials (DESIGN.md, "Portal"): admins manage all of their
 * account's credentials and grant every scope; supervisors see and manage only their own and grant
 * only the scopes the catalogue allows them; users without either licence have no API Credentials
 * page at all.
 */

export function requireLicence(user: PortalUser): void {
  if (user.licence === null) {
    throw new DomainError(
      'no_licence',
      'API Credentials needs an admin or supervisor licence. If API Credentials does not appear, contact support.',
    );
  }
}

export function requireAdmin(user: PortalUser): void {
  if (user.licence !== 'admin') throw new DomainError('forbidden', 'only an admin may do this');
}

/**
 * Whether `user` may see (and so change) `credential`. Everything else must look exactly like a
 * credential that does not exist, so callers answer not_found, never forbidden.
 */
export function canSeeCredential(user: PortalUser, credential: Credential): boolean {
  if (user.licence === null || credential.accountId !== user.accountId) return false;
  return user.licence === 'admin' || credential.ownerUserId === user.id;
}

export function isGrantableBy(user: PortalUser, scope: ScopeDefinition): boolean {
  return user.licence !== null && scope.grantableBy.includes(user.licence);
}

/** Scopes a user adds to a credential must be grantable by their licence; keeping others is fine. */
export function assertMayGrant(
  user: PortalUser,
  catalogue: ScopeCatalogue,
  scopes: readonly string[],
  already: readonly string[] = [],
) {
  for (const value of scopes) {
    if (already.includes(value)) continue;
    const scope = catalogue.find(value);
    if (scope && !isGrantableBy(user, scope)) {
      throw new DomainError(
        'scope_not_grantable',
        `your ${user.licence ?? 'missing'} licence may not grant the scope ${value}`,
        'scopes',
      );
    }
  }
}
