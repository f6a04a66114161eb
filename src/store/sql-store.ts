import { type Kysely, Migrator, sql, type Transaction } from 'kysely';
import { newId, newTimeOrderedId } from '../core/identifiers.js';
import type { AuditDraft, CredentialSecret } from '../core/model.js';
import type { Database } from './database.js';
import { loginThrottle } from './login-throttle.js';
import { migrationProvider } from './migrations/index.js';
import {
  toAccount,
  toApiToken,
  toAuditEntry,
  toCredential,
  toSecret,
  toSession,
  toSigningKey,
  toUser,
} from './rows.js';
import type {
  AccountRepository,
  ApiTokenRepository,
  Audit,
  AuditLog,
  Change,
  ChangeLog,
  ChangeTopic,
  CredentialRepository,
  LoginThrottle,
  RevokedTokenRepository,
  SessionRepository,
  SigningKeyRepository,
  SqlDialectName,
  Store,
  UsageRepository,
  UserRepository,
} from './store.js';

const now = () => new Date().toISOString();

async function appendChange(trx: Transaction<Database>, topic: ChangeTopic, ref: string): Promise<void> {
  await trx.insertInto('changes').values({ topic, ref, at: now() }).execute();
}

async function appendAudit(db: Kysely<Database> | Transaction<Database>, entry: Audit): Promise<void> {
  if (!entry) return;
  const at = new Date();
  await db.insertInto('audit_log').values(auditRow(entry, at)).execute();
}

function auditRow(entry: AuditDraft, at: Date): Database['audit_log'] {
  return {
    id: newTimeOrderedId(at),
    account_id: entry.accountId,
    at: at.toISOString(),
    actor_user_id: entry.actorUserId,
    actor_email: entry.actorEmail,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    target_name: entry.targetName,
    ip: entry.ip,
    details: JSON.stringify(entry.details),
  };
}

/**
 * The store over Kysely: the same queries serve SQLite and PostgreSQL; the dialect only decides
 * a few column types in the migrations.
 */
export class SqlStore implements Store {
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
    this.audit = auditLog(db);
  }

  async migrate(): Promise<{ applied: string[] }> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider(this.dialect),
      // Named explicitly: Kysely otherwise finds the bookkeeping tables of any schema in the database.
      ...(this.dialect === 'postgres' ? { migrationTableSchema: this.schema ?? 'public' } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
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
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }
}

function accountRepository(db: Kysely<Database>): AccountRepository {
  return {
    async create({ name, region, plan }) {
      const row = { id: newId(), name, region, plan: plan ?? null, created_at: now() };
      await db.insertInto('accounts').values(row).execute();
      return toAccount(row);
    },
    async get(id) {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },
    async findByName(name) {
      const row = await db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toAccount(row);
    },
    async list() {
      return (await db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute()).map(
        toAccount,
      );
    },
  };
}

function userRepository(db: Kysely<Database>): UserRepository {
  return {
    async create({ accountId, email, passwordHash, licence }, audit) {
      const row = {
        id: newId(),
        account_id: accountId,
        email: email.toLowerCase(),
        password_hash: passwordHash,
        licence,
        created_at: now(),
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values(row).execute();
        await appendAudit(trx, audit && { ...audit, targetId: row.id });
      });
      return toUser(row);
    },
    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async findForLogin(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email.toLowerCase())
        .executeTakeFirst();
      return row && { user: toUser(row), passwordHash: row.password_hash };
    },
    async count() {
      const { n } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    async list(accountId) {
      return (
        await db
          .selectFrom('users')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .execute()
      ).map(toUser);
    },
  };
}

