import {
  type Account,
  type ApiToken,
  type AuditEntry,
  type Credential,
  type CredentialKey,
  type CredentialSecret,
  isSecretUsable,
  type PortalUser,
} from '../core/model.js';
import type { Store } from '../store/store.js';

/** Store records → the admin API's JSON resources (schemas.ts). Secrets' hashes never leave. */

/** Users with their account's name and region, reading each account once (a list shares one). */
export async function usersJson(store: Store, users: readonly PortalUser[]) {
  const accounts = new Map<string, Account | undefined>();
  for (const id of new Set(users.map((u) => u.accountId))) accounts.set(id, await store.accounts.get(id));
  return users.map((user) => {
    const account = accounts.get(user.accountId);
    return {
      id: user.id,
      email: user.email,
      licence: user.licence,
      accountId: user.accountId,
      accountName: account?.name ?? '',
      region: account?.region ?? '',
      createdAt: user.createdAt,
    };
  });
}

export async function userJson(store: Store, user: PortalUser) {
  const [json] = await usersJson(store, [user]);
  return json!;
}

export function secretJson(secret: CredentialSecret, now: Date) {
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

export function keyJson(key: CredentialKey) {
  return {
    id: key.id,
    thumbprint: key.thumbprint,
    algorithms: [...key.algorithms],
    jwk: { ...key.jwk },
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  };
}

/** Credentials with their secrets, keys and owners' emails, in four queries whatever their number. */
export async function credentialsJson(store: Store, accountId: string, credentials: readonly Credential[]) {
  if (credentials.length === 0) return [];
  const ids = credentials.map((c) => c.id);
  const [secrets, keys, users] = await Promise.all([
    store.credentials.listSecrets(ids),
    store.credentials.listKeys(ids),
    store.users.list(accountId),
  ]);
  const emails = new Map(users.map((u) => [u.id, u.email]));
  const now = new Date();
  return credentials.map((c) => ({
    id: c.id,
    clientId: c.clientId,
    name: c.name,
    scopes: [...c.scopes],
    ownerUserId: c.ownerUserId,
    ownerEmail: c.ownerUserId ? (emails.get(c.ownerUserId) ?? null) : null,
    disabled: c.disabled,
    expiresAt: c.expiresAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastUsedAt: c.lastUsedAt,
    tokensRevokedAt: c.tokensRevokedAt,
    requireDpop: c.requireDpop,
    allowedCidrs: [...c.allowedCidrs],
    tokenQuota: c.tokenQuota,
    callLimit: c.callLimit,
    metadata: { ...c.metadata },
    secrets: secrets.filter((s) => s.credentialId === c.id).map((s) => secretJson(s, now)),
    keys: keys.filter((k) => k.credentialId === c.id).map(keyJson),
  }));
}

export async function credentialJson(store: Store, credential: Credential) {
  const [json] = await credentialsJson(store, credential.accountId, [credential]);
  return json!;
}

export function auditEntryJson(entry: AuditEntry) {
  const { accountId: _account, ...rest } = entry;
  return rest;
}

export function apiTokenJson(token: ApiToken) {
  const { userId: _user, ...rest } = token;
  return rest;
}
