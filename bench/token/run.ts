/**
 * bench/token — token endpoint throughput and latency, side by side in one run:
 *   floor          a bare Fastify route that only signs the same JWT (ES256), with Keygate's signer and with jose
 *   oidc-provider  node-oidc-provider, client credentials, JWT access tokens, ES256
 *   keygate        the real thing, with N stored credentials (one row per N in BENCH_CREDENTIALS)
 * Each server runs in its own process pinned to CPU 0; autocannon drives it from this process.
 *
 *   npm run bench:token        # 3 rounds × 10 s per server, 50 connections, 10 and 100000 credentials
 *   BENCH_SECONDS=30 BENCH_CREDENTIALS=10 npm run bench:token
 *   BENCH_BASELINE=<built checkout> BENCH_BASELINE_NAME=before npm run bench:token   # another build beside
 *   BENCH_BASELINE_NODE=<node binary> …   # that build on another Node line (bench/lib/baselines.ts)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../../testkit/process.js';
import { baselineBuilds } from '../lib/baselines.js';
import { type LoadResult, load, median, table } from '../lib/harness.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import { BENCH_CLIENT_ID, BENCH_SCOPE } from './shared.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const credentialCounts = (process.env.BENCH_CREDENTIALS ?? '10,100000').split(',').map(Number);
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
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

interface Contestant {
  name: string;
  url: string;
  body: string;
  stop(): Promise<void>;
}

async function floorServer(signer: 'keygate' | 'jose', name: string, port: number): Promise<Contestant> {
  const server = await startProcess(
    process.execPath,
    [plainNodeEntry(here('./floor-server.ts')), String(port), signer],
    {
      cpu: 0,
      echoStderr: true,
      ready: 'message',
    },
  );
  return {
    name,
    url: `http://127.0.0.1:${port}/token`,
    body: form(BENCH_CLIENT_ID, 'unused'),
    stop: server.stop,
  };
}

async function oidcProvider(port: number): Promise<Contestant> {
  const secret = randomBytes(32).toString('base64url');
  const server = await startProcess(
    process.execPath,
    [plainNodeEntry(here('./oidc-provider-server.ts')), String(port), secret],
    { cpu: 0, echoStderr: true, ready: 'message' },
  );
  return {
    name: 'oidc-provider',
    url: `http://127.0.0.1:${port}/token`,
    body: form(BENCH_CLIENT_ID, secret),
    stop: server.stop,
  };
}

/**
 * Keygate with `count` stored credentials, from this checkout or another one (`checkout`, built),
 * run by `node` (another Node line's, for a checkout installed under it).
 */
async function keygate(
  count: number,
  port: number,
  checkout = here('../..'),
  name = `keygate (${count} credentials)`,
  node = process.execPath,
): Promise<Contestant> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const env = {
    ...process.env,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_PORT: String(port),
    // Every contestant runs at once: each needs its own gateway port (the default, 8081, is one),
    // and the samples any free one.
    KEYGATE_GATEWAY_PORT: String(port + 100),
    KEYGATE_SAMPLES_PORT: '0',
    KEYGATE_METRICS_PORT: '0',
    KEYGATE_LOG_LEVEL: 'warn',
  };
  const seeded = JSON.parse(
    // Each build seeds its own store: a store migrated by a newer Keygate is refused by an older one.
    execFileSync(node, ['--import', 'tsx', join(checkout, 'bench/token/seed-keygate.ts'), String(count)], {
      env,
      encoding: 'utf8',
      cwd: checkout,
    }),
  ) as { client_id: string; client_secret: string };
  const server = await startProcess(node, [join(checkout, 'bin/keygate.js'), 'start'], {
    env,
    cpu: 0,
    echoStderr: true,
    ready: { url: `http://127.0.0.1:${port}/healthz` },
  });
  return {
    name,
    url: `http://127.0.0.1:${port}/Auth/connect/token`,
    body: form(seeded.client_id, seeded.client_secret),
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Every server runs at once (idle ones cost nothing) and the load visits them in turn, round after
// round, so a slow minute of this shared machine hits all of them alike; the median round counts.
const contestants: Contestant[] = [];
let results: LoadResult[] = [];
try {
  contestants.push(await floorServer('keygate', 'floor (Fastify + node:crypto sign, as Keygate)', 18_201));
  contestants.push(await floorServer('jose', 'floor with jose (Fastify + jose sign)', 18_202));
  contestants.push(await oidcProvider(18_203));
  for (const [i, count] of credentialCounts.entries()) contestants.push(await keygate(count, 18_210 + i));
  for (const [i, build] of baselineBuilds().entries()) {
    const count = credentialCounts[0]!;
    const name = `keygate @ ${build.name} (${count} credentials)`;
    contestants.push(await keygate(count, 18_220 + i, build.checkout, name, build.node));
  }
  for (const c of contestants) await expectToken(c.url, c.body);

  const rounds = new Map<string, LoadResult[]>(contestants.map((c) => [c.name, []]));
  for (let round = 0; round < roundCount; round++) {
    for (const c of contestants) {
      rounds.get(c.name)!.push(
        await load(c.name, {
          url: c.url,
          body: c.body,
          headers,
          connections,
          seconds,
          warmup: round === 0,
        }),
      );
    }
  }
  results = contestants.map((c) => median(rounds.get(c.name)!));
} finally {
  for (const c of contestants) await c.stop();
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
  `\n${report}\n\n${ratios}\n(median of ${roundCount} rounds of ${seconds} s per server, taken in turn after a warm-up; ${connections} connections; servers pinned to one core, load from the other)\n`,
);
mkdirSync(here('../results'), { recursive: true });
writeFileSync(
  here('../results/token.json'),
  `${JSON.stringify({ date: new Date().toISOString(), seconds, rounds: roundCount, connections, results }, null, 2)}\n`,
);
