import type {
  Account,
  ApiToken,
  AuditDraft,
  AuditEntry,
  CallLimit,
  Credential,
  CredentialKey,
  CredentialSecret,
  PortalSession,
  PortalUser,
  RevokedToken,
  RunningInstance,
  SigningKey,
  TokenQuota,
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
  readonly sessions: SessionRepository;
  readonly loginThrottle: LoginThrottle;
  readonly apiTokens: ApiTokenRepository;
  readonly audit: AuditLog;
  readonly usedProofs: UsedProofLog;
  readonly sharedKeys: SharedKeys;
  readonly instances: RunningInstances;
  readonly managed: ManagedObjects;
  /**
   * Runs `work` with a store whose every write is part of one database transaction: committed when
   * `work` resolves, rolled back (audit entries and change-log entries with it) when it throws.
   * Inside, each write keeps its own all-or-nothing step as a savepoint. Use only the store handed
   * to `work` until it returns: on SQLite the transaction holds the one connection.
   */
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /**
   * Applies pending migrations, all of them or up to and including `to`; refuses a store migrated
   * by a newer Keygate.
   */
  migrate(options?: { to?: string }): Promise<{ applied: string[] }>;
  /** The migrations this Keygate knows, in order. */
  migrationNames(): Promise<string[]>;
  /** True until a first migration has run: nothing of Keygate's is in the store yet. */
  isNew(): Promise<boolean>;
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
  create(input: { name: string; region: string; plan?: string | null }, audit?: Audit): Promise<Account>;
  /** Sets the rate-limit plan (null: the configured default); undefined when there is no such account. */
  setPlan(id: string, plan: string | null, audit?: Audit): Promise<Account | undefined>;
  get(id: string): Promise<Account | undefined>;
  findByName(name: string): Promise<Account | undefined>;
  list(): Promise<Account[]>;
  /**
   * Deletes an account that holds no user and no credential, with its managed mark; its audit log
   * stays. `not_empty` (and nothing changed) when it still holds some; false when there is none.
   */
  delete(id: string, audit?: Audit): Promise<boolean | 'not_empty'>;
}

/**
 * Write methods take an optional audit entry, appended in the same transaction as the change:
 * the log holds every change that happened and nothing that did not.
 */
export type Audit = AuditDraft | undefined;

/** What a login needs to decide, read in one query. */
export interface UserLoginRecord {
  user: PortalUser;
  passwordHash: string;
}

export interface UserRepository {
  create(
    input: { accountId: string; email: string; passwordHash: string; licence: Licence | null },
    audit?: Audit,
  ): Promise<PortalUser>;
  /** Undefined when there is no such user. */
  setLicence(id: string, licence: Licence | null, audit?: Audit): Promise<PortalUser | undefined>;
  get(id: string): Promise<PortalUser | undefined>;
  findForLogin(email: string): Promise<UserLoginRecord | undefined>;
  count(): Promise<number>;
  list(accountId: string): Promise<PortalUser[]>;
  /**
   * Deletes a user with their sessions, personal API tokens and managed mark; the credentials they
   * made stay, without an owner. False when there is no such user.
   */
  delete(id: string, audit?: Audit): Promise<boolean>;
}

export interface LoginThrottle {
  /**
   * Counts one login attempt for `key` before its password is checked, atomically, so parallel
   * guesses cannot slip past the limit. The first `freeAttempts` uncleared attempts go through at
   * once; from the `freeAttempts`th on, each attempt let through makes the next one wait: 1 s, then
   * twice as long each time, at most `maxDelaySeconds`. An attempt made while the key must wait is
   * refused and not counted; `attempts` counts the uncleared attempts, this one included.
   */
  charge(
    key: string,
    options: { freeAttempts: number; maxDelaySeconds: number; now: string },
  ): Promise<{ allowed: true; attempts: number } | { allowed: false; retryAt: string }>;
  /** A good login forgets the key's attempts. */
  clear(key: string): Promise<void>;
  /** Drops keys untouched since `before` and not waiting. */
  prune(before: string): Promise<number>;
}

export interface SessionRepository {
  /** Opens a session, with the login's audit entry in the same transaction. */
  create(idHash: string, session: PortalSession, audit?: Audit): Promise<void>;
  get(idHash: string): Promise<PortalSession | undefined>;
  touch(idHash: string, lastSeenAt: string): Promise<void>;
  delete(idHash: string, audit?: Audit): Promise<void>;
  deleteExpired(now: Date, idleBefore: Date): Promise<number>;
}

export interface ApiTokenRepository {
  create(token: ApiToken & { hash: Buffer }, audit?: Audit): Promise<void>;
  findByHash(hash: Buffer): Promise<ApiToken | undefined>;
  list(userId: string): Promise<ApiToken[]>;
  markUsed(id: string, at: string): Promise<void>;
  /** Returns false when the user has no such token. */
  delete(userId: string, id: string, audit?: Audit): Promise<boolean>;
}

