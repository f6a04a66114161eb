import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../helpers/admin.js';
import { postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('keygate CLI against a running server', () => {
  let keygate: TestKeygate;
  const cli = (...args: string[]) =>
    new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };
  const token = (clientId: string, clientSecret: string, scope: string) =>
    postForm(keygate.url + TOKEN_PATH, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope,
    });
  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before the CLI tests');
    }
    keygate = await startTestKeygate({ changePollMs: 250 }, mkdtempSync('/tmp/keygate-cli-'));
  });
  afterAll(async () => {
    await keygate.stop();
    rmSync(keygate.dataDir, { recursive: true, force: true });
  });

  it('lists its commands in --help', async () => {
    const { stdout, code } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['start', 'migrate', 'accounts', 'credentials', 'users', 'keys'])
      expect(stdout).toContain(command);
  });

  it('says in start --help where the configuration comes from', async () => {
    const { stdout, code } = await cli('start', '--help');
    expect(code).toBe(0);
    for (const source of ['keygate.config.json', 'KEYGATE_CONFIG', 'KEYGATE_*', 'docs/configuration.md'])
      expect(stdout).toContain(source);
  });

  it('creates credentials whose one-time secret gets a token from the running server', async () => {
    const created = await json(
      'credentials',
      'create',
      '--name',
      'Wallboard',
      '--scope',
      'agents-availability:read',
      '--scope',
      'stats',
    );
    expect(created).toMatchObject({
      name: 'Wallboard',
      scopes: ['agents-availability:read', 'stats'],
      disabled: false,
    });
    expect(created.client_secret).toMatch(/^kgs_[0-9A-Za-z]{49}$/);
    expect(created.id).toEqual(expect.any(String));
    const res = await token(created.client_id, created.client_secret, 'agents-availability:read');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      expires_in: 7200,
      token_type: 'Bearer',
      scope: 'agents-availability:read',
    });

    const list = await json('credentials', 'list');
    const listed = list.find((c: { client_id: string }) => c.client_id === created.client_id);
    expect(listed).toMatchObject({ name: 'Wallboard' });
    expect(JSON.stringify(list)).not.toContain(created.client_secret);
    expect((await cli('credentials', 'list')).stdout).toMatch(/CLIENT_ID\s+NAME/);
    expect(await json('credentials', 'show', created.client_id)).toMatchObject({
      id: created.id,
      name: 'Wallboard',
    });
  });

  it('updates scopes and names; a disable or delete reaches the server within 1 s', async () => {
    const created = await json('credentials', 'create', '--name', 'Sync', '--scope', 'users:read');
    expect(
      await json('credentials', 'update', created.id, '--add-scope', 'users:write', '--name', 'Sync job'),
    ).toMatchObject({
      name: 'Sync job',
      scopes: ['users:read', 'users:write'],
    });
    expect((await token(created.client_id, created.client_secret, 'users:write')).status).toBe(200);

    await json('credentials', 'update', created.client_id, '--disable');
    await withinOneSecond(async () => {
      expect((await token(created.client_id, created.client_secret, 'users:read')).body?.error).toBe(
        'unauthorized_client',
      );
    });
    await json('credentials', 'update', created.client_id, '--enable');
    await withinOneSecond(async () => {
      expect((await token(created.client_id, created.client_secret, 'users:read')).status).toBe(200);
    });

    expect(await json('credentials', 'delete', created.id)).toMatchObject({
      deleted: true,
      client_id: created.client_id,
    });
    await withinOneSecond(async () => {
      expect((await token(created.client_id, created.client_secret, 'users:read')).body?.error).toBe(
        'invalid_client',
      );
    });
  });

  it('revokes every token of credentials: the running gateway refuses them within 1 s', async () => {
    const created = await json(
      'credentials',
      'create',
      '--name',
      'Leaky',
      '--scope',
      'agents-availability:read',
    );
    const issued = await token(created.client_id, created.client_secret, 'agents-availability:read');
    const call = async (accessToken: unknown) =>
      (
        await fetch(`${keygate.gatewayUrl}/agents-availability`, {
          headers: { authorization: `Bearer ${String(accessToken)}` },
        })
      ).status;
    expect(await call(issued.body?.access_token)).toBe(200);
    const revoked = await json('credentials', 'revoke-tokens', created.client_id);
    expect(Date.parse(revoked.tokens_revoked_at)).toBeGreaterThan(Date.now() - 60_000);
    await withinOneSecond(async () => {
      expect(await call(issued.body?.access_token)).toBe(401);
    });
    const fresh = await token(created.client_id, created.client_secret, 'agents-availability:read');
    expect(await call(fresh.body?.access_token)).toBe(200);
  });

  it('explains bad input in one line and exits non-zero', async () => {
    const unknownScope = await cli('credentials', 'create', '--name', 'X', '--scope', 'users:delete');
    expect(unknownScope.code).toBe(2);
    expect(unknownScope.stderr).toBe('error: unknown scope: users:delete\n');
    const noScope = await cli('credentials', 'create', '--name', 'X');
    expect(noScope.stderr).toBe('error: at least one scope is required\n');
    const missing = await cli('credentials', 'show', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe('error: no credential with id or client ID nope\n');
    const both = await cli('credentials', 'update', 'nope', '--disable', '--enable');
    expect(both.stderr).toBe('error: --disable and --enable cannot be used together\n');
  });

  it('rotates keys: the running server signs with the pre-published key within 1 s', async () => {
    const created = await json('credentials', 'create', '--name', 'Rotation', '--scope', 'stats');
    const before = String(
      (await token(created.client_id, created.client_secret, 'stats')).body?.access_token,
    );
    const keysBefore = await json('keys', 'list');
    const next = keysBefore.find((k: { status: string }) => k.status === 'next');
    const keysAfter = await json('keys', 'rotate');
    expect(keysAfter.find((k: { status: string }) => k.status === 'active').kid).toBe(next.kid);
    expect(JSON.stringify(keysAfter)).not.toMatch(/"d"|private/);
    await withinOneSecond(async () => {
      const after = String(
        (await token(created.client_id, created.client_secret, 'stats')).body?.access_token,
      );
      expect(decodeProtectedHeader(after).kid).toBe(next.kid);
    });
    expect(decodeProtectedHeader(before).kid).not.toBe(next.kid);
  });

  it('adds portal users who can then log in, with a generated or a piped password', async () => {
    const generated = await json('users', 'create', '--email', 'Sup@Example.com', '--licence', 'supervisor');
    expect(generated).toMatchObject({ email: 'sup@example.com', licence: 'supervisor' });
    expect(generated.password).toMatch(/^[\w-]{16}$/);
    const login = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: 'sup@example.com', password: generated.password },
    });
    expect(login.status).toBe(200);

    const piped = await new Promise<CliResult>((resolve) => {
      const child = execFile(
        process.execPath,
        [BIN, 'users', 'create', '--email', 'admin2@example.com', '--licence', 'admin', '--password-stdin'],
        { env: { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end('piped-password-123\n');
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain('piped-password-123');
    expect(
      (
        await adminCall(keygate.url, 'POST', '/session', {
          body: { email: 'admin2@example.com', password: 'piped-password-123' },
        })
      ).status,
    ).toBe(200);

    const duplicate = await cli('users', 'create', '--email', 'sup@example.com');
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toBe('error: a user with email sup@example.com exists\n');
    const badLicence = await cli('users', 'create', '--email', 'x@example.com', '--licence', 'owner');
    expect(badLicence.stderr).toBe('error: licence must be admin, supervisor or null\n');

    const listed = await json('users', 'list');
    expect(listed.map((u: { email: string }) => u.email)).toEqual([
      'admin@keygate.local',
      'sup@example.com',
      'admin2@example.com',
    ]);
    const audit = await keygate.store.audit.list(listed[0].account_id, { limit: 10 });
    expect(audit.filter((e) => e.action === 'user.created').map((e) => e.actorEmail)).toEqual(['cli', 'cli']);
  });

  it('manages accounts and asks which one once there are several', async () => {
    expect((await json('accounts', 'list')).map((a: { name: string }) => a.name)).toEqual(['Default']);
    expect(await json('accounts', 'create', '--name', 'Second')).toMatchObject({
      name: 'Second',
      region: 'emea',
    });
    const ambiguous = await cli('credentials', 'create', '--name', 'X', '--scope', 'stats');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe('error: there are 2 accounts; name one with --account (Default, Second)\n');
    const created = await json(
      'credentials',
      'create',
      '--name',
      'X',
      '--scope',
      'stats',
      '--account',
      'Second',
    );
    const second = (await json('accounts', 'list')).find((a: { name: string }) => a.name === 'Second');
    expect(created.account_id).toBe(second.id);
  });
});
