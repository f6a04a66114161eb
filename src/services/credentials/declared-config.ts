import { validateAddressRanges } from '../../core/address-ranges.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { type ClientPublicKey, readClientPublicKey } from '../../core/client-public-key.js';
import {
  validateCallLimit,
  validateCredentialName,
  validateCredentialScopes,
  validateDateTime,
  validateTokenQuota,
} from '../../core/credential-input.js';
import { validateMetadata } from '../../core/credential-metadata.js';
import { DomainError } from '../../core/domain-error.js';
import {
  type Account,
  type CallLimit,
  type Credential,
  type CredentialKey,
  isSecretUsable,
  type PortalUser,
  type TokenQuota,
} from '../../core/model.js';
import type { Licence } from '../../core/scopes.js';
import { generatePassword } from '../../crypto/password-hash.js';
import type { ManagedObjectType, Store } from '../../store/store.js';
import {
  createAccount,
  deleteAccount,
  setAccountPlan,
  validateAccountName,
  validatePlan,
  validateRegion,
} from './accounts.js';
import { auditBy, CLI_ACTOR } from './actor.js';
import type { OperatorCredentials } from './operator-credentials.js';
import { PortalUserService, parseLicence } from './portal-users.js';

/**
 * Declarative configuration (`keygate apply`, `diff`, `export`), as Kong's decK or a Keycloak realm
 * import: a file states the accounts, their portal users and their credentials; Keygate works out
 * what to create, change and delete, checks all of it before the first write, and writes only what
 * differs. Objects are named, not numbered: an account by its name, a user by email, a credential by
 * its account and name. Secrets are never in the file: those Keygate makes are handed back once.
 */

/** The file, after its JSON Schema (schemas/keygate-config.schema.json) has accepted it. */
export interface DeclaredConfig {
  version: 1;
  /** Whose marks `--prune` follows; absent: the file's own name (managerOfFile). */
  manager?: string;
  accounts?: DeclaredAccount[];
}

export interface DeclaredAccount {
  name: string;
  region?: string;
  /** Absent or null: the configured default plan. */
  plan?: string | null;
  users?: DeclaredUser[];
  credentials?: DeclaredCredential[];
}

export interface DeclaredUser {
  email: string;
  /** Absent: supervisor, as `keygate users create`. */
  licence?: 'admin' | 'supervisor' | 'none';
}

/** What is absent takes its default (no ranges, no quota, enabled …): the file is the whole truth. */
export interface DeclaredCredential {
  name: string;
  scopes: string[];
  /** PEM text (a public key or an X.509 certificate) or JWK objects; with any, no secret is made. */
  publicKeys?: Array<string | Record<string, unknown>>;
  allowedCidrs?: string[];
  tokenQuota?: TokenQuota | null;
  callLimit?: CallLimit | null;
  metadata?: Record<string, string>;
  requireDpop?: boolean;
  disabled?: boolean;
  expiresAt?: string | null;
}

/** Where in the file a value is: keys and list indexes from its root. */
export type FilePath = ReadonlyArray<string | number>;

export interface ConfigProblem {
  path: FilePath;
  message: string;
}

