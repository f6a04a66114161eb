import { validateAddressRanges } from '../../core/address-ranges.js';
import type { AuditAction } from '../../core/audit-actions.js';
import { type ClientPublicKey, readClientPublicKeys, storedKey } from '../../core/client-public-key.js';
import { type ClientSecretHasher, generateClientSecret } from '../../core/client-secret.js';
import {
  validateCallLimit,
  validateCredentialName,
  validateCredentialScopes,
  validateDateTime,
  validateFlag,
  validateTokenQuota,
} from '../../core/credential-input.js';
import { validateMetadata } from '../../core/credential-metadata.js';
import { DomainError } from '../../core/domain-error.js';
import { generateClientId } from '../../core/identifiers.js';
import type { Credential, CredentialKey, CredentialSecret } from '../../core/model.js';
import { assertMayGrant, canSeeCredential, requireLicence } from '../../core/portal-access.js';
import type { ScopeCatalogue } from '../../core/scopes.js';
import type { CredentialPatch, Store } from '../../store/store.js';
import { type Actor, auditBy } from './actor.js';

export interface CreateCredentialInput {
  /** Ignored for a portal user, whose own account it always is. */
  accountId?: string;
  name: unknown;
  scopes: unknown;
  expiresAt?: unknown;
  /** Its tokens must be bound to the client's key (DPoP, RFC 9449). */
  requireDpop?: unknown;
  /** The CIDR ranges it may be used from; empty or absent: anywhere. */
  allowedCidrs?: unknown;
  /** At most `limit` tokens an hour or a day; null or absent: no quota. */
  tokenQuota?: unknown;
  /** Its own API call limit, which only lowers its plan's; null or absent: the plan's alone. */
  callLimit?: unknown;
  /** Key/value pairs copied into its tokens; never for secrets. */
  metadata?: unknown;
}

export interface CreatedCredential {
  credential: Credential;
  /** Shown once, here; only its keyed hash is stored. */
  clientSecret: string;
}

/** A credential that authenticates with private_key_jwt (RFC 7523): nothing shared to be copied. */
export interface CreatedKeyCredential {
  credential: Credential;
  keys: CredentialKey[];
}

/** A credential with what its resource shows beside it: secrets, keys and its owner's email. */
export interface CredentialDetails {
  readonly credential: Credential;
  readonly secrets: readonly CredentialSecret[];
  readonly keys: readonly CredentialKey[];
  readonly ownerEmail: string | null;
}

export interface CredentialChanges {
  name?: unknown;
  scopes?: unknown;
  addScopes?: string[];
  removeScopes?: string[];
  disabled?: boolean;
  expiresAt?: unknown;
  requireDpop?: unknown;
  allowedCidrs?: unknown;
  tokenQuota?: unknown;
  callLimit?: unknown;
  metadata?: unknown;
}

/**
 * Use cases on API credentials, shared by the CLI and the admin API. A portal user acts within their
 * licence (core/portal-access.ts); the CLI acts as the operator, on any account. Every change is
 * audited in the same transaction.
 */
export class CredentialService {
  constructor(
    private readonly store: Store,
    private readonly hasher: ClientSecretHasher,
    /** The scopes credentials may be given: VCC's and those the configured API documents declare. */
    readonly catalogue: ScopeCatalogue,
    /** Called after each write, so this process's caches see it at once rather than at the next poll. */
    private readonly afterWrite: () => Promise<void> = async () => {},
  ) {}

  async create(input: CreateCredentialInput, actor: Actor): Promise<CreatedCredential> {
    const clientSecret = generateClientSecret();
    const { credential } = await this.#create(input, [], clientSecret, actor);
    return { credential, clientSecret };
  }

  /** Creates a credential with public keys (PEM or JWK) instead of a secret. */
  async createWithKeys(
    input: CreateCredentialInput & { publicKeys: unknown },
    actor: Actor,
  ): Promise<CreatedKeyCredential> {
    const publicKeys = await readClientPublicKeys(input.publicKeys);
    if (publicKeys.length === 0) {
      throw new DomainError('validation_failed', 'publicKeys must name at least one key', 'publicKeys');
    }
    const { credential } = await this.#create(input, publicKeys, undefined, actor);
    return { credential, keys: await this.store.credentials.listKeys([credential.id]) };
  }

