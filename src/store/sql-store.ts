import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Database } from './database.js';
import { migrationProvider } from './migrations/index.js';
import { accountRepository } from './sql/accounts.js';
import { apiTokenRepository } from './sql/api-tokens.js';
import { auditLog } from './sql/audit-log.js';
import { changeLog } from './sql/change-log.js';
import { credentialRepository } from './sql/credentials.js';
import { loginThrottle } from './sql/login-throttle.js';
import { managedObjects } from './sql/managed-objects.js';
import { revokedTokenRepository } from './sql/revoked-tokens.js';
import { runningInstances } from './sql/running-instances.js';
import { sessionRepository } from './sql/sessions.js';
import { sharedKeys } from './sql/shared-keys.js';
import { signingKeyRepository } from './sql/signing-keys.js';
import { transact } from './sql/transact.js';
import { usageRepository } from './sql/usage.js';
import { usedProofLog } from './sql/used-proofs.js';
import { userRepository } from './sql/users.js';
import type {
  AccountRepository,
  ApiTokenRepository,
  AuditLog,
  ChangeLog,
  CredentialRepository,
  LoginThrottle,
  ManagedObjects,
  RevokedTokenRepository,
  RunningInstances,
  SessionRepository,
  SharedKeys,
  SigningKeyRepository,
  SqlDialectName,
  Store,
  UsageRepository,
  UsedProofLog,
  UserRepository,
} from './store.js';

/**
 * The store over Kysely: the same queries serve SQLite and PostgreSQL; the dialect only decides
 * a few column types in the migrations.
 */
export class SqlStore implements Store {
  readonly accounts: AccountRepository;
  readonly users: UserRepository;
  readonly credentials: CredentialRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly usedProofs: UsedProofLog;
  readonly sharedKeys: SharedKeys;
  readonly instances: RunningInstances;
  readonly revokedTokens: RevokedTokenRepository;
  readonly changes: ChangeLog;
  readonly usage: UsageRepository;
  readonly sessions: SessionRepository;
  readonly loginThrottle: LoginThrottle;
  readonly apiTokens: ApiTokenRepository;
  readonly audit: AuditLog;
  readonly managed: ManagedObjects;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: SqlDialectName,
    /** PostgreSQL: the schema holding Keygate's tables (and its migration bookkeeping). */
    private readonly schema?: string,
    /** PostgreSQL: opens a dedicated connection listening on a channel. */
    private readonly listen?: (channel: string, onNotify: () => void) => Promise<() => Promise<void>>,
  ) {
    this.accounts = accountRepository(db);
    this.users = userRepository(db);
    this.credentials = credentialRepository(db);
    this.signingKeys = signingKeyRepository(db);
    this.revokedTokens = revokedTokenRepository(db);
    this.changes = changeLog(db);
    this.usage = usageRepository(db);
    this.sessions = sessionRepository(db);
    this.loginThrottle = loginThrottle(db);
    this.apiTokens = apiTokenRepository(db);
    this.usedProofs = usedProofLog(db);
    this.sharedKeys = sharedKeys(db);
    this.instances = runningInstances(db);
    this.audit = auditLog(db);
    this.managed = managedObjects(db);
  }

  transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    return transact(this.db, (trx) => work(new SqlStore(trx, this.dialect, this.schema)));
  }

  private migrator(): Migrator {
    return new Migrator({
      db: this.db,
      provider: migrationProvider(this.dialect),
      // Named explicitly: Kysely otherwise finds the bookkeeping tables of any schema in the database.
      ...(this.dialect === 'postgres' ? { migrationTableSchema: this.schema ?? 'public' } : {}),
    });
  }

  async migrationNames(): Promise<string[]> {
    return (await this.migrator().getMigrations()).map((migration) => migration.name);
  }

  async isNew(): Promise<boolean> {
    const migrations = await this.migrator().getMigrations();
    return migrations.every((migration) => migration.executedAt === undefined);
  }

  async migrate(options: { to?: string } = {}): Promise<{ applied: string[] }> {
    const migrator = this.migrator();
    const { error, results } =
      options.to === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.to);
    if (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Kysely refuses when the store holds migrations this code does not know: a newer Keygate wrote it.
      throw new Error(`store migration failed: ${message}`);
    }
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  }

  watchChanges(onChange: () => void): Promise<() => Promise<void>> {
    if (!this.listen) return Promise.resolve(async () => {});
    return this.listen(`keygate_changes_${this.schema ?? 'public'}`, onChange);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  #closed = false;

  async close(): Promise<void> {
    // A transaction's store closes nothing: the store that opened it owns the connection.
    if (this.#closed || this.db.isTransaction) return;
    this.#closed = true;
    await this.db.destroy();
  }
}