/** The file cannot be applied; nothing was written. */
export class ConfigProblems extends Error {
  override name = 'ConfigProblems';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

export type ChangeAction = 'create' | 'update' | 'delete';

/** One change `apply` would make, and how. */
export interface PlannedChange {
  action: ChangeAction;
  /** The account it belongs to (or is): `apply` writes each account's changes in one transaction. */
  account: string;
  type: 'account' | 'user' | 'credential';
  /** `Acme`, `ops@acme.example`, `Acme/Wallboard`. */
  name: string;
  /** What differs, one line each (`scopes: a b → a c`). */
  details: string[];
  run(context: RunContext): Promise<void>;
}

/** What `apply` made that exists nowhere else: each shown once. */
export interface HandedSecrets {
  credentials: Array<{ account: string; name: string; clientId: string; clientSecret: string | null }>;
  users: Array<{ account: string; email: string; password: string }>;
}

interface RunContext {
  /** The store inside the account's transaction, and the operator's credential use cases over it. */
  store: Store;
  credentials: OperatorCredentials;
  accountIds: Map<string, string>;
  secrets: HandedSecrets;
}

export interface DeclaredConfigOptions {
  store: Store;
  credentials: OperatorCredentials;
  /** The same use cases over another store: the one of an account's transaction. */
  credentialsOver(store: Store): OperatorCredentials;
  /** The region of an account whose entry names none. */
  defaultRegion: string;
  /** The configured rateLimitPlans. */
  plans: readonly string[];
  /** Whose marks `--prune` follows: the file's `manager`, or managerOfFile of its name. */
  manager: string;
}

/**
 * The manager of a file that declares none: its name without folder and extension, so that
 * `team-a.yaml` and `team-b.yaml` prune only their own objects wherever they are checked out.
 */
export function managerOfFile(file: string): string {
  const base = file
    .split(/[\\/]/)
    .at(-1)!
    .replace(/\.(ya?ml|json)$/i, '');
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name.slice(0, 100) || 'keygate';
}

interface DesiredCredential {
  path: FilePath;
  name: string;
  scopes: string[];
  keys: ClientPublicKey[];
  allowedCidrs: string[];
  tokenQuota: TokenQuota | null;
  callLimit: CallLimit | null;
  metadata: Record<string, string>;
  requireDpop: boolean;
  disabled: boolean;
  expiresAt: string | null;
}

/**
 * The changes that make the store what `config` declares; deletions (of managed credentials the file
 * no longer names) only with `prune`. Reads only. Throws ConfigProblems listing every problem found,
 * so a file is fixed in one go.
 */
export async function planChanges(
  options: DeclaredConfigOptions,
  config: DeclaredConfig,
  { prune, notes = [] }: { prune: boolean; notes?: string[] },
): Promise<PlannedChange[]> {
  const { store } = options;
  const problems: ConfigProblem[] = [];
  const check = <T>(path: FilePath, work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      problems.push({ path, message: error.message });
      return undefined;
    }
  };
  const changes: PlannedChange[] = [];
  const managed = await store.managed.managers('credential');
  const managedUsers = await store.managed.managers('user');
  const managedAccounts = await store.managed.managers('account');
  const mine = (marks: Map<string, string>, id: string) => marks.get(id) === options.manager;
  const declaredEmails = new Map<string, string>();
  const seenAccounts = new Set<string>();

  for (const [a, declared] of (config.accounts ?? []).entries()) {
    const at: FilePath = ['accounts', a];
    const name = check([...at, 'name'], () => validateAccountName(declared.name));
    const region = check([...at, 'region'], () => validateRegion(declared.region ?? options.defaultRegion));
    const plan = check([...at, 'plan'], () => validatePlan(declared.plan ?? null, options.plans));
    if (name === undefined) continue;
    if (seenAccounts.has(name)) {
      problems.push({ path: [...at, 'name'], message: `account ${name} is declared twice` });
      continue;
    }
    seenAccounts.add(name);
    const account = await store.accounts.findByName(name);
    if (!account && region !== undefined && plan !== undefined) {
      changes.push({
        action: 'create',
        account: name,
        type: 'account',
        name,
        details: [`region: ${region}`, `plan: ${plan ?? 'default'}`],
        async run(context) {
          const created = await createAccount(context.store, { name, region, plan });
          await context.store.managed.mark('account', created.id, options.manager);
          context.accountIds.set(name, created.id);
        },
      });
    }
    if (account && region !== undefined && account.region !== region) {
      problems.push({
        path: [...at, 'region'],
        message: `account ${name} is in ${account.region}: an account cannot move to another region`,
      });
    }
    // An account made by hand is taken over; one of another file stays that file's: several files
    // may each declare their own users and credentials in one account.
    const adopt = account !== undefined && !managedAccounts.has(account.id);
    const replan = account !== undefined && plan !== undefined && account.plan !== plan;
    if (account && (adopt || replan)) {
      changes.push({
        action: 'update',
        account: name,
        type: 'account',
        name,
        details: [
          ...(replan ? [`plan: ${account.plan ?? 'default'} → ${plan ?? 'default'}`] : []),
          ...(adopt ? [`managed by ${options.manager} from now on (made by hand)`] : []),
        ],
        run: async (context) => {
          if (replan) await setAccountPlan(context.store, account, plan ?? null);
          if (adopt) await takeOver(context, options, 'account', account.id, account.id, name, undefined);
        },
      });
    }
    const users = await planUsers(
      options,
      account,
      name,
      declared.users ?? [],
      at,
      declaredEmails,
      managedUsers,
      problems,
      changes,
    );
    await planCredentials(options, account, name, declared.credentials ?? [], at, managed, check, problems, {
      changes,
      prune,
    });
    if (prune && account) {
      for (const user of await store.users.list(account.id)) {
        if (!users.has(user.email) && mine(managedUsers, user.id)) changes.push(userDeletion(name, user));
      }
    }
  }