export interface AuditLog {
  append(entry: AuditDraft): Promise<void>;
  /** Newest first; `before` is the ID of the last entry of the previous page. */
  list(accountId: string, options: { limit: number; before?: string }): Promise<AuditEntry[]>;
}

export interface NewCredential {
  accountId: string;
  name: string;
  scopes: readonly string[];
  ownerUserId: string | null;
  clientId: string;
  expiresAt: string | null;
  /** Absent for a credential that authenticates with keys only. */
  secret?: { hash: Buffer; hint: string };
  keys?: readonly NewCredentialKey[];
  requireDpop?: boolean;
  allowedCidrs?: readonly string[];
  tokenQuota?: TokenQuota | null;
  callLimit?: CallLimit | null;
  metadata?: Readonly<Record<string, string>>;
}

export interface NewCredentialKey {
  thumbprint: string;
  jwk: Readonly<Record<string, string>>;
  algorithms: readonly string[];
}

export interface CredentialPatch {
  name?: string;
  scopes?: readonly string[];
  disabled?: boolean;
  expiresAt?: string | null;
  /** Revokes every token issued before this moment (ISO 8601). */
  tokensRevokedAt?: string;
  requireDpop?: boolean;
  allowedCidrs?: readonly string[];
  tokenQuota?: TokenQuota | null;
  callLimit?: CallLimit | null;
  metadata?: Readonly<Record<string, string>>;
}

/** What the token endpoint needs to authenticate a client, read in one go. */
export interface CredentialWithSecrets {
  credential: Credential;
  secrets: CredentialSecret[];
  keys: CredentialKey[];
}

export interface CredentialRepository {
  create(
    input: NewCredential,
    audit?: Audit,
  ): Promise<{ credential: Credential; secret: CredentialSecret | undefined }>;
  get(id: string): Promise<Credential | undefined>;
  findByClientId(clientId: string): Promise<Credential | undefined>;
  findForAuthentication(clientId: string): Promise<CredentialWithSecrets | undefined>;
  list(accountId: string): Promise<Credential[]>;
  count(): Promise<number>;
  update(id: string, patch: CredentialPatch, audit?: Audit): Promise<Credential | undefined>;
  /** Returns false when there was nothing to delete. */
  delete(id: string, audit?: Audit): Promise<boolean>;
  /** Every secret of these credentials, revoked ones included, oldest first. */
  listSecrets(credentialIds: readonly string[]): Promise<CredentialSecret[]>;
  /**
   * Adds a secret; when `expireOthersAt` is given, the credential's other usable secrets that would
   * outlive it expire then.
   */
  addSecret(
    credentialId: string,
    secret: { hash: Buffer; hint: string },
    expireOthersAt: string | null,
    audit?: Audit,
  ): Promise<CredentialSecret | undefined>;
  /** Sets or clears one usable secret's expiry; undefined when the credential has no such secret. */
  setSecretExpiry(
    credentialId: string,
    secretId: string,
    expiresAt: string | null,
    audit?: Audit,
  ): Promise<CredentialSecret | undefined>;
  /**
   * Revokes one usable secret now; `last_usable` (and nothing changed) when it is the credential's
   * only usable secret; undefined when the credential has no such usable secret.
   */
  revokeSecret(
    credentialId: string,
    secretId: string,
    audit?: Audit,
  ): Promise<CredentialSecret | 'last_usable' | undefined>;
  /** Every public key of these credentials, oldest first. */
  listKeys(credentialIds: readonly string[]): Promise<CredentialKey[]>;
  /** Adds a key; `duplicate` when the credential has it already, undefined when there is no credential. */
  addKey(
    credentialId: string,
    key: NewCredentialKey,
    audit?: Audit,
  ): Promise<CredentialKey | 'duplicate' | undefined>;
  /**
   * Removes a key; false when the credential has no such key; `last_usable` (and nothing changed)
   * when it is the credential's last key and it has no usable secret.
   */
  removeKey(credentialId: string, keyId: string, audit?: Audit): Promise<boolean | 'last_usable'>;
}

/**
 * The IDs (`jti`) of one-time proofs already accepted, each once per owner until it expires: client
 * assertions (owner: the client ID) and DPoP proofs (owner: the key's thumbprint).
 */
export interface UsedProofLog {
  /** Records the ID and returns true, or returns false when it was used before. */
  use(owner: string, jti: string, expiresAt: string): Promise<boolean>;
  /** Whether the ID is recorded for `owner`, read without writing. */
  isUsed(owner: string, jti: string): Promise<boolean>;
  /** Drops at most `limit` IDs expired at `at`; returns how many. */
  pruneExpired(at: Date, limit: number): Promise<number>;
}

