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
import type { Store } from '../../store/store.js';
import {
  createAccount,
  setAccountPlan,
  validateAccountName,
  validatePlan,
  validateRegion,
} from './accounts.js';
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
  accountIds: Map<string, string>;
  secrets: HandedSecrets;
}

export interface DeclaredConfigOptions {
  store: Store;
  credentials: OperatorCredentials;
  /** The region of an account whose entry names none. */
  defaultRegion: string;
  /** The configured rateLimitPlans. */
  plans: readonly string[];
  /** Whose marks `--prune` follows. */
  manager: string;
}

export const DEFAULT_MANAGER = 'keygate-apply';

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
  { prune }: { prune: boolean },
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
  const managed = new Set(await store.managed.list('credential', options.manager));
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
        type: 'account',
        name,
        details: [`region: ${region}`, `plan: ${plan ?? 'default'}`],
        async run(context) {
          const created = await createAccount(store, { name, region, plan });
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
    if (account && plan !== undefined && account.plan !== plan) {
      changes.push({
        action: 'update',
        type: 'account',
        name,
        details: [`plan: ${account.plan ?? 'default'} → ${plan ?? 'default'}`],
        run: async () => {
          await setAccountPlan(store, account, plan);
        },
      });
    }
    await planUsers(options, account, name, declared.users ?? [], at, declaredEmails, problems, changes);
    await planCredentials(options, account, name, declared.credentials ?? [], at, managed, check, problems, {
      changes,
      prune,
    });
  }

  if (problems.length > 0) throw new ConfigProblems(problems);
  if (prune) {
    // Managed credentials of accounts the file does not name at all are the file's to delete too.
    for (const account of await store.accounts.list()) {
      if (seenAccounts.has(account.name)) continue;
      for (const credential of await store.credentials.list(account.id)) {
        if (managed.has(credential.id)) changes.push(deletion(options, account.name, credential));
      }
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
  problems: ConfigProblem[],
  changes: PlannedChange[],
): Promise<void> {
  const { store } = options;
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
        type: 'user',
        name: email,
        details: [`account: ${accountName}`, `licence: ${licence ?? 'none'}`],
        async run(context) {
          // Invited as `keygate users create` does: a generated password, handed over once.
          const password = generatePassword();
          await new PortalUserService(store).create({
            accountId: accountIdOf(context, accountName, account),
            email,
            password,
            licence: licence ?? 'none',
          });
          context.secrets.users.push({ account: accountName, email, password });
        },
      });
    } else if (found.user.licence !== licence) {
      const user: PortalUser = found.user;
      changes.push({
        action: 'update',
        type: 'user',
        name: email,
        details: [`licence: ${user.licence ?? 'none'} → ${licence ?? 'none'}`],
        run: async () => {
          await new PortalUserService(store).setLicence(user, licence ?? 'none');
        },
      });
    }
  }
}

async function planCredentials(
  options: DeclaredConfigOptions,
  account: Account | undefined,
  accountName: string,
  declaredList: DeclaredCredential[],
  at: FilePath,
  managed: Set<string>,
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
    const update = updateOf(options, `${accountName}/${name}`, current, currentKeys, desired, managed);
    if (update) changes.push(update);
  }
  if (prune && account) {
    for (const credential of existing) {
      if (!seen.has(credential.name) && managed.has(credential.id))
        changes.push(deletion(options, accountName, credential));
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
    type: 'credential',
    name: `${accountName}/${desired.name}`,
    details: [...fields, desired.keys.length > 0 ? 'authenticates with its keys: no secret' : 'a new secret'],
    async run(context) {
      const accountId = accountIdOf(context, accountName, account);
      let made: Credential;
      if (desired.keys.length > 0) {
        const { credential } = await options.credentials.createWithKeys({
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
        const { credential, clientSecret } = await options.credentials.create({ ...input, accountId });
        made = credential;
        context.secrets.credentials.push({
          account: accountName,
          name: made.name,
          clientId: made.clientId,
          clientSecret,
        });
      }
      if (desired.disabled) await options.credentials.update(made.id, { disabled: true });
      await options.store.managed.mark('credential', made.id, options.manager);
    },
  };
}

function updateOf(
  options: DeclaredConfigOptions,
  name: string,
  current: Credential,
  currentKeys: CredentialKey[],
  desired: DesiredCredential,
  managed: Set<string>,
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
  const adopt = !managed.has(current.id);
  if (adopt) details.push(`managed by ${options.manager} from now on`);
  if (details.length === 0) return undefined;
  return {
    action: 'update',
    type: 'credential',
    name,
    details,
    async run() {
      if (Object.keys(changes).length > 0) await options.credentials.update(current.id, changes);
      // Added before removed: a credential without a secret must never be left without a key.
      for (const key of adding) await options.credentials.addKey(current.id, key.jwk);
      for (const key of removing) await options.credentials.removeKey(current.id, key.id);
      if (adopt) await options.store.managed.mark('credential', current.id, options.manager);
    },
  };
}

function deletion(
  options: DeclaredConfigOptions,
  accountName: string,
  credential: Credential,
): PlannedChange {
  return {
    action: 'delete',
    type: 'credential',
    name: `${accountName}/${credential.name}`,
    details: [`client ID: ${credential.clientId}`],
    run: async () => {
      await options.credentials.delete(credential.id);
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

/** Runs planned changes in order; what was made before a failure is in `secrets` all the same. */
export async function runChanges(
  changes: readonly PlannedChange[],
  secrets: HandedSecrets,
  onDone: (change: PlannedChange) => void = () => {},
): Promise<void> {
  const context: RunContext = { accountIds: new Map(), secrets };
  for (const change of changes) {
    await change.run(context);
    onDone(change);
  }
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