  if (problems.length > 0) throw new ConfigProblems(problems);
  if (prune) {
    // What this file marked in accounts it does not name at all is the file's to delete too, and
    // such an account itself when it is the file's and nothing of anyone else's is left in it.
    for (const account of await store.accounts.list()) {
      if (seenAccounts.has(account.name)) continue;
      let kept = 0;
      for (const credential of await store.credentials.list(account.id)) {
        if (mine(managed, credential.id)) changes.push(deletion(account.name, credential));
        else kept += 1;
      }
      for (const user of await store.users.list(account.id)) {
        if (mine(managedUsers, user.id)) changes.push(userDeletion(account.name, user));
        else kept += 1;
      }
      if (!mine(managedAccounts, account.id)) continue;
      if (kept === 0) changes.push(accountDeletion(account));
      else
        notes.push(
          `account ${account.name} is kept: ${kept} of its users and credentials are not ${options.manager}'s`,
        );
    }
  }
  return changes;
}

async function planUsers(
  options: DeclaredConfigOptions,
  account: Account | undefined,
  accountName: string,
  users: DeclaredUser[],
  at: FilePath,
  declaredEmails: Map<string, string>,
  managed: Map<string, string>,
  problems: ConfigProblem[],
  changes: PlannedChange[],
): Promise<Set<string>> {
  const { store } = options;
  const emails = new Set<string>();
  for (const [u, declared] of users.entries()) {
    const path: FilePath = [...at, 'users', u];
    const email = declared.email.trim().toLowerCase();
    let licence: Licence | null;
    try {
      licence = parseLicence(declared.licence ?? 'supervisor');
    } catch (error) {
      problems.push({ path: [...path, 'licence'], message: (error as Error).message });
      continue;
    }
    if (declaredEmails.has(email)) {
      problems.push({ path: [...path, 'email'], message: `user ${email} is declared twice` });
      continue;
    }
    declaredEmails.set(email, accountName);
    emails.add(email);
    const found = await store.users.findForLogin(email);
    if (found && found.user.accountId !== account?.id) {
      problems.push({
        path: [...path, 'email'],
        message: `a user with email ${email} exists in another account; a user cannot move between accounts`,
      });
      continue;
    }
    if (!found) {
      changes.push({
        action: 'create',
        account: accountName,
        type: 'user',
        name: email,
        details: [`account: ${accountName}`, `licence: ${licence ?? 'none'}`],
        async run(context) {
          // Invited as `keygate users create` does: a generated password, handed over once.
          const password = generatePassword();
          const user = await new PortalUserService(context.store).create({
            accountId: accountIdOf(context, accountName, account),
            email,
            password,
            licence: licence ?? 'none',
          });
          await context.store.managed.mark('user', user.id, options.manager);
          context.secrets.users.push({ account: accountName, email, password });
        },
      });
      continue;
    }
    const user: PortalUser = found.user;
    const relicence = user.licence !== licence;
    const manager = managed.get(user.id);
    const adopt = manager !== options.manager;
    if (!relicence && !adopt) continue;
    changes.push({
      action: 'update',
      account: accountName,
      type: 'user',
      name: email,
      details: [
        ...(relicence ? [`licence: ${user.licence ?? 'none'} → ${licence ?? 'none'}`] : []),
        ...(adopt ? [takeOverDetail(options, manager)] : []),
      ],
      run: async (context) => {
        if (relicence) await new PortalUserService(context.store).setLicence(user, licence ?? 'none');
        if (adopt) await takeOver(context, options, 'user', user.id, user.accountId, email, manager);
      },
    });
  }
  return emails;
}

