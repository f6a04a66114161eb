/**
 * bench/key-bound — what credentials bound to a key cost, side by side in one run:
 *   token endpoint   client_secret_post against private_key_jwt (RFC 7523), a fresh assertion each request
 *   gateway          nginx as a plain reverse proxy; Keygate with a bearer token (cache hit); Keygate
 *                    with a DPoP-bound token (RFC 9449) and a fresh proof each call: one more
 *                    signature check and one write of the proof's ID to the store per call
 * Keygate and nginx are pinned to CPU 0; the upstream (the Agent Availability sample) and wrk to
 * CPU 1. Assertions and proofs are signed by this process just before each round (wrk cannot sign),
 * and wrk sends each once, from a file.
 *
 *   npm run bench:key-bound          # 3 rounds × 10 s per path, 50 connections
 *   BENCH_BASELINE=<built checkout> BENCH_BASELINE_NAME=before npm run bench:key-bound
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClientAssertions, createDpopSigner } from '../../packages/client/src/key-proofs.js';
import { startNginx } from '../../testkit/nginx.js';
import { startProcess, stopProcess } from '../../testkit/process.js';
import { type LoadResult, median, table } from '../lib/harness.js';
import { benchKeygateEnvironment } from '../lib/keygate-env.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import { hasWrk, wrkLoad, wrkScriptOverLines } from '../lib/wrk.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
// More one-time proofs per round than a round can send: a reused one is refused, and counted.
const proofsPerRound = Number(process.env.BENCH_PROOFS ?? 60_000);
const SCOPE = 'agents-availability:read';
const PATH = '/agents-availability?skillNames=Sales';
// Keygate builds at keygate + 10 × i: token service, gateway, metrics.
const ports = { upstream: 18_501, nginx: 18_502, keygate: 18_510 };
const work = mkdtempSync(join(tmpdir(), 'keygate-bench-keys-'));
const children: ChildProcess[] = [];

if (!hasWrk) throw new Error('bench:key-bound needs wrk (apt-get install wrk)');
// The load generator and the signing (this process) belong on CPU 1, leaving CPU 0 to the servers.
execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

async function startUpstream(): Promise<void> {
  const entry = plainNodeEntry(here('../gateway/upstream-server.ts'));
  const { child } = await startProcess(process.execPath, [entry, String(ports.upstream)], {
    cpu: 1,
    echoStderr: true,
    ready: 'message',
  });
  children.push(child);
}

interface KeygateUnderTest {
  name: string;
  pid: number;
  tokenUrl: string;
  gatewayUrl: string;
  bearer: string;
  bound: string;
  secretForm: string;
  /** A form for the key credential with a fresh client assertion. */
  keyForm(): Promise<string>;
  dpop: ReturnType<typeof createDpopSigner>;
}

/** Keygate built in `checkout` (this one, or a BENCH_BASELINE), with its credentials and tokens. */
async function startKeygate(checkout: string, name: string, index: number): Promise<KeygateUnderTest> {
  const dir = join(work, `keygate-${index}`);
  const port = ports.keygate + 10 * index;
  const env = benchKeygateEnvironment(dir, {
    keygate: port,
    gateway: port + 1,
    metrics: port + 2,
    upstream: ports.upstream,
  });
  const bin = join(checkout, 'bin/keygate.js');
  const { child: keygate } = await startProcess(process.execPath, [bin, 'start'], {
    env,
    cpu: 0,
    echoStderr: true,
    ready: { url: `http://127.0.0.1:${port}/healthz` },
  });
  children.push(keygate);
  const create = (extra: string[]): { client_id: string; client_secret?: string } =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [bin, 'credentials', 'create', '--name', 'bench', '--scope', SCOPE, ...extra, '--json'],
        { env, encoding: 'utf8' },
      ),
    );
  const tokenUrl = `http://127.0.0.1:${port}/Auth/connect/token`;
  const withSecret = create([]);
  const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = join(dir, 'client.pem');
  writeFileSync(pem, clientKey.publicKey.export({ type: 'spki', format: 'pem' }));
  const withKey = create(['--public-key', pem]);
  const assertions = createClientAssertions(withKey.client_id, clientKey.privateKey);
  const dpop = createDpopSigner();
  const secretForm = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: SCOPE,
    client_id: withSecret.client_id,
    client_secret: withSecret.client_secret!,
  }).toString();
  const keyForm = async () =>
    new URLSearchParams({
      grant_type: 'client_credentials',
      scope: SCOPE,
      client_id: withKey.client_id,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertions(tokenUrl),
    }).toString();
  const ask = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    const json = (await response.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`${name}: no token: ${JSON.stringify(json)}`);
    return json.access_token;
  };
  await ask(await keyForm());
  return {
    name,
    pid: keygate.pid!,
    tokenUrl,
    gatewayUrl: `http://127.0.0.1:${port + 1}${PATH}`,
    bearer: await ask(secretForm),
    bound: await ask(secretForm, { dpop: await dpop.proof('POST', tokenUrl) }),
    secretForm,
    keyForm,
    dpop,
  };
}

