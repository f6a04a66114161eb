import {
  type ApiToken,
  type AuditEntry,
  type CredentialKey,
  type CredentialSecret,
  isSecretUsable,
} from '../core/model.js';
import type { CredentialDetails } from '../services/credentials/credentials.js';
import type { UserWithAccount } from '../services/credentials/portal-users.js';
import {
  type ApiTokenJson,
  type AuditEntryJson,
  type CredentialJson,
  type KeyJson,
  keySchema,
  type SecretJson,
  type UserJson,
} from './schemas.js';

/**
 * Records → the admin API's JSON resources, typed by their schemas (schemas.ts), so a field added
 * to a schema and not here fails the type check. No I/O: the routes load what a resource shows
 * (CredentialService.details, PortalUserService.withAccounts) and hand it here. Secrets' hashes never leave. Nested records
 * are copied into plain objects: the serialiser writes only what the schema names, whatever else
 * they hold.
 */

/** A user with its account's name and region. */
export function userJson({ user, account }: UserWithAccount): UserJson {
  return {
    id: user.id,
    email: user.email,
    licence: user.licence,
    accountId: user.accountId,
    accountName: account?.name ?? '',
    region: account?.region ?? '',
    createdAt: user.createdAt,
  };
}

export function secretJson(secret: CredentialSecret, now: Date): SecretJson {
  return {
    id: secret.id,
    hint: secret.hint,
    createdAt: secret.createdAt,
    expiresAt: secret.expiresAt,
    revokedAt: secret.revokedAt,
    lastUsedAt: secret.lastUsedAt,
    status: secret.revokedAt !== null ? 'revoked' : isSecretUsable(secret, now) ? 'active' : 'expired',
  };
}

type KeyAlgorithm = KeyJson['algorithms'][number];
const KEY_ALGORITHMS: readonly string[] = keySchema.properties.algorithms.items.enum;
/** Keys are stored with these only (algorithmsOf in core/client-public-key.ts; Ed25519 as EdDSA). */
const isKeyAlgorithm = (alg: string): alg is KeyAlgorithm => KEY_ALGORITHMS.includes(alg);

export function keyJson(key: CredentialKey): KeyJson {
  return {
    id: key.id,
    thumbprint: key.thumbprint,
    algorithms: key.algorithms.filter(isKeyAlgorithm),
    jwk: { ...key.jwk },
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  };
}

/** A credential with its secrets (their status as of `now`), keys and owner's email. */
export function credentialJson(
  { credential: c, secrets, keys, ownerEmail }: CredentialDetails,
  now: Date,
): CredentialJson {
  return {
    id: c.id,
    clientId: c.clientId,
    name: c.name,
    scopes: [...c.scopes],
    ownerUserId: c.ownerUserId,
    ownerEmail,
    disabled: c.disabled,
    expiresAt: c.expiresAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastUsedAt: c.lastUsedAt,
    tokensRevokedAt: c.tokensRevokedAt,
    requireDpop: c.requireDpop,
    allowedCidrs: [...c.allowedCidrs],
    tokenQuota: c.tokenQuota && { ...c.tokenQuota },
    callLimit: c.callLimit && { ...c.callLimit },
    metadata: { ...c.metadata },
    secrets: secrets.map((s) => secretJson(s, now)),
    keys: keys.map(keyJson),
  };
}

export function auditEntryJson(entry: AuditEntry): AuditEntryJson {
  const { accountId: _account, details, ...rest } = entry;
  return { ...rest, details: { ...details } };
}

export function apiTokenJson(token: ApiToken): ApiTokenJson {
  const { userId: _user, ...rest } = token;
  return rest;
}