function takeOverDetail(options: DeclaredConfigOptions, manager: string | undefined): string {
  return `managed by ${options.manager} from now on (${manager === undefined ? 'made by hand' : `was ${manager}'s`})`;
}

/** Marks an object as the file's, audited as the operator's: from now on its `--prune` may delete it. */
async function takeOver(
  context: RunContext,
  options: DeclaredConfigOptions,
  type: ManagedObjectType,
  id: string,
  accountId: string,
  name: string,
  from: string | undefined,
): Promise<void> {
  await context.store.managed.mark(
    type,
    id,
    options.manager,
    auditBy(
      CLI_ACTOR,
      accountId,
      'apply.took_over',
      { type, id, name },
      { manager: options.manager, from: from ?? null },
    ),
  );
}

async function planCredentials(
  options: DeclaredConfigOptions,
  account: Account | undefined,
  accountName: string,
  declaredList: DeclaredCredential[],
  at: FilePath,
  managed: Map<string, string>,
  check: <T>(path: FilePath, work: () => T) => T | undefined,
  problems: ConfigProblem[],
  { changes, prune }: { changes: PlannedChange[]; prune: boolean },
): Promise<void> {
  const { store, credentials: service } = options;
  const existing = account ? await store.credentials.list(account.id) : [];
  const keys = account ? await store.credentials.listKeys(existing.map((c) => c.id)) : [];
  const seen = new Set<string>();
  for (const [c, declared] of declaredList.entries()) {
    const path: FilePath = [...at, 'credentials', c];
    const name = check([...path, 'name'], () => validateCredentialName(declared.name));
    if (name === undefined) continue;
    if (seen.has(name)) {
      problems.push({
        path: [...path, 'name'],
        message: `credential ${accountName}/${name} is declared twice`,
      });
      continue;
    }
    seen.add(name);
    const matching = existing.filter((e) => e.name === name);
    if (matching.length > 1) {
      problems.push({
        path: [...path, 'name'],
        message: `account ${accountName} has ${matching.length} credentials named ${name}: rename all but one first`,
      });
      continue;
    }
    const current = matching[0];
    const desired = await desiredCredential(service.catalogue, declared, path, current, check);
    if (!desired) continue;
    if (!current) {
      changes.push(creation(options, accountName, account, desired));
      continue;
    }
    const currentKeys = keys.filter((k) => k.credentialId === current.id);
    if (desired.keys.length === 0 && currentKeys.length > 0) {
      const secrets = await store.credentials.listSecrets([current.id]);
      if (!secrets.some((s) => isSecretUsable(s, new Date()))) {
        problems.push({
          path: [...path, 'publicKeys'],
          message: `credential ${accountName}/${name} has no secret, so it needs at least one public key`,
        });
        continue;
      }
    }
    const update = updateOf(
      options,
      accountName,
      `${accountName}/${name}`,
      current,
      currentKeys,
      desired,
      managed,
    );
    if (update) changes.push(update);
  }
  if (prune && account) {
    for (const credential of existing) {
      if (!seen.has(credential.name) && managed.get(credential.id) === options.manager)
        changes.push(deletion(accountName, credential));
    }
  }
}