  async #create(
    input: CreateCredentialInput,
    publicKeys: ClientPublicKey[],
    clientSecret: string | undefined,
    actor: Actor,
  ): Promise<{ credential: Credential }> {
    if (actor.kind === 'user') requireLicence(actor.user);
    const name = validateCredentialName(input.name);
    const scopes = validateCredentialScopes(input.scopes, this.catalogue);
    const expiresAt = validateDateTime(input.expiresAt ?? null, 'expiresAt');
    let accountId = input.accountId;
    if (actor.kind === 'user') {
      assertMayGrant(actor.user, this.catalogue, scopes);
      accountId = actor.user.accountId;
    }
    if (accountId === undefined || !(await this.store.accounts.get(accountId))) {
      throw new DomainError('not_found', `no account with id ${accountId}`, 'account');
    }
    const { credential } = await this.store.credentials.create(
      {
        accountId,
        name,
        scopes,
        ownerUserId: actor.kind === 'user' ? actor.user.id : null,
        clientId: generateClientId(),
        expiresAt,
        ...(clientSecret && {
          secret: { hash: this.hasher.hash(clientSecret), hint: clientSecret.slice(0, 8) },
        }),
        keys: publicKeys.map(storedKey),
        requireDpop: validateFlag(input.requireDpop ?? false, 'requireDpop'),
        allowedCidrs: validateAddressRanges(input.allowedCidrs ?? []),
        tokenQuota: validateTokenQuota(input.tokenQuota ?? null),
        callLimit: validateCallLimit(input.callLimit ?? null),
        metadata: validateMetadata(input.metadata ?? {}),
      },
      auditBy(
        actor,
        accountId,
        'credential.created',
        { type: 'credential', id: null, name },
        publicKeys.length > 0 ? { scopes, keys: publicKeys.map((key) => key.thumbprint) } : { scopes },
      ),
    );
    await this.afterWrite();
    return { credential };
  }

  /** The credential's public keys (private_key_jwt), oldest first. */
  async listKeys(idOrClientId: string, actor: Actor): Promise<CredentialKey[]> {
    const credential = await this.find(idOrClientId, actor);
    return this.store.credentials.listKeys([credential.id]);
  }

  /** Adds a public key; assertions signed by it authenticate the client from now on. */
  async addKey(idOrClientId: string, publicKey: unknown, actor: Actor): Promise<CredentialKey> {
    const credential = await this.find(idOrClientId, actor);
    const [key] = await readClientPublicKeys([publicKey]);
    const added = await this.store.credentials.addKey(
      credential.id,
      storedKey(key!),
      auditBy(actor, credential.accountId, 'credential.key_added', target(credential), {
        thumbprint: key!.thumbprint,
      }),
    );
    if (added === 'duplicate')
      throw new DomainError('conflict', 'this credential has this key already', 'publicKey');
    if (!added) throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    await this.afterWrite();
    return added;
  }

  /** Removes a public key, named by its id or thumbprint; its assertions fail from now on. */
  async removeKey(idOrClientId: string, keyId: string, actor: Actor): Promise<void> {
    const credential = await this.find(idOrClientId, actor);
    const removed = await this.store.credentials.removeKey(
      credential.id,
      keyId,
      auditBy(actor, credential.accountId, 'credential.key_removed', target(credential), { keyId }),
    );
    if (removed === 'last_usable') {
      throw new DomainError(
        'last_active_secret',
        'this is the only key and the credential has no usable secret: add another key or a secret first, or delete the credential',
      );
    }
    if (!removed) throw new DomainError('not_found', `no key ${keyId} on this credential`);
    await this.afterWrite();
  }

  /** Finds a credential by its id or its client ID; one a portal user may not see is not found. */
  async find(idOrClientId: string, actor: Actor): Promise<Credential> {
    if (actor.kind === 'user') requireLicence(actor.user);
    const credential =
      (await this.store.credentials.get(idOrClientId)) ??
      (await this.store.credentials.findByClientId(idOrClientId));
    if (!credential || (actor.kind === 'user' && !canSeeCredential(actor.user, credential))) {
      throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    }
    return credential;
  }

  /** The credentials a portal user may see; `mine` narrows an admin's view to their own. */
  async listFor(actor: Extract<Actor, { kind: 'user' }>, owner: 'all' | 'mine'): Promise<Credential[]> {
    requireLicence(actor.user);
    const all = await this.store.credentials.list(actor.user.accountId);
    return all.filter(
      (c) => canSeeCredential(actor.user, c) && (owner === 'all' || c.ownerUserId === actor.user.id),
    );
  }

  /**
   * Credentials of one account with their secrets, keys and owners' emails, in three queries
   * whatever their number. Reads only: the caller already holds credentials it may see.
   */
  async details(credentials: readonly Credential[]): Promise<CredentialDetails[]> {
    const accountId = credentials[0]?.accountId;
    if (accountId === undefined) return [];
    const ids = credentials.map((c) => c.id);
    const [secrets, keys, users] = await Promise.all([
      this.store.credentials.listSecrets(ids),
      this.store.credentials.listKeys(ids),
      this.store.users.list(accountId),
    ]);
    const emails = new Map(users.map((u) => [u.id, u.email]));
    return credentials.map((credential) => ({
      credential,
      secrets: secrets.filter((s) => s.credentialId === credential.id),
      keys: keys.filter((k) => k.credentialId === credential.id),
      ownerEmail: credential.ownerUserId === null ? null : (emails.get(credential.ownerUserId) ?? null),
    }));
  }

  async detailsOf(credential: Credential): Promise<CredentialDetails> {
    const [details] = await this.details([credential]);
    return details!;
  }

  async update(idOrClientId: string, changes: CredentialChanges, actor: Actor): Promise<Credential> {
    const current = await this.find(idOrClientId, actor);
    const patch: CredentialPatch = {};
    if (changes.name !== undefined) patch.name = validateCredentialName(changes.name);
    if (changes.scopes !== undefined || changes.addScopes?.length || changes.removeScopes?.length) {
      const base =
        changes.scopes !== undefined
          ? validateCredentialScopes(changes.scopes, this.catalogue, current.scopes)
          : [...current.scopes];
      const next = [...base, ...(changes.addScopes ?? [])].filter(
        (s) => !(changes.removeScopes ?? []).includes(s),
      );
      patch.scopes = validateCredentialScopes(next, this.catalogue, current.scopes);
      if (actor.kind === 'user') assertMayGrant(actor.user, this.catalogue, patch.scopes, current.scopes);
    }
    if (changes.disabled !== undefined) {
      if (typeof changes.disabled !== 'boolean') {
        throw new DomainError('validation_failed', 'disabled must be true or false', 'disabled');
      }
      patch.disabled = changes.disabled;
    }
    if (changes.expiresAt !== undefined) patch.expiresAt = validateDateTime(changes.expiresAt, 'expiresAt');
    if (changes.requireDpop !== undefined)
      patch.requireDpop = validateFlag(changes.requireDpop, 'requireDpop');
    if (changes.allowedCidrs !== undefined) patch.allowedCidrs = validateAddressRanges(changes.allowedCidrs);
    if (changes.tokenQuota !== undefined) patch.tokenQuota = validateTokenQuota(changes.tokenQuota);
    if (changes.callLimit !== undefined) patch.callLimit = validateCallLimit(changes.callLimit);
    if (changes.metadata !== undefined) patch.metadata = validateMetadata(changes.metadata);
    const updated = await this.store.credentials.update(
      current.id,
      patch,
      auditBy(actor, current.accountId, auditedAction(patch), target(current), describePatch(current, patch)),
    );
    if (!updated) throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    await this.afterWrite();
    return updated;
  }

  /**
   * Revokes every token the credential holds now, wherever it is checked (gateway, introspection),
   * within one poll interval on every instance; tokens issued from now on work. The credential and
   * its secrets stay as they are.
   */
  async revokeTokens(idOrClientId: string, actor: Actor): Promise<Credential> {
    const current = await this.find(idOrClientId, actor);
    const at = new Date().toISOString();
    const updated = await this.store.credentials.update(
      current.id,
      { tokensRevokedAt: at },
      auditBy(actor, current.accountId, 'credential.tokens_revoked', target(current), { before: at }),
    );
    if (!updated) throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    await this.afterWrite();
    return updated;
  }

  async delete(idOrClientId: string, actor: Actor): Promise<Credential> {
    const current = await this.find(idOrClientId, actor);
    await this.store.credentials.delete(
      current.id,
      auditBy(actor, current.accountId, 'credential.deleted', target(current), {
        clientId: current.clientId,
      }),
    );
    await this.afterWrite();
    return current;
  }

  async secrets(idOrClientId: string, actor: Actor): Promise<CredentialSecret[]> {
    const credential = await this.find(idOrClientId, actor);
    return this.store.credentials.listSecrets([credential.id]);
  }

  /**
   * Rotation, first half: a new secret that works alongside the old ones. With `expireOtherSecretsAt`
   * the old ones stop then; otherwise they work until revoked.
   */
  async addSecret(
    idOrClientId: string,
    options: { expireOtherSecretsAt?: unknown },
    actor: Actor,
  ): Promise<{ secret: CredentialSecret; clientSecret: string }> {
    const credential = await this.find(idOrClientId, actor);
    const expireOthersAt = validateDateTime(options.expireOtherSecretsAt ?? null, 'expireOtherSecretsAt', {
      future: true,
    });
    const clientSecret = generateClientSecret();
    const secret = await this.store.credentials.addSecret(
      credential.id,
      { hash: this.hasher.hash(clientSecret), hint: clientSecret.slice(0, 8) },
      expireOthersAt,
      auditBy(actor, credential.accountId, 'credential.secret_added', target(credential), {
        expireOtherSecretsAt: expireOthersAt,
      }),
    );
    if (!secret) throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    await this.afterWrite();
    return { secret, clientSecret };
  }

  async setSecretExpiry(
    idOrClientId: string,
    secretId: string,
    expiresAt: unknown,
    actor: Actor,
  ): Promise<CredentialSecret> {
    const credential = await this.find(idOrClientId, actor);
    // A past expiry would be a revocation that skips the last-usable-secret rule: revoke instead.
    const when = validateDateTime(expiresAt, 'expiresAt', { future: true });
    const secret = await this.store.credentials.setSecretExpiry(
      credential.id,
      secretId,
      when,
      auditBy(actor, credential.accountId, 'credential.secret_expiry_set', target(credential), {
        secretId,
        expiresAt: when,
      }),
    );
    if (!secret) throw new DomainError('not_found', `no usable secret ${secretId} on this credential`);
    await this.afterWrite();
    return secret;
  }

  /** Rotation, second half: the old secret stops working at once, on every instance. */
  async revokeSecret(idOrClientId: string, secretId: string, actor: Actor): Promise<void> {
    const credential = await this.find(idOrClientId, actor);
    const revoked = await this.store.credentials.revokeSecret(
      credential.id,
      secretId,
      auditBy(actor, credential.accountId, 'credential.secret_revoked', target(credential), { secretId }),
    );
    if (revoked === 'last_usable') {
      throw new DomainError(
        'last_active_secret',
        'this is the only usable secret: add a new secret first, or delete the credential',
      );
    }
    if (!revoked) throw new DomainError('not_found', `no usable secret ${secretId} on this credential`);
    await this.afterWrite();
  }
}

