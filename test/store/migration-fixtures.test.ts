import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, SKIP_MESSAGE, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

const AT = '2026-01-01T00:00:00.000Z';
const LATER = '2026-01-02T00:00:00.000Z';
const FAR = '2099-01-01T00:00:00.000Z';
const CLIENT = 'FixtureClient000000001';
const SECRET_HASH = 'ab'.repeat(32);
const TOKEN_HASH = 'cd'.repeat(32);
const JWK = '{"kty":"EC","crv":"P-256","x":"eA","y":"eQ"}';

/**
 * Rows a store of each schema version held, as SQL of that version (Hydra's migratest): written
 * right after its migration, then carried through every later one. Each migration has an entry, so
 * a new one cannot land without saying what data it meets; an index-only one says so with none.
 */
const FIXTURES: Record<string, readonly string[]> = {
  '0001-initial': [
    `insert into accounts (id, name, region, created_at) values ('acc-1', 'Fixture Co', 'emea', '${AT}')`,
    `insert into users (id, account_id, email, password_hash, licence, created_at)
       values ('usr-1', 'acc-1', 'admin@fixture.test', 'scrypt$fixture', 'admin', '${AT}')`,
    `insert into credentials (id, account_id, client_id, name, scopes, owner_user_id, disabled, expires_at, created_at, updated_at, last_used_at)
       values ('cred-1', 'acc-1', '${CLIENT}', 'Fixture credential', '["users:read"]', 'usr-1', 0, null, '${AT}', '${AT}', null)`,
    `insert into credential_secrets (id, credential_id, hash, hint, created_at, expires_at, revoked_at, last_used_at)
       values ('sec-1', 'cred-1', '${SECRET_HASH}', 'abcd', '${AT}', null, null, '${LATER}')`,
    `insert into signing_keys (kid, alg, status, public_jwk, private_jwk_encrypted, created_at, activated_at, retire_after)
       values ('kid-1', 'ES256', 'active', '${JWK}', 'sealed', '${AT}', '${AT}', null)`,
    `insert into revoked_tokens (jti, client_id, expires_at, revoked_at) values ('jti-1', '${CLIENT}', '${FAR}', '${AT}')`,
    `insert into changes (topic, ref, at) values ('credential.created', '${CLIENT}', '${AT}')`,
    `insert into usage_daily (credential_id, day, scope, tokens_issued, api_calls) values ('cred-1', '2026-01-01', 'users:read', 3, 5)`,
  ],
  '0002-account-plan': [
    `insert into accounts (id, name, region, created_at, plan) values ('acc-2', 'Planned Co', 'nam', '${AT}', 'gold')`,
  ],
  // PostgreSQL: a trigger that notifies on every insert into changes; the insert must still work.
  '0003-change-notifications': [
    `insert into changes (topic, ref, at) values ('keys.rotated', 'emea', '${AT}')`,
  ],
  '0004-signing-key-region': [
    `insert into signing_keys (kid, alg, status, public_jwk, private_jwk_encrypted, created_at, activated_at, retire_after, region)
       values ('kid-2', 'ES256', 'active', '${JWK}', 'sealed', '${AT}', '${AT}', null, 'nam')`,
  ],
  '0005-portal': [
    `insert into sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
       values ('session-hash', 'usr-1', 'csrf', '${AT}', '${FAR}', '${AT}')`,
    `insert into api_tokens (id, user_id, name, hash, hint, created_at, expires_at, last_used_at)
       values ('tok-1', 'usr-1', 'CI', '${TOKEN_HASH}', 'kgp_abcd', '${AT}', null, null)`,
    `insert into audit_log (id, account_id, at, actor_user_id, actor_email, action, target_type, target_id, target_name, ip, details)
       values ('aud-1', 'acc-1', '${AT}', 'usr-1', 'admin@fixture.test', 'credential.created', 'credential', 'cred-1', 'Fixture credential', '127.0.0.1', '{"scopes":["users:read"]}')`,
    `insert into login_throttle (key, failures, locked_until, updated_at) values ('throttle-key', 2, null, '${AT}')`,
  ],
  '0006-one-active-key': [],
  '0007-credential-tokens-revoked': [
    `update credentials set tokens_revoked_at = '${LATER}' where id = 'cred-1'`,
  ],
  '0008-credential-keys': [
    `insert into credential_keys (id, credential_id, thumbprint, jwk, algorithms, created_at)
       values ('ck-1', 'cred-1', 'thumb-1', '{"kty":"OKP","crv":"Ed25519","x":"eA"}', '["EdDSA","Ed25519"]', '${AT}')`,
    `insert into used_proofs (owner, jti, expires_at) values ('thumb-1', 'proof-1', '${FAR}')`,
    `update credentials set require_dpop = 1 where id = 'cred-1'`,
  ],
  '0009-credential-policies': [
    `update credentials set allowed_cidrs = '["10.0.0.0/8"]', token_quota = '{"limit":100,"period":"day"}',
       call_limit = '{"limit":60,"windowSeconds":60}', metadata = '{"team":"blue"}' where id = 'cred-1'`,
    `insert into usage_refusals (credential_id, day, reason, count) values ('cred-1', '2026-01-01', 'token_quota', 4)`,
  ],
  '0010-shared-keys': [
    `insert into shared_keys (name, value, created_at) values ('fixture-key', 'kept', '${AT}')`,
  ],
  '0011-key-last-use': [`update credential_keys set last_used_at = '${LATER}' where id = 'ck-1'`],
  '0012-revoked-tokens-by-client': [],
  '0013-changes-by-age': [],
  '0014-running-instances': [
    `insert into running_instances (id, region, host, api_documents, started_at, seen_at)
       values ('inst-1', 'emea', 'host pid 1', '[]', '${AT}', '${AT}')`,
  ],
  '0015-managed-objects': [
    `insert into managed_objects (object_type, object_id, manager, created_at)
       values ('credential', 'cred-1', 'keygate-apply', '${AT}')`,
  ],
};

