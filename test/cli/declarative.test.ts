import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, logIn } from '../helpers/admin.js';
import { documentedSectionBlock } from '../helpers/documented-config.js';
import { GuideShell } from '../helpers/guide-shell.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { KEYGATE_BIN, runKeygate } from '../helpers/keygate-process.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/declarative/keygate.yaml', import.meta.url));
const SECTION = 'Declarative configuration';

/** A PostgreSQL store is shared, so its instances and the CLI are given one master key. */
const MASTER_KEY = randomBytes(32).toString('base64');

function envOf(keygate: TestKeygate, schema?: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    KEYGATE_DATA_DIR: keygate.dataDir,
    ...(schema && {
      KEYGATE_DATABASE_URL: TEST_DATABASE_URL,
      KEYGATE_DATABASE_SCHEMA: schema,
      KEYGATE_MASTER_KEY: MASTER_KEY,
    }),
  };
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  return runKeygate(args, env);
}

/**
 * Each test runs the CLI several times, each run a Node start of its own: a few seconds apiece on a
 * busy 2-core machine, so the tests get two minutes, not the suite's 30 s.
 */
const CLI_TESTS = { timeout: 120_000 };

/** keygate apply, diff and export against real stores, checked through the admin API. */
describe('declarative configuration', CLI_TESTS, () => {
  let keygate: TestKeygate;
  let dir: string;
  let file: string;
  let admin: AdminClient;
  const run = (...args: string[]) => cli(envOf(keygate), ...args);
  const audit = async () =>
    (await admin.call<{ entries: unknown[] }>('GET', '/audit?limit=500')).body.entries;
  const credentials = async () =>
    (await admin.call<{ credentials: Array<Record<string, unknown>> }>('GET', '/credentials')).body
      .credentials;

  beforeAll(async () => {
    keygate = await startTestKeygate({ changePollMs: 250 });
    dir = mkdtempSync('/tmp/keygate-declarative-');
    file = join(dir, 'keygate.yaml');
  });
  afterAll(async () => {
    await keygate?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('documents the example file that ships in examples/', () => {
    expect(documentedSectionBlock('operations.md', SECTION, 'yaml')).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('applies the documented file to an empty Keygate with the documented commands, then writes nothing', async () => {
    writeFileSync(file, readFileSync(EXAMPLE, 'utf8'));
    const shell = new GuideShell(envOf(keygate), [
      ['npx keygate', `node ${KEYGATE_BIN}`],
      [/keygate\.yaml/g, file],
      ['secrets.json', join(dir, 'secrets.json')],
      ['exported.yaml', join(dir, 'exported.yaml')],
    ]);
    const [diff, apply, exportCommand] = documentedSectionBlock('operations.md', 'GitOps', 'sh')
      .trim()
      .split('\n');
    const planned = await shell.run(diff!);
    expect(planned.code).toBe(3);
    expect(planned.stdout).toContain('5 to create, 0 to change, 0 to delete.');
    await shell.output(apply!);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'));
    const ops = secrets.users.find((u: { email: string }) => u.email === 'ops@acme.example');
    admin = await logIn(keygate, 'ops@acme.example', ops.password);

    const session = await admin.call<{ user: Record<string, unknown> }>('GET', '/session');
    expect(session.body.user).toMatchObject({ accountName: 'Acme', region: 'emea', licence: 'admin' });
    const users = await admin.call<{ users: Array<Record<string, unknown>> }>('GET', '/users');
    expect(users.body.users.map((u) => [u.email, u.licence]).sort()).toEqual([
      ['ops@acme.example', 'admin'],
      ['viewer@acme.example', null],
    ]);
    const made = await credentials();
    expect(made.find((c) => c.name === 'Wallboard')).toMatchObject({
      scopes: ['agents-availability:read', 'stats'],
      allowedCidrs: ['203.0.113.0/24'],
      tokenQuota: { limit: 1000, period: 'day' },
      callLimit: { limit: 600, windowSeconds: 60 },
      metadata: { team: 'operations' },
      requireDpop: false,
      expiresAt: null,
    });
    expect(made.find((c) => c.name === 'Nightly export')).toMatchObject({
      scopes: ['users:read'],
      requireDpop: true,
      expiresAt: '2030-01-01T00:00:00.000Z',
      secrets: [],
      keys: [expect.objectContaining({ jwk: expect.objectContaining({ kty: 'OKP', crv: 'Ed25519' }) })],
    });
    expect(secrets.credentials).toHaveLength(2);

    const entries = (await audit()).length;
    expect(await shell.run(apply!)).toMatchObject({ code: 0 });
    expect((await run('apply', '-f', file)).stdout).toContain('No changes');
    expect(await run('diff', '-f', file, '--prune')).toMatchObject({ code: 0, stderr: '' });
    expect((await audit()).length).toBe(entries);
    await shell.output(exportCommand!);
    expect(readFileSync(join(dir, 'exported.yaml'), 'utf8')).toContain('name: Nightly export');
    // Nine keygate processes in a row: more than the default 30 s on a loaded machine.
  }, 90_000);

  it('applies exactly the diff of an edit, and prunes only what it manages', async () => {
    const handMade = await admin.call('POST', '/credentials', { name: 'Made by hand', scopes: ['stats'] });
    expect(handMade.status).toBe(201);
    const edited = readFileSync(EXAMPLE, 'utf8')
      .replace('scopes: [agents-availability:read, stats]', 'scopes: [stats]')
      .replace('licence: none', 'licence: supervisor')
      .replace(/ {6}- name: Nightly export[\s\S]*$/, '      - name: Reports\n        scopes: [stats]\n');
    writeFileSync(file, edited);
    const diff = await run('diff', '-f', file, '--json');
    expect(diff.code).toBe(3);
    expect(JSON.parse(diff.stdout).changes).toEqual([
      {
        action: 'update',
        type: 'user',
        name: 'viewer@acme.example',
        details: ['licence: none → supervisor'],
      },
      {
        action: 'update',
        type: 'credential',
        name: 'Acme/Wallboard',
        details: ['scopes: agents-availability:read stats → stats'],
      },
      expect.objectContaining({ action: 'create', type: 'credential', name: 'Acme/Reports' }),
    ]);
    const before = (await audit()).length;
    expect((await run('apply', '-f', file)).code).toBe(0);
    expect((await audit()).length).toBe(before + 3);
    expect((await credentials()).map((c) => c.name).sort()).toEqual([
      'Made by hand',
      'Nightly export',
      'Reports',
      'Wallboard',
    ]);

    const pruned = await run('apply', '-f', file, '--prune');
    expect(pruned.stdout).toContain('- credential Acme/Nightly export');
    expect((await credentials()).map((c) => c.name).sort()).toEqual(['Made by hand', 'Reports', 'Wallboard']);
    expect((await run('diff', '-f', file, '--prune')).code).toBe(0);
  });

  it('prunes only its own file’s marks: a second file’s and hand-made objects stay', async () => {
    // keygate.yaml's manager is its name, keygate; this file names its own.
    const teamB = join(dir, 'team-b.yaml');
    const declare = (...names: string[]) =>
      writeFileSync(
        teamB,
        [
          'version: 1',
          'manager: team-b',
          'accounts:',
          '  - name: Acme',
          '    plan: standard',
          '    credentials:',
          ...names.flatMap((name) => [`      - name: ${name}`, '        scopes: [stats]']),
          '',
        ].join('\n'),
      );
    declare('Team B feed', 'Made by hand');
    const diff = JSON.parse((await run('diff', '-f', teamB, '--json')).stdout).changes;
    expect(diff).toEqual([
      expect.objectContaining({ action: 'create', name: 'Acme/Team B feed' }),
      {
        action: 'update',
        type: 'credential',
        name: 'Acme/Made by hand',
        details: ['managed by team-b from now on (made by hand)'],
      },
    ]);
    expect((await run('apply', '-f', teamB)).code).toBe(0);
    const takenOver = ((await audit()) as Array<Record<string, unknown>>).find(
      (e) => e.action === 'apply.took_over',
    );
    expect(takenOver).toMatchObject({
      actorEmail: 'cli',
      targetName: 'Made by hand',
      details: { manager: 'team-b', from: null },
    });

    // The first file, pruned, deletes nothing of team-b's, though it declares none of it.
    expect((await run('diff', '-f', file, '--prune')).code).toBe(0);
    expect((await run('apply', '-f', file, '--prune')).stdout).toContain('No changes');
    const names = async () => (await credentials()).map((c) => c.name).sort();
    expect(await names()).toEqual(['Made by hand', 'Reports', 'Team B feed', 'Wallboard']);

    // team-b, pruned, deletes what it marked and no longer declares: only that.
    declare('Made by hand');
    const prunable = await run('diff', '-f', teamB, '--prune');
    expect(prunable.code).toBe(3);
    expect(prunable.stdout).toContain('- credential Acme/Team B feed');
    expect(prunable.stdout).toContain('0 to create, 0 to change, 1 to delete.');
    expect((await run('apply', '-f', teamB, '--prune')).code).toBe(0);
    expect(await names()).toEqual(['Made by hand', 'Reports', 'Wallboard']);
  });

  it('prunes its own users and accounts too, and keeps an account that holds anything else', async () => {
    const ops = join(dir, 'ops.yaml');
    writeFileSync(
      ops,
      [
        'version: 1',
        'accounts:',
        '  - name: Acme',
        '    plan: standard',
        '    users:',
        '      - email: extra@acme.example',
        '  - name: Initrode',
        '    users:',
        '      - email: milton@initrode.example',
        '    credentials:',
        '      - name: Feed',
        '        scopes: [stats]',
        '',
      ].join('\n'),
    );
    expect((await run('apply', '-f', ops)).code).toBe(0);
    const handMade = await run(
      'credentials',
      'create',
      '--account',
      'Initrode',
      '--name',
      'Kept',
      '--scope',
      'stats',
      '--json',
    );
    expect(handMade.code).toBe(0);
    const emails = async () =>
      (await admin.call<{ users: Array<{ email: string }> }>('GET', '/users')).body.users
        .map((u) => u.email)
        .sort();
    expect(await emails()).toContain('extra@acme.example');

    // The file, emptied (its manager is still ops): it prunes what it made, not the hand-made Kept,
    // and so not Initrode either, which still holds Kept.
    writeFileSync(ops, 'version: 1\naccounts: []\n');
    const diff = await run('diff', '-f', ops, '--prune', '--json');
    expect(diff.code).toBe(3);
    const planned = JSON.parse(diff.stdout);
    expect(
      planned.changes.map(
        (c: { action: string; type: string; name: string }) => `${c.action} ${c.type} ${c.name}`,
      ),
    ).toEqual([
      'delete user extra@acme.example',
      'delete credential Initrode/Feed',
      'delete user milton@initrode.example',
    ]);
    expect(planned.notes).toEqual(["account Initrode is kept: 1 of its users and credentials are not ops's"]);
    const before = (await audit()).length;
    const pruned = await run('apply', '-f', ops, '--prune');
    expect(pruned.code).toBe(0);
    expect(pruned.stderr).toContain('note: account Initrode is kept');
    expect(await emails()).toEqual(['ops@acme.example', 'viewer@acme.example']);
    expect(
      ((await audit()) as Array<Record<string, unknown>>).slice(0, (await audit()).length - before),
    ).toEqual([
      expect.objectContaining({
        action: 'user.deleted',
        actorEmail: 'cli',
        targetName: 'extra@acme.example',
      }),
    ]);
    const exported = (await run('export')).stdout;
    expect(accountSection(exported, 'Initrode')).toMatch(/name: Kept/);
    expect(accountSection(exported, 'Initrode')).not.toMatch(/Feed|milton/);

    // Once Kept is gone, Initrode is empty and the file's: --prune deletes it.
    expect((await run('credentials', 'delete', JSON.parse(handMade.stdout).client_id)).code).toBe(0);
    expect((await run('diff', '-f', ops, '--prune')).stdout).toContain('- account Initrode');
    expect((await run('apply', '-f', ops, '--prune')).code).toBe(0);
    expect((await run('export')).stdout).not.toContain('Initrode');
    expect(await run('diff', '-f', ops, '--prune')).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses an invalid file whole, naming the line, and changes nothing', async () => {
    const bad = readFileSync(file, 'utf8')
      .replace('scopes: [stats]\n        allowedCidrs', 'scopes: [stats, users:delete]\n        allowedCidrs')
      .replace('region: emea', 'region: emea\n    colour: blue');
    writeFileSync(join(dir, 'bad.yaml'), bad.replace('plan: standard', 'plan: gold'));
    const before = (await audit()).length;
    const refused = await run('apply', '-f', join(dir, 'bad.yaml'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing was changed');
    expect(refused.stderr).toMatch(/bad\.yaml:8: accounts\[0\]\.colour: is not a field Keygate knows/);

    writeFileSync(
      join(dir, 'bad.yaml'),
      bad.replace('\n    colour: blue', '').replace('name: Reports', 'name: Reports2'),
    );
    const unknown = await run('apply', '-f', join(dir, 'bad.yaml'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /bad\.yaml:16: accounts\[0\]\.credentials\[0\]\.scopes\[1\]: unknown scope: users:delete/,
    );
    expect((await audit()).length).toBe(before);
    expect((await credentials()).map((c) => c.name)).not.toContain('Reports2');
  });

  it('export → apply into an empty Keygate gives the same state', async () => {
    const exported = await run('export');
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toMatch(/kgs_|password/);
    writeFileSync(join(dir, 'export.yaml'), exported.stdout);
    const schema = TEST_DATABASE_URL ? uniqueSchema() : undefined;
    const copy = await startTestKeygate(
      schema ? { databaseUrl: TEST_DATABASE_URL!, databaseSchema: schema, masterKey: MASTER_KEY } : {},
    );
    try {
      const env = envOf(copy, schema);
      expect(
        (await cli(env, 'apply', '-f', join(dir, 'export.yaml'), '--secrets-file', join(dir, 's2.json')))
          .code,
      ).toBe(0);
      expect((await cli(env, 'diff', '-f', join(dir, 'export.yaml'))).code).toBe(0);
      const again = await cli(env, 'export');
      const body = (text: string) => text.split('\n').slice(2).join('\n');
      expect(body(again.stdout)).toBe(body(exported.stdout));
    } finally {
      await copy.stop();
      if (schema) await dropSchema(TEST_DATABASE_URL!, schema);
    }
  });
});

/** One account's entry in an export, up to the next account's. */
function accountSection(exported: string, name: string): string {
  const start = exported.indexOf(`  - name: ${name}\n`);
  const end = exported.indexOf('\n  - ', start + 1);
  return exported.slice(start, end === -1 ? undefined : end).trimEnd();
}

/**
 * A write refused by the store itself, as a constraint or a lost connection would refuse it: a
 * trigger that fails every insert of a credential named Boom.
 */
async function refuseCredentialsNamedBoom(keygate: TestKeygate, schema?: string): Promise<void> {
  if (!schema) {
    const db = new SQLite(join(keygate.dataDir, 'keygate.sqlite'));
    try {
      db.exec(`create trigger refuse_boom before insert on credentials when new.name = 'Boom'
        begin select raise(abort, 'refused by the test'); end`);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`create function ${schema}.refuse_boom() returns trigger language plpgsql as $$
      begin if new.name = 'Boom' then raise exception 'refused by the test'; end if; return new; end $$`);
    await client.query(`create trigger refuse_boom before insert on ${schema}.credentials
      for each row execute function ${schema}.refuse_boom()`);
  } finally {
    await client.end();
  }
}

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('keygate apply on %s, one transaction per account', CLI_TESTS, (_name, postgres) => {
  const schema = postgres && TEST_DATABASE_URL ? uniqueSchema() : undefined;
  let keygate: TestKeygate;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (postgres && !schema) return;
    keygate = await startTestKeygate(
      schema ? { databaseUrl: TEST_DATABASE_URL!, databaseSchema: schema, masterKey: MASTER_KEY } : {},
    );
    env = envOf(keygate, schema);
    dir = mkdtempSync('/tmp/keygate-declarative-tx-');
  });
  afterAll(async () => {
    await keygate?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (schema) await dropSchema(TEST_DATABASE_URL!, schema);
  });

  it.skipIf(postgres && !TEST_DATABASE_URL)(
    'leaves an account whose write fails as it was, audit log included, and keeps the accounts before it',
    async () => {
      const base = join(dir, 'base.yaml');
      writeFileSync(base, readFileSync(EXAMPLE, 'utf8'));
      expect((await cli(env, 'apply', '-f', base, '--secrets-file', join(dir, 'base.json'))).code).toBe(0);
      const ops = JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8')).users.find(
        (u: { email: string }) => u.email === 'ops@acme.example',
      );
      const admin = await logIn(keygate, 'ops@acme.example', ops.password);
      const audit = async () =>
        (await admin.call<{ entries: unknown[] }>('GET', '/audit?limit=500')).body.entries;
      const before = { export: (await cli(env, 'export')).stdout, audit: await audit() };
      await refuseCredentialsNamedBoom(keygate, schema);

      // Hooli first, then Acme: a plan change, a new user, a changed and a new credential, then Boom.
      // The same manager as base.yaml's (its name), so nothing is taken over from another file.
      const failing = join(dir, 'failing.yaml');
      writeFileSync(
        failing,
        readFileSync(EXAMPLE, 'utf8')
          .replace('version: 1\n', 'version: 1\nmanager: base\n')
          .replace(
            'accounts:\n',
            'accounts:\n  - name: Hooli\n    credentials:\n      - name: Feed\n        scopes: [stats]\n',
          )
          .replace('plan: standard', 'plan: null')
          .replace('licence: none', 'licence: none\n      - email: new@acme.example')
          .replace('scopes: [agents-availability:read, stats]', 'scopes: [stats]')
          .concat(
            '      - name: Reports\n        scopes: [stats]\n      - name: Boom\n        scopes: [stats]\n',
          ),
      );
      const planned = JSON.parse((await cli(env, 'diff', '-f', failing, '--json')).stdout).changes;
      expect(planned.map((c: { action: string; name: string }) => `${c.action} ${c.name}`)).toEqual([
        'create Hooli',
        'create Hooli/Feed',
        'update Acme',
        'create new@acme.example',
        'update Acme/Wallboard',
        'create Acme/Reports',
        'create Acme/Boom',
      ]);

      const failed = await cli(env, 'apply', '-f', failing);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('account Acme was left as it was');
      expect(failed.stderr).toContain('refused by the test');
      // Hooli's transaction was committed before Acme's began: its new secret is shown all the same.
      expect(failed.stdout).toContain('+ credential Hooli/Feed');
      expect(failed.stdout).toMatch(/credential Hooli\/Feed: client ID \S+\n {4}client secret: kgs_/);
      expect(failed.stdout).not.toContain('Acme/Reports');

      const after = (await cli(env, 'export')).stdout;
      expect(accountSection(after, 'Acme')).toBe(accountSection(before.export, 'Acme'));
      expect(after).toContain('- name: Hooli');
      expect(await audit()).toEqual(before.audit);

      // The rest is applied once the store takes it; Hooli, applied already, is not made twice.
      const rest = await cli(env, 'diff', '-f', failing, '--json');
      expect(JSON.parse(rest.stdout).changes.map((c: { name: string }) => c.name)).not.toContain(
        'Hooli/Feed',
      );
    },
  );
});
