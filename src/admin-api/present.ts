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
 * Store records → the admin API's JSON resources, typed by their schemas (schemas.ts), so a field
 * added to a schema and not here fails the type check. Secrets' hashes never leave. Nested records
 * are copied into plain objects: the serialiser writes only what the schema names, whatever else
 * they hold.
 */

/** Users with their account's name and region, reading each account once (a list shares one). */
export async function usersJson(store: Store, users: readonly PortalUser[]): Promise<UserJson[]> {
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

export async function userJson(store: Store, user: PortalUser): Promise<UserJson> {
  const [json] = await usersJson(store, [user]);
  return json!;
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

/** Credentials with their secrets, keys and owners' emails, in four queries whatever their number. */
export async function credentialsJson(
  store: Store,
  accountId: string,
  credentials: readonly Credential[],
): Promise<CredentialJson[]> {
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
    tokenQuota: c.tokenQuota && { ...c.tokenQuota },
    callLimit: c.callLimit && { ...c.callLimit },
    metadata: { ...c.metadata },
    secrets: secrets.filter((s) => s.credentialId === c.id).map((s) => secretJson(s, now)),
    keys: keys.filter((k) => k.credentialId === c.id).map(keyJson),
  }));
}

export async function credentialJson(store: Store, credential: Credential): Promise<CredentialJson> {
  const [json] = await credentialsJson(store, credential.accountId, [credential]);
  return json!;
}

export function auditEntryJson(entry: AuditEntry): AuditEntryJson {
  const { accountId: _account, details, ...rest } = entry;
  return { ...rest, details: { ...details } };
}

export function apiTokenJson(token: ApiToken): ApiTokenJson {
  const { userId: _user, ...rest } = token;
  return rest;
}
