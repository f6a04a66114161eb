import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedBlock, withPlaceholders } from '../helpers/documented-config.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the server package needs and the client package must not bring along. */
const SERVER_ONLY = [
  'fastify',
  'pg',
  'better-sqlite3',
  'ioredis',
  '@aws-sdk/client-s3',
  'kysely',
  'commander',
];

/**
 * How this machine reaches the registry: its proxy and the certificate authorities it trusts (a
 * TLS-inspecting proxy signs with its own). A user's shell has them too; nothing else of this
 * process's environment (npm's own `npm_config_*` of the running `npm test`) reaches the project.
 */
const NETWORK = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
];
const network = Object.fromEntries(
  NETWORK.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]),
);

function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        // jose comes from npm's cache when it is there; npm asks the registry only when it is not.
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...network,
          npm_config_prefer_offline: 'true',
          ...options.env,
        },
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}

/**
 * docs/client.md's install commands, run as written: `npm pack` of packages/client, installed into a
 * project of its own, which then gets a token from a Keygate and calls its gateway. It rewrites
 * packages/client/dist (npm pack builds), which the server's CLI loads, so it runs alone
 * (vitest.alone.config.ts).
 */
describe('@keygate/client installed from its tarball', () => {
  const work = mkdtempSync(join(tmpdir(), 'keygate-sdk-user-'));
  const project = join(work, 'my-project');
  const tarballs = join(work, 'tarballs');
  let keygate: TestKeygate;

  beforeAll(async () => {
    mkdirSync(project);
    mkdirSync(tarballs);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true }));
    keygate = await startTestKeygate();
  });
  afterAll(async () => {
    await keygate?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs with jose alone; its API and keygate-client get tokens and call the gateway', async () => {
    const script = withPlaceholders(documentedBlock('client.md', 'sh'), {
      '/path/to/keygate': ROOT,
      '/path/to/tarballs': tarballs,
      'my-project': project,
    });
    const stdout = await run('bash', ['-e', '-c', script]);
    expect(stdout.trim().split('\n').at(-1)?.split(' ')).toEqual(
      expect.arrayContaining(['createTokenProvider', 'createApiClient', 'createDpopSigner']),
    );

    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules', '.package-lock.json'), 'utf8'),
    ) as {
      packages: Record<string, unknown>;
    };
    expect(Object.keys(installed.packages).sort()).toEqual([
      'node_modules/@keygate/client',
      'node_modules/jose',
    ]);
    for (const name of SERVER_ONLY) expect(existsSync(join(project, 'node_modules', name)), name).toBe(false);

    const client = await keygate.createCredential(['agents-availability:read']);
    writeFileSync(
      join(project, 'call.mjs'),
      `import { createApiClient, createTokenProvider } from '@keygate/client';
const tokens = createTokenProvider({
  issuer: process.env.ISSUER,
  clientId: process.env.CLIENT_ID,
  clientSecret: process.env.CLIENT_SECRET,
  scope: 'agents-availability:read',
});
const api = createApiClient({ apiBaseUrl: process.env.GATEWAY, tokens });
const res = await api.get('/agents-availability', { version: 1, query: { skillNames: 'Sales' } });
console.log(JSON.stringify({ status: res.status, states: Object.keys(res.data).sort() }));
`,
    );
    const called = await run(process.execPath, ['call.mjs'], {
      cwd: project,
      env: {
        ISSUER: keygate.config.publicUrl,
        GATEWAY: keygate.gatewayUrl!,
        CLIENT_ID: client.clientId,
        CLIENT_SECRET: client.clientSecret,
      },
    });
    expect(JSON.parse(called)).toEqual({
      status: 200,
      states: ['Away', 'Extended Away', 'Logged Out', 'Ready'],
    });

    // The caller commands come with it, as keygate-client.
    const printed = await run(
      join(project, 'node_modules', '.bin', 'keygate-client'),
      ['token', '--scope', 'agents-availability:read', '--issuer', keygate.config.publicUrl, '--json'],
      {
        cwd: project,
        env: { KEYGATE_CLIENT_ID: client.clientId, KEYGATE_CLIENT_SECRET: client.clientSecret },
      },
    );
    expect(JSON.parse(printed)).toMatchObject({ token_type: 'Bearer', scope: 'agents-availability:read' });
  }, 120_000);

  it('stays importable as keygate/client from the server package', async () => {
    // The package's own name resolves to its exports from inside it, as from a project that depends on it.
    const names = await run(
      process.execPath,
      ['--input-type=module', '-e', "console.log(Object.keys(await import('keygate/client')).join(' '))"],
      { cwd: ROOT },
    );
    const client = await import('@keygate/client');
    expect(names.trim().split(' ')).toEqual(Object.keys(client).sort());
  });
});
