import type { Selectable } from 'kysely';
import type {
  Account,
  ApiToken,
  AuditEntry,
  CallLimit,
  Credential,
  CredentialKey,
  CredentialSecret,
  PortalSession,
  PortalUser,
  SigningKey,
  SigningKeyStatus,
  TokenQuota,
} from '../core/model.js';
import type { Licence } from '../core/scopes.js';
import type { Database } from './database.js';

/** Row ↔ domain mapping, one place for every table. */

export function toAccount(row: Selectable<Database['accounts']>): Account {
  return { id: row.id, name: row.name, region: row.region, plan: row.plan, createdAt: row.created_at };
}

export function toUser(
  row: Pick<Selectable<Database['users']>, 'id' | 'account_id' | 'email' | 'licence' | 'created_at'>,
): PortalUser {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    licence: row.licence as Licence | null,
    createdAt: row.created_at,
  };
}

export function toCredential(row: Selectable<Database['credentials']>): Credential {
  return {
    id: row.id,
    accountId: row.account_id,
    clientId: row.client_id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as string[],
    ownerUserId: row.owner_user_id,
    disabled: Number(row.disabled) === 1,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    tokensRevokedAt: row.tokens_revoked_at,
    requireDpop: Number(row.require_dpop) === 1,
    allowedCidrs: JSON.parse(row.allowed_cidrs) as string[],
    tokenQuota: row.token_quota === null ? null : (JSON.parse(row.token_quota) as TokenQuota),
    callLimit: row.call_limit === null ? null : (JSON.parse(row.call_limit) as CallLimit),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
  };
}

export function toSecret(row: Selectable<Database['credential_secrets']>): CredentialSecret {
  return {
    id: row.id,
    credentialId: row.credential_id,
    hash: Buffer.from(row.hash, 'hex'),
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function toCredentialKey(row: Selectable<Database['credential_keys']>): CredentialKey {
  return {
    id: row.id,
    credentialId: row.credential_id,
    thumbprint: row.thumbprint,
    jwk: JSON.parse(row.jwk) as Record<string, string>,
    algorithms: JSON.parse(row.algorithms) as string[],
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export function toSigningKey(row: Selectable<Database['signing_keys']>): SigningKey {
  return {
    kid: row.kid,
    region: row.region,
    alg: row.alg,
    status: row.status as SigningKeyStatus,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    privateJwkEncrypted: row.private_jwk_encrypted,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retireAfter: row.retire_after,
  };
}

export function toSession(row: Selectable<Database['sessions']>): PortalSession {
  return {
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
  };
}

export function toApiToken(row: Selectable<Database['api_tokens']>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    hint: row.hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

export function toAuditEntry(row: Selectable<Database['audit_log']>): AuditEntry {
  return {
    id: row.id,
    accountId: row.account_id,
    at: row.at,
    actorUserId: row.actor_user_id,
    actorEmail: row.actor_email,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetName: row.target_name,
    ip: row.ip,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
