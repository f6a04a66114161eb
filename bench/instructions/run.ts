/**
 * bench/instructions — what one call costs, counted in instructions by callgrind (Debian's
 * valgrind), which this shared 2-core machine cannot move the way it moves wall-clock time. Each
 * process is measured alone under callgrind, pinned to CPU 0, the upstream on CPU 1:
 *   node:http + undici   bare-proxy.ts, the reference: a Node proxy with no checks
 *   keygate hit          Keygate's gateway (the gateway role alone, as on production's API hosts),
 *                        one token reused: the verified-token cache hit
 *   keygate miss         the same with a fresh token each call
 *   keygate forward-auth a forward-auth decision, as nginx asks it, one token reused
 * Each is warmed up with BENCH_WARM_UP calls (20,000; the miss path, which follows the hit path in
 * the same process, BENCH_MISS_WARM_UP, 2,000) over 4 keep-alive connections, then counted over two
 * windows of BENCH_CALLS calls (5,000) each. Two windows that differ hold different amounts of work
 * that is not per call: a major garbage collection in one and not the other, or the optimizing
 * compiler still at work (6,000 calls of warm-up left the first window up to twice the second).
 *
 *   npm run bench:instructions
 *   BENCH_BASELINE=<checkout>[,<checkout>…] …   # also other builds' gateways, one at a time
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { startProcess, stopProcess as stop } from '../../testkit/process.js';
import { benchTokens } from '../lib/bench-tokens.js';
import { benchKeygateEnvironment } from '../lib/keygate-env.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import {
  callgrindMissing,
  countDuring,
  type Instrumented,
  startUnderCallgrind,
  topFunctions,
} from './callgrind.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const warmUp = Number(process.env.BENCH_WARM_UP ?? 20_000);
const missWarmUp = Number(process.env.BENCH_MISS_WARM_UP ?? 2000);
const calls = Number(process.env.BENCH_CALLS ?? 5000);
const PATH = '/agents-availability?skillNames=Sales';
const ports = {
  upstream: 18_501,
  issuer: 18_502,
  issuerGateway: 18_503,
  metrics: 18_504,
  target: 18_505,
  forwardAuth: 18_506,
  targetMetrics: 18_507,
};

if (callgrindMissing) {
  console.error(`bench:instructions cannot run: ${callgrindMissing}`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'keygate-bench-instr-'));
const children: ChildProcess[] = [];

/** `count` calls over 4 keep-alive connections, each answered 200. */
async function callMany(url: string, count: number, headers: (i: number) => Record<string, string>) {
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, { connections: 4 });
  let next = 0;
  let failed = 0;
  let firstFailure = '';
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const answer = await pool.request({ method: 'GET', path: pathname + search, headers: headers(i) });
      if (answer.statusCode !== 200 && failed++ === 0) {
        firstFailure = `${answer.statusCode} ${(await answer.body.text()).slice(0, 300)}`;
      } else {
        await answer.body.dump();
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await pool.close();
  if (failed > 0) {
    throw new Error(
      `${failed} of ${count} calls to ${url} were not answered 200; the first: ${firstFailure}`,
    );
  }
}

interface Measured {
  name: string;
  /** Instructions per call in each counted window. */
  windows: number[];
}

async function measure(
  name: string,
  target: Instrumented,
  url: string,
  headers: (i: number) => Record<string, string>,
  warmUpCalls = warmUp,
): Promise<Measured> {
  await callMany(url, warmUpCalls, headers);
  const windows: number[] = [];
  for (let w = 0; w < 2; w++) {
    const offset = warmUpCalls + w * calls;
    const total = await countDuring(target, () => callMany(url, calls, (i) => headers(offset + i)));
    windows.push(total / calls);
  }
  return { name, windows };
}

async function startUpstream(): Promise<void> {
  const { child } = await startProcess(
    process.execPath,
    [plainNodeEntry(here('../gateway/upstream-server.ts')), String(ports.upstream)],
    { cpu: 1, echoStderr: true, ready: 'message' },
  );
  children.push(child);
}

/**
 * A Keygate of `checkout` with every role, not counted: it issues the tokens that build's counted
 * gateway checks, on a store of that build's own (builds migrate their stores differently).
 */
async function startIssuer(
  checkout: string,
  dir: string,
): Promise<{ child: ChildProcess; env: NodeJS.ProcessEnv; mint: (count: number) => Promise<string[]> }> {
  const env = benchKeygateEnvironment(dir, {
    keygate: ports.issuer,
    gateway: ports.issuerGateway,
    metrics: ports.metrics,
    upstream: ports.upstream,
  });
  const bin = join(checkout, 'bin/keygate.js');
  const { child } = await startProcess(process.execPath, [bin, 'start'], {
    env,
    echoStderr: true,
    ready: { url: `http://127.0.0.1:${ports.issuer}/healthz` },
  });
  children.push(child);
  const { mintMany } = benchTokens(bin, env, `http://127.0.0.1:${ports.issuer}`);
  return { child, env, mint: mintMany };
}