/** The declared credential as the store would keep it, checked as the services check it. */
async function desiredCredential(
  catalogue: OperatorCredentials['catalogue'],
  declared: DeclaredCredential,
  path: FilePath,
  current: Credential | undefined,
  check: <T>(path: FilePath, work: () => T) => T | undefined,
): Promise<DesiredCredential | undefined> {
  let valid = true;
  const held = current?.scopes ?? [];
  // Each scope on its own first, so the problem points at the line of the unknown one.
  for (const [s, scope] of declared.scopes.entries()) {
    if (check([...path, 'scopes', s], () => validateCredentialScopes([scope], catalogue, held)) === undefined)
      valid = false;
  }
  const scopes = valid
    ? check([...path, 'scopes'], () => validateCredentialScopes(declared.scopes, catalogue, held))
    : undefined;
  const keys: ClientPublicKey[] = [];
  for (const [k, key] of (declared.publicKeys ?? []).entries()) {
    try {
      keys.push(await readClientPublicKey(key));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      check([...path, 'publicKeys', k], () => {
        throw error;
      });
      valid = false;
    }
  }
  const allowedCidrs = check([...path, 'allowedCidrs'], () =>
    validateAddressRanges(declared.allowedCidrs ?? []),
  );
  const tokenQuota = check([...path, 'tokenQuota'], () => validateTokenQuota(declared.tokenQuota ?? null));
  const callLimit = check([...path, 'callLimit'], () => validateCallLimit(declared.callLimit ?? null));
  const metadata = check([...path, 'metadata'], () => validateMetadata(declared.metadata ?? {}));
  const expiresAt = check([...path, 'expiresAt'], () =>
    validateDateTime(declared.expiresAt ?? null, 'expiresAt'),
  );
  if (
    !valid ||
    scopes === undefined ||
    allowedCidrs === undefined ||
    tokenQuota === undefined ||
    callLimit === undefined ||
    metadata === undefined ||
    expiresAt === undefined
  )
    return undefined;
  return {
    path,
    name: declared.name.trim(),
    scopes,
    keys,
    allowedCidrs,
    tokenQuota,
    callLimit,
    metadata,
    requireDpop: declared.requireDpop ?? false,
    disabled: declared.disabled ?? false,
    expiresAt,
  };
}

function creation(
  options: DeclaredConfigOptions,
  accountName: string,
  account: Account | undefined,
  desired: DesiredCredential,
): PlannedChange {
  const input = {
    name: desired.name,
    scopes: desired.scopes,
    expiresAt: desired.expiresAt,
    requireDpop: desired.requireDpop,
    allowedCidrs: desired.allowedCidrs,
    tokenQuota: desired.tokenQuota,
    callLimit: desired.callLimit,
    metadata: desired.metadata,
  };
  const fields = describeCredential(desired);
  return {
    action: 'create',
    account: accountName,
    type: 'credential',
    name: `${accountName}/${desired.name}`,
    details: [...fields, desired.keys.length > 0 ? 'authenticates with its keys: no secret' : 'a new secret'],
    async run(context) {
      const accountId = accountIdOf(context, accountName, account);
      let made: Credential;
      if (desired.keys.length > 0) {
        const { credential } = await context.credentials.createWithKeys({
          ...input,
          accountId,
          publicKeys: desired.keys.map((k) => k.jwk),
        });
        made = credential;
        context.secrets.credentials.push({
          account: accountName,
          name: made.name,
          clientId: made.clientId,
          clientSecret: null,
        });
      } else {
        const { credential, clientSecret } = await context.credentials.create({ ...input, accountId });
        made = credential;
        context.secrets.credentials.push({
          account: accountName,
          name: made.name,
          clientId: made.clientId,
          clientSecret,
        });
      }
      if (desired.disabled) await context.credentials.update(made.id, { disabled: true });
      await context.store.managed.mark('credential', made.id, options.manager);
    },
  };
}