function credentialRepository(db: Kysely<Database>): CredentialRepository {
  return {
    async create(input, audit) {
      const at = now();
      const row = {
        id: newId(),
        account_id: input.accountId,
        client_id: input.clientId,
        name: input.name,
        scopes: JSON.stringify(input.scopes),
        owner_user_id: input.ownerUserId,
        disabled: 0,
        expires_at: input.expiresAt,
        created_at: at,
        updated_at: at,
        last_used_at: null,
        tokens_revoked_at: null,
      };
      const secretRow = {
        // Time-ordered, so a credential's secrets list oldest first even within one millisecond.
        id: newTimeOrderedId(),
        credential_id: row.id,
        hash: input.secret.hash.toString('hex'),
        hint: input.secret.hint,
        created_at: at,
        expires_at: null,
        revoked_at: null,
        last_used_at: null,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('credentials').values(row).execute();
        await trx.insertInto('credential_secrets').values(secretRow).execute();
        await appendChange(trx, 'credential.created', row.client_id);
        await appendAudit(trx, audit && { ...audit, targetId: row.id });
      });
      return { credential: toCredential(row), secret: toSecret(secretRow) };
    },
    async get(id) {
      const row = await db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCredential(row);
    },
    async findByClientId(clientId) {
      const row = await db
        .selectFrom('credentials')
        .selectAll()
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toCredential(row);
    },
    async findForAuthentication(clientId) {
      // One query whether or not the client exists, so timing says little about which it was.
      const rows = await db
        .selectFrom('credentials as c')
        .leftJoin('credential_secrets as s', (join) =>
          join.onRef('s.credential_id', '=', 'c.id').on('s.revoked_at', 'is', null),
        )
        .selectAll('c')
        .select([
          's.id as secret_id',
          's.hash as secret_hash',
          's.hint as secret_hint',
          's.created_at as secret_created_at',
          's.expires_at as secret_expires_at',
          's.last_used_at as secret_last_used_at',
        ])
        .where('c.client_id', '=', clientId)
        .execute();
      const first = rows[0];
      if (!first) return undefined;
      const secrets = rows
        .filter((r) => r.secret_id !== null)
        .map((r) =>
          toSecret({
            id: r.secret_id!,
            credential_id: r.id,
            hash: r.secret_hash!,
            hint: r.secret_hint!,
            created_at: r.secret_created_at!,
            expires_at: r.secret_expires_at,
            revoked_at: null,
            last_used_at: r.secret_last_used_at,
          }),
        );
      return { credential: toCredential(first), secrets };
    },
    async list(accountId) {
      return (
        await db
          .selectFrom('credentials')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toCredential);
    },
    async count() {
      const { n } = await db
        .selectFrom('credentials')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
    async update(id, patch, audit) {
      return db.transaction().execute(async (trx) => {
        const values: Partial<Database['credentials']> = { updated_at: now() };
        if (patch.name !== undefined) values.name = patch.name;
        if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
        if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
        if (patch.expiresAt !== undefined) values.expires_at = patch.expiresAt;
        if (patch.tokensRevokedAt !== undefined) values.tokens_revoked_at = patch.tokensRevokedAt;
        const row = await trx
          .updateTable('credentials')
          .set(values)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await appendChange(trx, 'credential.updated', row.client_id);
        await appendAudit(trx, audit);
        return toCredential(row);
      });
    },
    async delete(id, audit) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom('credentials')
          .where('id', '=', id)
          .returning('client_id')
          .executeTakeFirst();
        if (!row) return false;
        await trx.deleteFrom('usage_daily').where('credential_id', '=', id).execute();
        await appendChange(trx, 'credential.deleted', row.client_id);
        await appendAudit(trx, audit);
        return true;
      });
    },
    async listSecrets(credentialIds) {
      if (credentialIds.length === 0) return [];
      return (
        await db
          .selectFrom('credential_secrets')
          .selectAll()
          .where('credential_id', 'in', credentialIds)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toSecret);
    },
    async addSecret(credentialId, secret, expireOthersAt, audit) {
      return db.transaction().execute(async (trx) => {
        const credential = await trx
          .selectFrom('credentials')
          .select('client_id')
          .where('id', '=', credentialId)
          .executeTakeFirst();
        if (!credential) return undefined;
        const at = now();
        if (expireOthersAt !== null) {
          await trx
            .updateTable('credential_secrets')
            .set({ expires_at: expireOthersAt })
            .where('credential_id', '=', credentialId)
            .where('revoked_at', 'is', null)
            .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', expireOthersAt)]))
            .execute();
        }
        const row = {
          id: newTimeOrderedId(),
          credential_id: credentialId,
          hash: secret.hash.toString('hex'),
          hint: secret.hint,
          created_at: at,
          expires_at: null,
          revoked_at: null,
          last_used_at: null,
        };
        await trx.insertInto('credential_secrets').values(row).execute();
        await trx.updateTable('credentials').set({ updated_at: at }).where('id', '=', credentialId).execute();
        await appendChange(trx, 'credential.secrets_changed', credential.client_id);
        await appendAudit(trx, audit && { ...audit, details: { ...audit.details, secretId: row.id } });
        return toSecret(row);
      });
    },
    async setSecretExpiry(credentialId, secretId, expiresAt, audit) {
      const changed = await changeSecret(db, credentialId, secretId, { expires_at: expiresAt }, audit);
      return changed === 'last_usable' ? undefined : changed;
    },
    async revokeSecret(credentialId, secretId, audit) {
      return changeSecret(db, credentialId, secretId, { revoked_at: now(), keepOneUsable: true }, audit);
    },
  };
}