/** A gateway-only Keygate from `checkout`, under callgrind, checking the issuer's tokens. */
async function startGateway(checkout: string, issuerEnv: NodeJS.ProcessEnv): Promise<Instrumented> {
  const dir = mkdtempSync(join(work, 'callgrind-'));
  const target = await startUnderCallgrind(
    [join(checkout, 'bin/keygate.js'), 'start'],
    {
      ...issuerEnv,
      KEYGATE_ROLES: 'gateway',
      KEYGATE_GATEWAY_PORT: String(ports.target),
      KEYGATE_METRICS_PORT: String(ports.targetMetrics),
      KEYGATE_FORWARD_AUTH_PORT: String(ports.forwardAuth),
      KEYGATE_PUBLIC_URL: `http://127.0.0.1:${ports.issuer}`,
      // Under callgrind on a busy machine a call can wait longer than the default 10 s; the sweep
      // that keeps the time runs once a second either way.
      KEYGATE_UPSTREAM_TIMEOUT_MS: '120000',
      // Work a gateway does per second, not per call, lands in a window as the machine's speed
      // decides (a call under callgrind takes milliseconds): the change feed, read every 250 ms by
      // default (SQL each time), is read every 10 s here, so the counts follow the calls alone.
      KEYGATE_CHANGE_POLL_MS: '10000',
      KEYGATE_AUDIENCE: `http://127.0.0.1:${ports.issuerGateway}`,
    },
    `http://127.0.0.1:${ports.target}/healthz`,
    dir,
  );
  children.push(target.child);
  return target;
}

function row(measured: Measured, reference: Measured): string {
  const perCall = measured.windows.at(-1)!;
  const windows = measured.windows.map((w) => `${Math.round(w / 1000)} k`).join(' · ');
  const ratio = (perCall / reference.windows.at(-1)!).toFixed(2);
  return `| ${measured.name} | ${Math.round(perCall / 1000)} k | ${windows} | ${ratio} |`;
}

try {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  await startUpstream();
  const results: Measured[] = [];
  const tops: string[] = [];

  const bareDir = mkdtempSync(join(work, 'callgrind-'));
  const bare = await startUnderCallgrind(
    [
      plainNodeEntry(here('../gateway/bare-proxy.ts')),
      String(ports.target),
      `http://127.0.0.1:${ports.upstream}`,
    ],
    {},
    `http://127.0.0.1:${ports.target}${PATH}`,
    bareDir,
  );
  children.push(bare.child);
  const reference = await measure(
    'node:http + undici, no checks',
    bare,
    `http://127.0.0.1:${ports.target}${PATH}`,
    () => ({}),
  );
  results.push(reference);
  console.log(row(reference, reference));
  await stop(bare.child);

  const builds = [
    { name: 'keygate', checkout: here('../..') },
    ...(process.env.BENCH_BASELINE ?? '')
      .split(',')
      .filter(Boolean)
      .map((checkout, i) => ({
        name: `keygate @ ${(process.env.BENCH_BASELINE_NAME ?? '').split(',')[i] || checkout}`,
        checkout,
      })),
  ];
  for (const build of builds) {
    const issuer = await startIssuer(build.checkout, mkdtempSync(join(work, 'keygate-')));
    const [token] = await issuer.mint(1);
    const bearer = { authorization: `Bearer ${token}` };
    const fresh = await issuer.mint(missWarmUp + 2 * calls);
    const gateway = await startGateway(build.checkout, issuer.env);
    const url = `http://127.0.0.1:${ports.target}${PATH}`;
    results.push(await measure(`${build.name} hit`, gateway, url, () => bearer));
    if (build === builds[0]) tops.push(...topFunctions(gateway, 15));
    results.push(
      await measure(
        `${build.name} miss`,
        gateway,
        url,
        (i) => ({ authorization: `Bearer ${fresh[i]}` }),
        missWarmUp,
      ),
    );
    results.push(
      await measure(
        `${build.name} forward-auth decision`,
        gateway,
        `http://127.0.0.1:${ports.forwardAuth}/`,
        () => ({
          ...bearer,
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': PATH,
        }),
      ),
    );
    await stop(gateway.child);
    await stop(issuer.child);
    for (const measured of results.slice(-3)) console.log(row(measured, reference));
  }

  console.log(
    `\nInstructions per call (callgrind; ${warmUp} calls of warm-up, ${missWarmUp} for the miss path, then two windows of ${calls}):\n`,
  );
  console.log('| path | instructions per call | each window | × node:http + undici |');
  console.log('|---|---:|---|---:|');
  for (const measured of results) console.log(row(measured, reference));
  console.log(
    `\nTop functions of the keygate hit path (self instructions, last window):\n${tops.join('\n')}`,
  );
} finally {
  for (const child of children.reverse()) await stop(child);
  rmSync(work, { recursive: true, force: true });
}
