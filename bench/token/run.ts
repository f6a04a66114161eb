/**
 * bench/token — token endpoint throughput and latency, side by side in one run:
 *   floor          a bare Fastify route that only signs the same JWT (ES256), with Keygate's signer and with jose
 *   oidc-provider  node-oidc-provider, client credentials, JWT access tokens, ES256
 *   keygate        the real thing, with N stored credentials (one row per N in BENCH_CREDENTIALS)
 * Each server runs in its own process pinned to CPU 0; autocannon drives it from this process.
 *
 *   npm run bench:token                        # 10 s per server, 50 connections, 10 and 100000 credentials
 *   BENCH_SECONDS=30 BENCH_CREDENTIALS=10 npm run bench:token
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadResult, load, startPinned, stop, table } from '../lib/harness.js';
import { BENCH_CLIENT_ID, BENCH_SCOPE } from './shared.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const credentialCounts = (process.env.BENCH_CREDENTIALS ?? '10,100000').split(',').map(Number);
const form = (clientId: string, clientSecret: string) =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope: BENCH_SCOPE,
  }).toString();
const headers = { 'content-type': 'application/x-www-form-urlencoded' };

async function expectToken(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const json = (await response.json()) as { access_token?: string };
  if (!response.ok || !json.access_token)
    throw new Error(`${url} did not issue a token: ${JSON.stringify(json)}`);
}

const results: LoadResult[] = [];

for (const [signer, name] of [
  ['keygate', 'floor (Fastify + node:crypto sign, as Keygate)'],
  ['jose', 'floor with jose (Fastify + jose sign)'],
] as const) {
  const port = 18_201;
  const server = await startPinned('node', [here('./floor-server.ts'), String(port), signer], process.env, {
    ipc: true,
  });
  try {
    const url = `http://127.0.0.1:${port}/token`;
    const body = form(BENCH_CLIENT_ID, 'unused');
    await expectToken(url, body);
    results.push(await load(name, { url, body, headers, connections, seconds }));
  } finally {
    await stop(server);
  }
}

{
  const port = 18_202;
  const secret = randomBytes(32).toString('base64url');
  const server = await startPinned(
    'node',
    [here('./oidc-provider-server.ts'), String(port), secret],
    process.env,
    { ipc: true },
  );
  try {
    const url = `http://127.0.0.1:${port}/token`;
    const body = form(BENCH_CLIENT_ID, secret);
    await expectToken(url, body);
    results.push(await load('oidc-provider', { url, body, headers, connections, seconds }));
  } finally {
    await stop(server);
  }
}

for (const count of credentialCounts) {
  const port = 18_203;
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const env = {
    ...process.env,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_PORT: String(port),
    KEYGATE_LOG_LEVEL: 'warn',
  };
  const seeded = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', here('./seed-keygate.ts'), String(count)], {
      env,
      encoding: 'utf8',
    }),
  ) as { client_id: string; client_secret: string };
  const server = await startPinned(process.execPath, [here('../../bin/keygate.js'), 'start'], env, {
    url: `http://127.0.0.1:${port}/healthz`,
  });
  try {
    const url = `http://127.0.0.1:${port}/Auth/connect/token`;
    const body = form(seeded.client_id, seeded.client_secret);
    await expectToken(url, body);
    results.push(await load(`keygate (${count} credentials)`, { url, body, headers, connections, seconds }));
  } finally {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const report = table(results, 'oidc-provider');
const floor = results[0]!;
const ratios = results
  .filter((r) => r.name.startsWith('keygate'))
  .map(
    (r) => `${r.name}: ${((r.requestsPerSecond / floor.requestsPerSecond) * 100).toFixed(0)} % of the floor`,
  )
  .join('; ');
process.stdout.write(
  `\n${report}\n\n${ratios}\n(${seconds} s per server after a warm-up, ${connections} connections, servers pinned to one core)\n`,
);
mkdirSync(here('../results'), { recursive: true });
writeFileSync(
  here('../results/token.json'),
  `${JSON.stringify({ date: new Date().toISOString(), seconds, connections, results }, null, 2)}\n`,
);