/** Migrates `store` one migration at a time, writing each one's fixtures with `run` right after it. */
async function migrateWithFixtures(store: Store, run: (statement: string) => Promise<void>): Promise<void> {
  const names = await store.migrationNames();
  expect(Object.keys(FIXTURES), 'every migration has fixture data (an empty list for an index)').toEqual(
    names,
  );
  for (const name of names) {
    expect((await store.migrate({ to: name })).applied).toEqual([name]);
    for (const statement of FIXTURES[name]!) await run(statement);
  }
}

/** What today's code reads from a store that has been through every migration with data in it. */
async function expectFixturesRead(store: Store): Promise<void> {
  expect(await store.accounts.get('acc-1')).toMatchObject({ name: 'Fixture Co', region: 'emea', plan: null });
  expect(await store.accounts.get('acc-2')).toMatchObject({ region: 'nam', plan: 'gold' });
  expect((await store.users.findForLogin('admin@fixture.test'))?.user).toMatchObject({
    id: 'usr-1',
    licence: 'admin',
  });
  const found = await store.credentials.findForAuthentication(CLIENT);
  expect(found?.credential).toMatchObject({
    id: 'cred-1',
    scopes: ['users:read'],
    disabled: false,
    tokensRevokedAt: LATER,
    requireDpop: true,
    allowedCidrs: ['10.0.0.0/8'],
    tokenQuota: { limit: 100, period: 'day' },
    callLimit: { limit: 60, windowSeconds: 60 },
    metadata: { team: 'blue' },
  });
  expect(found?.secrets.map((s) => [s.id, s.hash.toString('hex'), s.lastUsedAt])).toEqual([
    ['sec-1', SECRET_HASH, LATER],
  ]);
  expect(found?.keys.map((k) => [k.thumbprint, k.algorithms, k.lastUsedAt])).toEqual([
    ['thumb-1', ['EdDSA', 'Ed25519'], LATER],
  ]);
  // Keys written before keys had regions belong to no region until a region claims them.
  expect(await store.signingKeys.claimUnassigned('emea')).toBe(1);
  expect((await store.signingKeys.list('emea')).map((k) => k.kid)).toEqual(['kid-1']);
  expect((await store.signingKeys.list('nam')).map((k) => k.kid)).toEqual(['kid-2']);
  expect(await store.revokedTokens.isRevoked('jti-1')).toBe(true);
  expect((await store.changes.since(0)).map((c) => c.topic)).toEqual(['credential.created', 'keys.rotated']);
  expect(await store.sessions.get('session-hash')).toMatchObject({ userId: 'usr-1', csrfToken: 'csrf' });
  expect(await store.apiTokens.findByHash(Buffer.from(TOKEN_HASH, 'hex'))).toMatchObject({ id: 'tok-1' });
  expect(await store.audit.list('acc-1', { limit: 10 })).toMatchObject([
    { action: 'credential.created', details: { scopes: ['users:read'] } },
  ]);
  expect(await store.usage.refusals('cred-1')).toEqual([
    { day: '2026-01-01', reason: 'token_quota', count: 4 },
  ]);
  expect(await store.usedProofs.isUsed('thumb-1', 'proof-1')).toBe(true);
  expect(await store.sharedKeys.getOrCreate('fixture-key', () => 'made')).toBe('kept');
  expect(await store.managed.list('credential', 'keygate-apply')).toEqual(['cred-1']);
  expect(await store.managed.managers('credential')).toEqual(new Map([['cred-1', 'keygate-apply']]));
  expect((await store.instances.seenSince(new Date(AT))).map((i) => i.id)).toEqual(['inst-1']);
}

describe('migrations carry data written at every schema version', () => {
  it('SQLite', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-migrations-'));
    const store = openStore({ dataDir });
    const raw = new SQLite(join(dataDir, 'keygate.sqlite'));
    try {
      await migrateWithFixtures(store, async (statement) => void raw.exec(statement));
      await expectFixturesRead(store);
    } finally {
      raw.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  const url = TEST_DATABASE_URL;
  if (!url) {
    process.stdout.write(`PostgreSQL migration fixtures ${SKIP_MESSAGE}\n`);
    it.skip(`PostgreSQL: ${SKIP_MESSAGE}`, () => {});
    return;
  }
  const schema = uniqueSchema();
  afterAll(() => dropSchema(url, schema));
  it('PostgreSQL', async () => {
    const store = openPostgresStore(url, { schema });
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      await raw.query(`set search_path to ${schema}`);
      await migrateWithFixtures(store, async (statement) => void (await raw.query(statement)));
      await expectFixturesRead(store);
    } finally {
      await raw.end();
      await store.close();
    }
  });
});