/** Thrown inside a transaction to roll it back and answer `outcome`. */
class Refused<T> extends Error {
  constructor(readonly outcome: T) {
    super('refused');
  }
}

/**
 * Changes one unrevoked, unexpired secret of a credential, with its change-log and audit entries.
 * The credential's row is updated first, which locks it: concurrent changes to its secrets queue,
 * so two revocations cannot each see the other's secret as the one left usable.
 */
async function changeSecret(
  db: Kysely<Database>,
  credentialId: string,
  secretId: string,
  change: { expires_at: string | null } | { revoked_at: string; keepOneUsable: true },
  audit: Audit,
): Promise<CredentialSecret | 'last_usable' | undefined> {
  const at = now();
  try {
    return await db.transaction().execute(async (trx) => {
      const credential = await trx
        .updateTable('credentials')
        .set({ updated_at: at })
        .where('id', '=', credentialId)
        .returning('client_id')
        .executeTakeFirst();
      if (!credential) throw new Refused(undefined);
      const usable = await trx
        .selectFrom('credential_secrets')
        .select('id')
        .where('credential_id', '=', credentialId)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
        .execute();
      if (!usable.some((s) => s.id === secretId)) throw new Refused(undefined);
      if ('keepOneUsable' in change && usable.length === 1) throw new Refused('last_usable' as const);
      const values = 'revoked_at' in change ? { revoked_at: change.revoked_at } : change;
      const row = await trx
        .updateTable('credential_secrets')
        .set(values)
        .where('id', '=', secretId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendChange(trx, 'credential.secrets_changed', credential.client_id);
      await appendAudit(trx, audit);
      return toSecret(row);
    });
  } catch (error) {
    if (error instanceof Refused) return error.outcome as 'last_usable' | undefined;
    throw error;
  }
}

function sessionRepository(db: Kysely<Database>): SessionRepository {
  return {
    async create(idHash, session, audit) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('sessions')
          .values({
            id_hash: idHash,
            user_id: session.userId,
            csrf_token: session.csrfToken,
            created_at: session.createdAt,
            expires_at: session.expiresAt,
            last_seen_at: session.lastSeenAt,
          })
          .execute();
        await appendAudit(trx, audit);
      });
    },
    async get(idHash) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return row && toSession(row);
    },
    async touch(idHash, lastSeenAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: lastSeenAt })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async delete(idHash, audit) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
        await appendAudit(trx, audit);
      });
    },
    async deleteExpired(at, idleBefore) {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) =>
          eb.or([
            eb('expires_at', '<=', at.toISOString()),
            eb('last_seen_at', '<', idleBefore.toISOString()),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function apiTokenRepository(db: Kysely<Database>): ApiTokenRepository {
  return {
    async create(token, audit) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('api_tokens')
          .values({
            id: token.id,
            user_id: token.userId,
            name: token.name,
            hash: token.hash.toString('hex'),
            hint: token.hint,
            created_at: token.createdAt,
            expires_at: token.expiresAt,
            last_used_at: null,
          })
          .execute();
        await appendAudit(trx, audit);
      });
    },
    async findByHash(hash) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('hash', '=', hash.toString('hex'))
        .executeTakeFirst();
      return row && toApiToken(row);
    },
    async list(userId) {
      return (
        await db
          .selectFrom('api_tokens')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('created_at', 'desc')
          .execute()
      ).map(toApiToken);
    },
    async markUsed(id, at) {
      await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
    },
    async delete(userId, id, audit) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .deleteFrom('api_tokens')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        await appendAudit(trx, audit);
        return true;
      });
    },
  };
}

function auditLog(db: Kysely<Database>): AuditLog {
  return {
    async append(entry) {
      await appendAudit(db, entry);
    },
    async list(accountId, { limit, before }) {
      let query = db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
      if (before !== undefined) query = query.where('id', '<', before);
      return (await query.orderBy('id', 'desc').limit(limit).execute()).map(toAuditEntry);
    },
  };
}

