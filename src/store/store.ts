import type {
  Account,
  Credential,
  CredentialSecret,
  PortalUser,
  RevokedToken,
  SigningKey,
} from '../core/model.js';
import type { Licence } from '../core/scopes.js';

export type SqlDialectName = 'sqlite' | 'postgres';

/**
 * The store: one interface composed of small per-domain parts. Every adapter (embedded SQLite,
 * PostgreSQL) passes the same contract suite (test/store). Every write is one transaction and
 * appends to the change log in that transaction, so other processes see it or nothing.
 */
export interface Store {
  readonly dialect: SqlDialectName;
  readonly accounts: AccountRepository;
  readonly users: UserRepository;
  readonly credentials: CredentialRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly revokedTokens: RevokedTokenRepository;
  readonly changes: ChangeLog;
  readonly usage: UsageRepository;
  /** Applies pending migrations; refuses a store migrated by a newer Keygate. */
  migrate(): Promise<{ applied: string[] }>;
  /**
   * Calls `onChange` soon after any process appends to the change log, where the database can
   * push (PostgreSQL LISTEN/NOTIFY); undefined where it cannot, and readers rely on polling.
   */
  watchChanges?(onChange: () => void): Promise<() => Promise<void>>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface AccountRepository {
  create(input: { name: string; region: string; plan?: string | null }): Promise<Account>;
  get(id: string): Promise<Account | undefined>;
  findByName(name: string): Promise<Account | undefined>;
  list(): Promise<Account[]>;
}

export interface UserRepository {
  create(input: {
    accountId: string;
    email: string;
    passwordHash: string;
    licence: Licence | null;
  }): Promise<PortalUser>;
  count(): Promise<number>;
  list(accountId: string): Promise<PortalUser[]>;
}

export interface NewCredential {
  accountId: string;
  name: string;
  scopes: readonly string[];
  ownerUserId: string | null;
  clientId: string;
  expiresAt: string | null;
  secret: { hash: Buffer; hint: string };
}

export interface CredentialPatch {
  name?: string;
  scopes?: readonly string[];
  disabled?: boolean;
  expiresAt?: string | null;
}

/** What the token endpoint needs to authenticate a client, read in one go. */
export interface CredentialWithSecrets {
  credential: Credential;
  secrets: CredentialSecret[];
}

export interface CredentialRepository {
  create(input: NewCredential): Promise<{ credential: Credential; secret: CredentialSecret }>;
  get(id: string): Promise<Credential | undefined>;
  findByClientId(clientId: string): Promise<Credential | undefined>;
  findForAuthentication(clientId: string): Promise<CredentialWithSecrets | undefined>;
  list(accountId: string): Promise<Credential[]>;
  count(): Promise<number>;
  update(id: string, patch: CredentialPatch): Promise<Credential | undefined>;
  /** Returns false when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
}

/** Signing keys belong to a region: each region has its own issuer and keys, even in one store. */
export interface SigningKeyRepository {
  list(region: string): Promise<SigningKey[]>;
  /** Gives keys written before keys had regions to `region`; returns how many. */
  claimUnassigned(region: string): Promise<number>;
  insert(key: Omit<SigningKey, 'createdAt'> & { createdAt?: string }): Promise<void>;
  /**
   * Rotation in one transaction: `next` becomes `active`, the old `active` becomes `retired` until
   * `retireAfter`, `newNext` is pre-published, and expired retired keys are dropped.
   */
  rotate(input: {
    region: string;
    newNext: Omit<SigningKey, 'createdAt' | 'status' | 'activatedAt' | 'retireAfter' | 'region'>;
    retireAfter: string;
  }): Promise<void>;
}

export interface RevokedTokenRepository {
  /** Idempotent. */
  add(token: Omit<RevokedToken, 'revokedAt'>): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
  /** Revocations whose tokens have not yet expired (for caches). */
  listActive(now: Date): Promise<RevokedToken[]>;
  pruneExpired(now: Date): Promise<number>;
}

export interface Change {
  seq: number;
  topic: ChangeTopic;
  /** The changed record: a client ID, a key ID or a token ID. */
  ref: string;
}

export type ChangeTopic =
  | 'credential.created'
  | 'credential.updated'
  | 'credential.deleted'
  | 'keys.rotated'
  | 'token.revoked';

export interface ChangeLog {
  latestSeq(): Promise<number>;
  since(seq: number, limit?: number): Promise<Change[]>;
}

export interface UsageBatch {
  credentialLastUsed: ReadonlyMap<string, string>;
  secretLastUsed: ReadonlyMap<string, string>;
  daily: ReadonlyArray<{
    credentialId: string;
    day: string;
    scope: string;
    tokensIssued: number;
    apiCalls: number;
  }>;
}

export interface UsageRepository {
  /** Writes one batch of in-memory usage in one transaction. */
  record(batch: UsageBatch): Promise<void>;
  daily(
    credentialId: string,
  ): Promise<Array<{ day: string; scope: string; tokensIssued: number; apiCalls: number }>>;
}