function target(credential: Credential) {
  return { type: 'credential', id: credential.id, name: credential.name };
}

function auditedAction(patch: CredentialPatch): AuditAction {
  const keys = Object.keys(patch);
  if (keys.length === 1 && patch.disabled !== undefined) {
    return patch.disabled ? 'credential.disabled' : 'credential.enabled';
  }
  return 'credential.updated';
}

/** What changed, in names and scopes only. */
function describePatch(current: Credential, patch: CredentialPatch): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  if (patch.name !== undefined && patch.name !== current.name) {
    details.name = { from: current.name, to: patch.name };
  }
  if (patch.scopes !== undefined) {
    const added = patch.scopes.filter((s) => !current.scopes.includes(s));
    const removed = current.scopes.filter((s) => !patch.scopes!.includes(s));
    if (added.length) details.scopesAdded = added;
    if (removed.length) details.scopesRemoved = removed;
  }
  if (patch.disabled !== undefined) details.disabled = patch.disabled;
  if (patch.expiresAt !== undefined) details.expiresAt = patch.expiresAt;
  if (patch.requireDpop !== undefined) details.requireDpop = patch.requireDpop;
  if (patch.allowedCidrs !== undefined) details.allowedCidrs = patch.allowedCidrs;
  if (patch.tokenQuota !== undefined) details.tokenQuota = patch.tokenQuota;
  if (patch.callLimit !== undefined) details.callLimit = patch.callLimit;
  if (patch.metadata !== undefined) details.metadata = patch.metadata;
  return details;
}
