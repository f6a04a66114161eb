import type { Store } from '../../store/store.js';
import type { ClientAuthenticationRefusal } from '../../token-service/token/client-authentication-refusal.js';

/** What to fix, for each reason a client authentication was refused. */
const FIX: Record<ClientAuthenticationRefusal, string> = {
  malformed_secret: 'the secret is not a Keygate secret: copy it whole, kgs_ prefix included',
  wrong_secret: 'the secret is none of the credential’s (a revoked one reads so): use a current one',
  expired_secret: 'the secret expired after a rotation: move the program to the new secret',
  no_secret: 'the credential has no secret: it authenticates with a key or a certificate',
  malformed_assertion: 'the client assertion is not a well-formed JWT',
  unsupported_algorithm: 'the assertion is signed with an algorithm Keygate does not verify',
  unknown_key: 'none of the credential’s keys signs with the assertion’s algorithm: register the key',
  bad_signature: 'the assertion is signed by none of the credential’s keys',
  wrong_issuer: 'the assertion’s iss or sub is not the client ID',
  wrong_audience: 'the assertion’s aud is neither the issuer nor the token endpoint',
  no_expiry: 'the assertion has no exp',
  expired: 'the assertion had expired: check the client’s clock',
  lives_too_long: 'the assertion’s exp is further ahead than an assertion may live (one hour)',
  not_yet_valid: 'the assertion’s nbf is ahead: check the client’s clock',
  invalid_jti: 'the assertion has no usable jti',
  replayed: 'the assertion was used before: make a new one for each request',
  certificate_mismatch: 'the TLS certificate is not one the credential registered',
  certificate_expired: 'the TLS certificate is outside its validity dates',
  address_not_allowed: 'the request came from outside the credential’s address allowlist',
};

/** How far back in the account's audit log refusals are looked for. */
export const AUDIT_ENTRIES_READ = 500;

export interface ClientRefusal {
  at: string;
  ip: string | null;
  method: string;
  reason: string;
  fix: string;
}

/** A credential's refused authentications, newest first, from its account's recent audit entries. */
export async function clientRefusals(
  store: Store,
  credential: { id: string; accountId: string },
): Promise<ClientRefusal[]> {
  const entries = await store.audit.list(credential.accountId, { limit: AUDIT_ENTRIES_READ });
  return entries
    .filter((entry) => entry.action === 'client_authentication.failed' && entry.targetId === credential.id)
    .map((entry) => {
      const { method, reason } = entry.details as { method?: string; reason?: string };
      return {
        at: entry.at,
        ip: entry.ip,
        method: method ?? 'unknown',
        reason: reason ?? 'unknown',
        fix: FIX[reason as ClientAuthenticationRefusal] ?? 'see docs/tokens.md',
      };
    });
}