async function signMany(count: number, sign: () => Promise<string>): Promise<string[]> {
  const signed: string[] = [];
  for (let i = 0; i < count; i += 500) signed.push(...(await Promise.all(Array.from({ length: 500 }, sign))));
  return signed;
}

try {
  await startUpstream();
  const { child: nginx } = await startNginx(
    join(work, 'nginx'),
    `upstream api { server 127.0.0.1:${ports.upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${ports.nginx};
    location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }`,
    { ready: { url: `http://127.0.0.1:${ports.nginx}${PATH}` }, cpu: 0 },
  );
  children.push(nginx);
  // BENCH_BASELINE: other built checkouts, comma-separated, each measured beside this build.
  const baselines = (process.env.BENCH_BASELINE ?? '').split(',').filter(Boolean);
  const names = (process.env.BENCH_BASELINE_NAME ?? '').split(',');
  const builds = [await startKeygate(here('../..'), 'keygate', 0)];
  for (const [i, checkout] of baselines.entries()) {
    builds.push(await startKeygate(checkout, `keygate @ ${names[i] || checkout}`, i + 1));
  }

  const gatewayRounds = new Map<string, LoadResult[]>();
  const tokenRounds = new Map<string, LoadResult[]>();
  const add = (into: Map<string, LoadResult[]>, result: LoadResult) =>
    into.set(result.name, [...(into.get(result.name) ?? []), result]);
  const run = (
    name: string,
    url: string,
    pid: number,
    extra: { headers?: Record<string, string>; script?: string },
  ) => wrkLoad(name, { url, connections, seconds, measurePid: pid, ...extra });
  const formScript = `return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, line)`;

  for (let round = 0; round < roundCount; round++) {
    add(gatewayRounds, await run('nginx', `http://127.0.0.1:${ports.nginx}${PATH}`, nginx.pid!, {}));
    for (const [b, k] of builds.entries()) {
      add(
        gatewayRounds,
        await run(`${k.name}, bearer token`, k.gatewayUrl, k.pid, {
          headers: { authorization: `Bearer ${k.bearer}` },
        }),
      );
      const proofs = await signMany(proofsPerRound, () =>
        k.dpop.proof('GET', k.gatewayUrl, { accessToken: k.bound }),
      );
      const dpopScript = wrkScriptOverLines(
        work,
        `proofs-${b}-${round}`,
        proofs,
        `return wrk.format(nil, nil, { ["Authorization"] = "DPoP ${k.bound}", ["DPoP"] = line })`,
      );
      add(
        gatewayRounds,
        await run(`${k.name}, DPoP token and proof`, k.gatewayUrl, k.pid, { script: dpopScript }),
      );
      const secretScript = wrkScriptOverLines(work, `secret-${b}-${round}`, [k.secretForm], formScript);
      add(
        tokenRounds,
        await run(`${k.name}, client_secret_post`, k.tokenUrl, k.pid, { script: secretScript }),
      );
      const signed = await signMany(proofsPerRound, k.keyForm);
      const keyScript = wrkScriptOverLines(work, `assertions-${b}-${round}`, signed, formScript);
      add(tokenRounds, await run(`${k.name}, private_key_jwt`, k.tokenUrl, k.pid, { script: keyScript }));
    }
  }

  const gateway = [...gatewayRounds.values()].map(median);
  const tokens = [...tokenRounds.values()].map(median);
  const rate = (list: LoadResult[], name: string) => list.find((r) => r.name === name)!.requestsPerSecond;
  const ratios = builds.map((k) => {
    const dpopRate = rate(gateway, `${k.name}, DPoP token and proof`);
    const keyRate = rate(tokens, `${k.name}, private_key_jwt`);
    return `${k.name}: DPoP ${(dpopRate / rate(gateway, `${k.name}, bearer token`)).toFixed(2)}× its bearer path, ${(dpopRate / rate(gateway, 'nginx')).toFixed(2)}× nginx; private_key_jwt ${(keyRate / rate(tokens, `${k.name}, client_secret_post`)).toFixed(2)}× its secrets`;
  });
  const report = [
    table(gateway, 'nginx'),
    '',
    table(tokens, 'keygate, client_secret_post'),
    '',
    ...ratios.map((line) => `- ${line}`),
    '',
    `(median of ${roundCount} rounds of ${seconds} s; ${connections} connections; wrk; servers pinned to CPU 0, upstream and load on CPU 1; proxy CPU = share of its core used)`,
  ].join('\n');
  process.stdout.write(`\n${report}\n`);
  const failed = [...gateway, ...tokens].filter((r) => r.non2xx > 0 || r.errors > 0);
  if (failed.length > 0) {
    process.stderr.write(
      `warning: refused or failed requests in ${failed.map((r) => r.name).join(', ')}; raise BENCH_PROOFS above ${proofsPerRound} if a round ran out of proofs\n`,
    );
  }
  mkdirSync(here('../results'), { recursive: true });
  writeFileSync(
    here('../results/key-bound.json'),
    `${JSON.stringify({ date: new Date().toISOString(), seconds, rounds: roundCount, connections, gateway, tokens }, null, 2)}\n`,
  );
} finally {
  for (const child of children.reverse()) await stopProcess(child);
  rmSync(work, { recursive: true, force: true });
}