function updateOf(
  options: DeclaredConfigOptions,
  accountName: string,
  name: string,
  current: Credential,
  currentKeys: CredentialKey[],
  desired: DesiredCredential,
  managed: Map<string, string>,
): PlannedChange | undefined {
  const details: string[] = [];
  const changes: Parameters<OperatorCredentials['update']>[1] = {};
  const differs = (field: string, from: unknown, to: unknown, set: () => void) => {
    if (canonicalJson(from) === canonicalJson(to)) return;
    details.push(`${field}: ${show(from)} → ${show(to)}`);
    set();
  };
  differs('scopes', [...current.scopes].sort(), [...desired.scopes].sort(), () => {
    changes.scopes = desired.scopes;
  });
  differs('allowedCidrs', [...current.allowedCidrs].sort(), [...desired.allowedCidrs].sort(), () => {
    changes.allowedCidrs = desired.allowedCidrs;
  });
  // Fields compared and given as they are: the same value in the store and in the file.
  for (const field of [
    'tokenQuota',
    'callLimit',
    'metadata',
    'requireDpop',
    'disabled',
    'expiresAt',
  ] as const) {
    differs(field, current[field], desired[field], () => Object.assign(changes, { [field]: desired[field] }));
  }
  const have = new Set(currentKeys.map((k) => k.thumbprint));
  const want = new Set(desired.keys.map((k) => k.thumbprint));
  const adding = desired.keys.filter((k) => !have.has(k.thumbprint));
  const removing = currentKeys.filter((k) => !want.has(k.thumbprint));
  for (const key of adding) details.push(`key added: ${key.thumbprint}`);
  for (const key of removing) details.push(`key removed: ${key.thumbprint}`);
  const manager = managed.get(current.id);
  const adopt = manager !== options.manager;
  if (adopt) details.push(takeOverDetail(options, manager));
  if (details.length === 0) return undefined;
  return {
    action: 'update',
    account: accountName,
    type: 'credential',
    name,
    details,
    async run(context) {
      if (Object.keys(changes).length > 0) await context.credentials.update(current.id, changes);
      // Added before removed: a credential without a secret must never be left without a key.
      for (const key of adding) await context.credentials.addKey(current.id, key.jwk);
      for (const key of removing) await context.credentials.removeKey(current.id, key.id);
      if (adopt)
        await takeOver(context, options, 'credential', current.id, current.accountId, current.name, manager);
    },
  };
}

function deletion(accountName: string, credential: Credential): PlannedChange {
  return {
    action: 'delete',
    account: accountName,
    type: 'credential',
    name: `${accountName}/${credential.name}`,
    details: [`client ID: ${credential.clientId}`],
    run: async (context) => {
      await context.credentials.delete(credential.id);
    },
  };
}

function userDeletion(accountName: string, user: PortalUser): PlannedChange {
  return {
    action: 'delete',
    account: accountName,
    type: 'user',
    name: user.email,
    details: [`account: ${accountName}`, 'with their sessions and personal API tokens'],
    run: async (context) => {
      await new PortalUserService(context.store).delete(user);
    },
  };
}

/** Planned after the deletions of everything in it: the account is empty by then, or stays. */
function accountDeletion(account: Account): PlannedChange {
  return {
    action: 'delete',
    account: account.name,
    type: 'account',
    name: account.name,
    details: [`region: ${account.region}`, 'its audit log stays in the store'],
    run: async (context) => {
      await deleteAccount(context.store, account);
    },
  };
}

function accountIdOf(context: RunContext, name: string, account: Account | undefined): string {
  const id = account?.id ?? context.accountIds.get(name);
  if (id === undefined) throw new Error(`account ${name} was not created`);
  return id;
}

function describeCredential(desired: DesiredCredential): string[] {
  const lines = [`scopes: ${show(desired.scopes)}`];
  if (desired.allowedCidrs.length) lines.push(`allowedCidrs: ${show(desired.allowedCidrs)}`);
  if (desired.tokenQuota) lines.push(`tokenQuota: ${show(desired.tokenQuota)}`);
  if (desired.callLimit) lines.push(`callLimit: ${show(desired.callLimit)}`);
  if (Object.keys(desired.metadata).length) lines.push(`metadata: ${show(desired.metadata)}`);
  if (desired.requireDpop) lines.push('requireDpop: true');
  if (desired.disabled) lines.push('disabled: true');
  if (desired.expiresAt) lines.push(`expiresAt: ${desired.expiresAt}`);
  for (const key of desired.keys) lines.push(`key: ${key.thumbprint}`);
  return lines;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length ? value.join(' ') : '(none)';
  if (typeof value === 'object') return canonicalJson(value);
  return String(value);
}

