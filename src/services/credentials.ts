import { type ClientSecretHasher, generateClientSecret } from '../core/client-secret.js';
import { validateCredentialName, validateCredentialScopes } from '../core/credential-input.js';
import { DomainError } from '../core/domain-error.js';
import { generateClientId } from '../core/identifiers.js';
import type { Credential } from '../core/model.js';
import type { CredentialPatch, Store } from '../store/store.js';

export interface CreateCredentialInput {
  accountId: string;
  name: unknown;
  scopes: unknown;
  ownerUserId?: string | null;
  expiresAt?: string | null;
}

export interface CreatedCredential {
  credential: Credential;
  /** Shown once, here; only its keyed hash is stored. */
  clientSecret: string;
}

/** Use cases on API credentials, shared by the CLI and the admin API. */
export class CredentialService {
  constructor(
    private readonly store: Store,
    private readonly hasher: ClientSecretHasher,
    /** Called after each write, so this process's caches see it at once rather than at the next poll. */
    private readonly afterWrite: () => Promise<void> = async () => {},
  ) {}

  async create(input: CreateCredentialInput): Promise<CreatedCredential> {
    const name = validateCredentialName(input.name);
    const scopes = validateCredentialScopes(input.scopes);
    const expiresAt = validateExpiry(input.expiresAt ?? null);
    if (!(await this.store.accounts.get(input.accountId))) {
      throw new DomainError('not_found', `no account with id ${input.accountId}`, 'account');
    }
    const clientSecret = generateClientSecret();
    const { credential } = await this.store.credentials.create({
      accountId: input.accountId,
      name,
      scopes,
      ownerUserId: input.ownerUserId ?? null,
      clientId: generateClientId(),
      expiresAt,
      secret: { hash: this.hasher.hash(clientSecret), hint: clientSecret.slice(0, 8) },
    });
    await this.afterWrite();
    return { credential, clientSecret };
  }

  /** Finds a credential by its id or its client ID. */
  async find(idOrClientId: string): Promise<Credential> {
    const credential =
      (await this.store.credentials.get(idOrClientId)) ??
      (await this.store.credentials.findByClientId(idOrClientId));
    if (!credential) throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    return credential;
  }

  async update(
    idOrClientId: string,
    changes: {
      name?: unknown;
      scopes?: unknown;
      addScopes?: string[];
      removeScopes?: string[];
      disabled?: boolean;
      expiresAt?: string | null;
    },
  ): Promise<Credential> {
    const current = await this.find(idOrClientId);
    const patch: CredentialPatch = {};
    if (changes.name !== undefined) patch.name = validateCredentialName(changes.name);
    if (changes.scopes !== undefined || changes.addScopes?.length || changes.removeScopes?.length) {
      const base =
        changes.scopes !== undefined ? validateCredentialScopes(changes.scopes) : [...current.scopes];
      const next = [...base, ...(changes.addScopes ?? [])].filter(
        (s) => !(changes.removeScopes ?? []).includes(s),
      );
      patch.scopes = validateCredentialScopes(next);
    }
    if (changes.disabled !== undefined) patch.disabled = changes.disabled;
    if (changes.expiresAt !== undefined) patch.expiresAt = validateExpiry(changes.expiresAt);
    const updated = await this.store.credentials.update(current.id, patch);
    if (!updated) throw new DomainError('not_found', `no credential with id or client ID ${idOrClientId}`);
    await this.afterWrite();
    return updated;
  }

  async delete(idOrClientId: string): Promise<Credential> {
    const current = await this.find(idOrClientId);
    await this.store.credentials.delete(current.id);
    await this.afterWrite();
    return current;
  }
}

function validateExpiry(value: string | null): string | null {
  if (value === null) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new DomainError('validation_failed', 'expires_at must be an ISO 8601 date-time', 'expires_at');
  return new Date(time).toISOString();
}