function signingKeyRepository(db: Kysely<Database>): SigningKeyRepository {
  return {
    async list(region) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('region', '=', region)
        .orderBy('created_at')
        .execute();
      return rows.map(toSigningKey);
    },
    async claimUnassigned(region) {
      const result = await db
        .updateTable('signing_keys')
        .set({ region })
        .where('region', '=', '')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async insert(key) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            region: key.region,
            alg: key.alg,
            status: key.status,
            public_jwk: JSON.stringify(key.publicJwk),
            private_jwk_encrypted: key.privateJwkEncrypted,
            created_at: key.createdAt ?? now(),
            activated_at: key.activatedAt,
            retire_after: key.retireAfter,
          })
          .execute();
        await appendChange(trx, 'keys.rotated', key.kid);
      });
    },
    async rotate({ region, newNext, retireAfter }) {
      const at = now();
      await db.transaction().execute(async (trx) => {
        const next = await trx
          .selectFrom('signing_keys')
          .select('kid')
          .where('region', '=', region)
          .where('status', '=', 'next')
          .executeTakeFirst();
        if (!next) throw new Error('no pre-published next key to activate');
        await trx
          .deleteFrom('signing_keys')
          .where('region', '=', region)
          .where('status', '=', 'retired')
          .where('retire_after', '<=', at)
          .execute();
        await trx
          .updateTable('signing_keys')
          .set({ status: 'retired', retire_after: retireAfter })
          .where('region', '=', region)
          .where('status', '=', 'active')
          .execute();
        await trx
          .updateTable('signing_keys')
          .set({ status: 'active', activated_at: at })
          .where('kid', '=', next.kid)
          .execute();
        await trx
          .insertInto('signing_keys')
          .values({
            kid: newNext.kid,
            region,
            alg: newNext.alg,
            status: 'next',
            public_jwk: JSON.stringify(newNext.publicJwk),
            private_jwk_encrypted: newNext.privateJwkEncrypted,
            created_at: at,
            activated_at: null,
            retire_after: null,
          })
          .execute();
        await appendChange(trx, 'keys.rotated', next.kid);
      });
    },
  };
}

function revokedTokenRepository(db: Kysely<Database>): RevokedTokenRepository {
  return {
    async add({ jti, clientId, expiresAt }) {
      await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('revoked_tokens')
          .values({ jti, client_id: clientId, expires_at: expiresAt, revoked_at: now() })
          .onConflict((oc) => oc.column('jti').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0)
          await appendChange(trx, 'token.revoked', jti);
      });
    },
    async isRevoked(jti) {
      const row = await db
        .selectFrom('revoked_tokens')
        .select('jti')
        .where('jti', '=', jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    async listActive(at) {
      const rows = await db
        .selectFrom('revoked_tokens')
        .selectAll()
        .where('expires_at', '>', at.toISOString())
        .execute();
      return rows.map((r) => ({
        jti: r.jti,
        clientId: r.client_id,
        expiresAt: r.expires_at,
        revokedAt: r.revoked_at,
      }));
    },
    async pruneExpired(at) {
      const result = await db
        .deleteFrom('revoked_tokens')
        .where('expires_at', '<=', at.toISOString())
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function changeLog(db: Kysely<Database>): ChangeLog {
  return {
    async latestSeq() {
      const row = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
    async since(seq, limit = 1000) {
      const rows = await db
        .selectFrom('changes')
        .select(['seq', 'topic', 'ref'])
        .where('seq', '>', seq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r): Change => ({ seq: Number(r.seq), topic: r.topic as ChangeTopic, ref: r.ref }));
    },
  };
}

function usageRepository(db: Kysely<Database>): UsageRepository {
  return {
    async record(batch) {
      await db.transaction().execute(async (trx) => {
        for (const [id, at] of batch.credentialLastUsed) {
          await trx.updateTable('credentials').set({ last_used_at: at }).where('id', '=', id).execute();
        }
        for (const [id, at] of batch.secretLastUsed) {
          await trx
            .updateTable('credential_secrets')
            .set({ last_used_at: at })
            .where('id', '=', id)
            .execute();
        }
        for (const d of batch.daily) {
          await trx
            .insertInto('usage_daily')
            .values({
              credential_id: d.credentialId,
              day: d.day,
              scope: d.scope,
              tokens_issued: d.tokensIssued,
              api_calls: d.apiCalls,
            })
            .onConflict((oc) =>
              oc.columns(['credential_id', 'day', 'scope']).doUpdateSet({
                tokens_issued: sql`usage_daily.tokens_issued + excluded.tokens_issued`,
                api_calls: sql`usage_daily.api_calls + excluded.api_calls`,
              }),
            )
            .execute();
        }
      });
    },
    async daily(credentialId) {
      const rows = await db
        .selectFrom('usage_daily')
        .selectAll()
        .where('credential_id', '=', credentialId)
        .orderBy('day')
        .orderBy('scope')
        .execute();
      return rows.map((r) => ({
        day: r.day,
        scope: r.scope,
        tokensIssued: Number(r.tokens_issued),
        apiCalls: Number(r.api_calls),
      }));
    },
  };
}