/** A write of one account's changes failed: that account was left as it was. */
export class AccountNotApplied extends Error {
  override name = 'AccountNotApplied';
  constructor(
    readonly account: string,
    cause: unknown,
  ) {
    super(
      `account ${account} was left as it was: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Runs planned changes in order, each account's in one transaction: a failed write rolls back every
 * change of its account, audit entries included, and stops there (accounts before it stay applied)
 * with AccountNotApplied. `onDone` hears of each change, and `secrets` gets what was made, once its
 * account is committed: a secret of a rolled-back credential is no secret of anything.
 */
export async function runChanges(
  options: DeclaredConfigOptions,
  changes: readonly PlannedChange[],
  secrets: HandedSecrets,
  onDone: (change: PlannedChange) => void = () => {},
): Promise<void> {
  const accountIds = new Map<string, string>();
  for (const group of byAccount(changes)) {
    const made: HandedSecrets = { credentials: [], users: [] };
    try {
      await options.store.transaction(async (store) => {
        const context: RunContext = {
          store,
          credentials: options.credentialsOver(store),
          accountIds,
          secrets: made,
        };
        for (const change of group) await change.run(context);
      });
    } catch (error) {
      throw new AccountNotApplied(group[0]!.account, error);
    }
    secrets.credentials.push(...made.credentials);
    secrets.users.push(...made.users);
    for (const change of group) onDone(change);
  }
}

/** The changes in runs of one account each, in their order. */
function byAccount(changes: readonly PlannedChange[]): PlannedChange[][] {
  const groups: PlannedChange[][] = [];
  for (const change of changes) {
    const last = groups.at(-1);
    if (last && last[0]!.account === change.account) last.push(change);
    else groups.push([change]);
  }
  return groups;
}

/** The store as a file `apply` takes: every account, user and credential, never a secret. */
export async function exportConfig(store: Store): Promise<DeclaredConfig> {
  const accounts: DeclaredAccount[] = [];
  for (const account of await store.accounts.list()) {
    const credentials = await store.credentials.list(account.id);
    const keys = await store.credentials.listKeys(credentials.map((c) => c.id));
    const users = await store.users.list(account.id);
    accounts.push({
      name: account.name,
      region: account.region,
      ...(account.plan !== null && { plan: account.plan }),
      ...(users.length > 0 && {
        users: users.map((u) => ({ email: u.email, licence: u.licence ?? 'none' })),
      }),
      ...(credentials.length > 0 && {
        credentials: credentials.map((c) =>
          exportedCredential(
            c,
            keys.filter((k) => k.credentialId === c.id),
          ),
        ),
      }),
    });
  }
  return { version: 1, accounts };
}

function exportedCredential(c: Credential, keys: CredentialKey[]): DeclaredCredential {
  return {
    name: c.name,
    scopes: [...c.scopes],
    ...(keys.length > 0 && { publicKeys: keys.map((k) => ({ ...k.jwk })) }),
    ...(c.allowedCidrs.length > 0 && { allowedCidrs: [...c.allowedCidrs] }),
    ...(c.tokenQuota && { tokenQuota: { ...c.tokenQuota } }),
    ...(c.callLimit && { callLimit: { ...c.callLimit } }),
    ...(Object.keys(c.metadata).length > 0 && { metadata: { ...c.metadata } }),
    ...(c.requireDpop && { requireDpop: true }),
    ...(c.disabled && { disabled: true }),
    ...(c.expiresAt && { expiresAt: c.expiresAt }),
  };
}