/** Keys that every instance shares, made by the first one that asks (shared_keys). */
export interface SharedKeys {
  /** The key called `name`: the stored one, or `create()`'s value, stored first by whichever instance asks first. */
  getOrCreate(name: string, create: () => string): Promise<string>;
}

/**
 * The processes that serve each region, as each last reported itself (every half minute): a
 * process starting compares its API documents with those of the others still reporting.
 */
export interface RunningInstances {
  /** Writes the instance's report, replacing its earlier one. */
  report(instance: RunningInstance): Promise<void>;
  /** Every instance whose last report is at or after `since`. */
  seenSince(since: Date): Promise<RunningInstance[]>;
  /** Forgets an instance that stops. */
  remove(id: string): Promise<void>;
  /** Forgets instances that stopped reporting before `before` (they ended without saying so); returns how many. */
  pruneSeenBefore(before: Date): Promise<number>;
}

/** The kinds of object a declarative configuration may delete (`apply --prune`). */
export type ManagedObjectType = 'credential' | 'user' | 'account';

/**
 * The objects a declarative configuration (`keygate apply`) made or took over, each by one manager:
 * the name of the file that manages it. Deleting a credential, user or account forgets its mark in
 * the same transaction.
 */
export interface ManagedObjects {
  /** The IDs of the objects of `type` that `manager` manages. */
  list(type: ManagedObjectType, manager: string): Promise<string[]>;
  /** Every managed object of `type`: its ID → its manager. */
  managers(type: ManagedObjectType): Promise<Map<string, string>>;
  /**
   * Marks an object as `manager`'s, in place of any other manager's, with `audit` in the same
   * transaction; marking it again for the same manager changes nothing.
   */
  mark(type: ManagedObjectType, id: string, manager: string, audit?: Audit): Promise<void>;
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
  /**
   * Puts `newNext` in place of the pre-published key `replacing`, which has never signed, in one
   * transaction; false, with nothing written, when `replacing` is no longer the next key (another
   * process replaced or activated it first).
   */
  replaceNext(input: {
    region: string;
    replacing: string;
    newNext: Omit<SigningKey, 'createdAt' | 'status' | 'activatedAt' | 'retireAfter' | 'region'>;
  }): Promise<boolean>;
}

/** How many revocations one client may hold, and what is audited when it goes past. */
export interface RevocationBound {
  /** Revocations of the client whose tokens have not expired, at most. */
  maxLivePerClient: number;
  /** The audit entry of the credential-wide revocation that takes their place. */
  audit: Audit;
}

export interface RevokedTokenRepository {
  /**
   * Revokes one token; idempotent. With a `bound`, a client already holding `maxLivePerClient`
   * live revocations has every token revoked instead, in one transaction: the credential's
   * `tokensRevokedAt` becomes now (with `bound.audit`) and its revocations, covered by it, are
   * dropped, so the table holds at most that many per client.
   */
  add(token: Omit<RevokedToken, 'revokedAt'>, bound?: RevocationBound): Promise<'revoked' | 'all_revoked'>;
  isRevoked(jti: string): Promise<boolean>;
  /** Revocations whose tokens have not yet expired (for caches). */
  listActive(now: Date): Promise<RevokedToken[]>;
  /** Drops at most `limit` revocations whose tokens expired by `now`; returns how many. */
  pruneExpired(now: Date, limit: number): Promise<number>;
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
  | 'credential.secrets_changed'
  | 'keys.rotated'
  | 'token.revoked';

export interface ChangeLog {
  latestSeq(): Promise<number>;
  since(seq: number, limit?: number): Promise<Change[]>;
  /** Drops at most `limit` of the oldest entries appended before `at`, never the newest one; returns how many. */
  pruneBefore(at: Date, limit: number): Promise<number>;
}

export interface UsageBatch {
  credentialLastUsed: ReadonlyMap<string, string>;
  secretLastUsed: ReadonlyMap<string, string>;
  keyLastUsed: ReadonlyMap<string, string>;
  daily: ReadonlyArray<{
    credentialId: string;
    day: string;
    scope: string;
    tokensIssued: number;
    apiCalls: number;
  }>;
  refusals: ReadonlyArray<{ credentialId: string; day: string; reason: RefusalReason; count: number }>;
}

/** Why a credential's policy refused it: from outside its address ranges, or over its token quota. */
export type RefusalReason = 'address' | 'token_quota';

export interface UsageRepository {
  /** Writes one batch of in-memory usage in one transaction. */
  record(batch: UsageBatch): Promise<void>;
  daily(
    credentialId: string,
  ): Promise<Array<{ day: string; scope: string; tokensIssued: number; apiCalls: number }>>;
  /** The credential's refusals by its policies, per day and reason. */
  refusals(credentialId: string): Promise<Array<{ day: string; reason: RefusalReason; count: number }>>;
}
