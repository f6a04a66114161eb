/**
 * bench/instructions — what one call costs, counted in instructions by callgrind (Debian's
 * valgrind), which this shared 2-core machine cannot move the way it moves wall-clock time. Each
 * process is measured alone under callgrind, pinned to CPU 0, the upstream on CPU 1:
 *   node:http + undici   bare-proxy.ts, the reference of the gateway's paths: a Node proxy, no checks
 *   Fastify + undici     fastify-proxy.ts: the same behind Fastify's router, what the framework costs
 *   keygate hit          Keygate's gateway (the gateway role alone, as on production's API hosts),
 *                        one token reused: the verified-token cache hit
 *   keygate miss         the same with a fresh token each call
 *   keygate DPoP         a DPoP-bound token with a fresh proof each call (RFC 9449), signed as it is sent
 *   keygate forward-auth a forward-auth decision, as nginx asks it, one token reused
 *   token floor          bench/token/floor-server.ts, the token endpoint's reference: Fastify and
 *                        node:crypto signing the same JWT, no client authentication, no store
 *   keygate token        Keygate's token service alone, client_secret_post, on the issuer's store
 * Each is warmed up with BENCH_WARM_UP calls (20,000; the miss and DPoP paths, which follow the hit
 * path in the same process, BENCH_MISS_WARM_UP, 2,000; token requests BENCH_TOKEN_WARM_UP, 4,000)
 * over 4 keep-alive connections (a Keygate process's first path, and forward-auth, for
 * BENCH_WARM_UP_SECONDS, 150, at least), then counted over BENCH_WINDOWS windows (3) of
 * BENCH_CALLS calls (5,000; token requests BENCH_TOKEN_CALLS, 1,000) each. A path's figure is its median window, and beside it what V8's
 * optimizing compilers and its collector counted in that window, and the rest (the call's own
 * work): windows that differ hold different amounts of work that is not per call (a major
 * collection in one and not the other), and a compiler count far from zero says the warm-up was
 * too short for that path.
 *
 *   npm run bench:instructions
 *   BENCH_PATHS=hit …                           # some paths only: hit, miss, dpop, forward-auth, token
 *   BENCH_BASELINE=<checkout>[,<checkout>…] …   # also other builds' gateways, one at a time
 *   BENCH_BASELINE_NODE=<node>[,<node>…] …      # on another Node line each (bench/lib/baselines.ts)
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { createDpopSigner } from '../../packages/client/src/key-proofs.js';
import { startProcess, stopProcess as stop } from '../../testkit/process.js';
import { type BaselineBuild as Build, baselineBuilds } from '../lib/baselines.js';
import { benchTokens } from '../lib/bench-tokens.js';
import { benchKeygateEnvironment } from '../lib/keygate-env.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import {
  type Counted,
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
const tokenWarmUp = Number(process.env.BENCH_TOKEN_WARM_UP ?? 4000);
const tokenCalls = Number(process.env.BENCH_TOKEN_CALLS ?? 1000);
const windowCount = Number(process.env.BENCH_WINDOWS ?? 3);
const warmUpSeconds = Number(process.env.BENCH_WARM_UP_SECONDS ?? 150);
const PATH = '/agents-availability?skillNames=Sales';
const PATHS = ['hit', 'miss', 'dpop', 'forward-auth', 'token'];
/** The paths to count; the miss, DPoP and forward-auth paths follow the hit in its process, so it comes with them. */
const chosen = new Set(process.env.BENCH_PATHS?.split(',').map((name) => name.trim()) ?? PATHS);
const unknownPaths = [...chosen].filter((name) => !PATHS.includes(name));
if (unknownPaths.length > 0) {
  console.error(`BENCH_PATHS names no such path: ${unknownPaths.join(', ')}; the paths: ${PATHS.join(', ')}`);
  process.exit(1);
}
const gatewayPaths = PATHS.slice(0, 4).some((name) => chosen.has(name));
const ports = {
  upstream: 18_501,
  issuer: 18_502,
  issuerGateway: 18_503,
  metrics: 18_504,
  target: 18_505,
  forwardAuth: 18_506,
  targetMetrics: 18_507,
  tokenService: 18_508,
};

if (callgrindMissing) {
  console.error(`bench:instructions cannot run: ${callgrindMissing}`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'keygate-bench-instr-'));
const children: ChildProcess[] = [];

/** One call of a path: GET of the path's URL with these headers, or a POST with a form. */
interface Call {
  headers: Record<string, string>;
  form?: string;
}

/** `count` calls over the pool's 4 keep-alive connections, each answered 200. */
async function callMany(pool: Pool, url: string, count: number, call: (i: number) => Call | Promise<Call>) {
  const { pathname, search } = new URL(url);
  let next = 0;
  let failed = 0;
  let firstFailure = '';
  const worker = async () => {
    while (next < count) {
      const { headers, form } = await call(next++);
      const answer = await pool.request({
        method: form === undefined ? 'GET' : 'POST',
        path: pathname + search,
        headers:
          form === undefined ? headers : { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      if (answer.statusCode !== 200 && failed++ === 0) {
        firstFailure = `${answer.statusCode} ${(await answer.body.text()).slice(0, 300)}`;
      } else {
        await answer.body.dump();
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (failed > 0) {
    throw new Error(
      `${failed} of ${count} calls to ${url} were not answered 200; the first: ${firstFailure}`,
    );
  }
}

interface Measured {
  name: string;
  /** What each counted window counted, per call. */
  windows: Counted[];
  /** What this path is held against, beside the bare proxy: its own target's reference. */
  against?: { name: string; measured: Measured } | undefined;
}

async function measure(
  name: string,
  target: Instrumented,
  url: string,
  call: (i: number) => Call | Promise<Call>,
  { warmUpCalls = warmUp, windowCalls = calls, warmUpFor = 0 } = {},
): Promise<Measured> {
  // The same 4 connections from the warm-up to the last window, as a proxy's or a client's
  // keep-alive connections are: new connections in each window made the process's own sockets
  // change shape, and some 65 optimized functions were compiled again inside the count.
  const pool = new Pool(new URL(url).origin, { connections: 4 });
  try {
    const started = Date.now();
    await callMany(pool, url, warmUpCalls, call);
    let warmedUp = warmUpCalls;
    while (Date.now() - started < warmUpFor * 1000) {
      const offset = warmedUp;
      await callMany(pool, url, 1000, (i) => call(offset + i));
      warmedUp += 1000;
    }
    const windows: Counted[] = [];
    for (let w = 0; w < windowCount; w++) {
      const offset = warmedUp + w * windowCalls;
      const counted = await countDuring(target, () =>
        callMany(pool, url, windowCalls, (i) => call(offset + i)),
      );
      windows.push({
        total: counted.total / windowCalls,
        compiler: counted.compiler / windowCalls,
        collector: counted.collector / windowCalls,
      });
    }
    return { name, windows };
  } finally {
    await pool.close();
  }
}

async function startUpstream(): Promise<void> {
  const { child } = await startProcess(
    process.execPath,
    [plainNodeEntry(here('../gateway/upstream-server.ts')), String(ports.upstream)],
    { cpu: 1, echoStderr: true, ready: 'message' },
  );
  children.push(child);
}

interface Issuer {
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
  mint: ReturnType<typeof benchTokens>['mint'];
  mintMany: ReturnType<typeof benchTokens>['mintMany'];
  /** The token request of the bench's credential (client_secret_post). */
  form: string;
}

/**
 * A Keygate of `checkout` with every role, not counted: it issues the tokens that build's counted
 * gateway checks, on a store of that build's own (builds migrate their stores differently).
 */
async function startIssuer({ checkout, node }: Build, dir: string): Promise<Issuer> {
  const env = benchKeygateEnvironment(dir, {
    keygate: ports.issuer,
    gateway: ports.issuerGateway,
    metrics: ports.metrics,
    upstream: ports.upstream,
  });
  const bin = join(checkout, 'bin/keygate.js');
  const { child } = await startProcess(node, [bin, 'start'], {
    env,
    echoStderr: true,
    ready: { url: `http://127.0.0.1:${ports.issuer}/healthz` },
  });
  children.push(child);
  return { child, env, ...benchTokens(bin, env, `http://127.0.0.1:${ports.issuer}`, node) };
}

/** One role of `checkout` alone, under callgrind, on the issuer's store and keys. */
async function startRole(
  { checkout, node }: Build,
  issuerEnv: NodeJS.ProcessEnv,
  role: 'gateway' | 'token-service',
): Promise<Instrumented> {
  const dir = mkdtempSync(join(work, 'callgrind-'));
  const listener =
    role === 'gateway'
      ? { KEYGATE_GATEWAY_PORT: String(ports.target), KEYGATE_FORWARD_AUTH_PORT: String(ports.forwardAuth) }
      : { KEYGATE_PORT: String(ports.tokenService) };
  const port = role === 'gateway' ? ports.target : ports.tokenService;
  const target = await startUnderCallgrind(
    [join(checkout, 'bin/keygate.js'), 'start'],
    {
      ...issuerEnv,
      ...listener,
      KEYGATE_ROLES: role,
      KEYGATE_METRICS_PORT: String(ports.targetMetrics),
      KEYGATE_PUBLIC_URL: `http://127.0.0.1:${ports.issuer}`,
      // Under callgrind on a busy machine a call can wait longer than the default 10 s; the sweep
      // that keeps the time runs once a second either way.
      KEYGATE_UPSTREAM_TIMEOUT_MS: '120000',
      // Work a process does per second, not per call, lands in a window as the machine's speed
      // decides (a call under callgrind takes milliseconds): the change feed, read every 250 ms by
      // default (SQL each time), is read every 10 s here, so the counts follow the calls alone.
      KEYGATE_CHANGE_POLL_MS: '10000',
      KEYGATE_AUDIENCE: `http://127.0.0.1:${ports.issuerGateway}`,
    },
    `http://127.0.0.1:${port}/healthz`,
    dir,
    node,
  );
  children.push(target.child);
  return target;
}

/** A path a build cannot serve (an older one, say) is reported as such, not fatal to the run. */
async function unlessRefused(name: string, run: () => Promise<Measured>): Promise<Measured | undefined> {
  try {
    return await run();
  } catch (error) {
    console.error(`${name}: not measured: ${(error as Error).message.slice(0, 300)}`);
    return undefined;
  }
}

/** A path's figure: its median window, so one window that a major collection lands in does not decide it. */
function median(measured: Measured): Counted {
  const sorted = [...measured.windows].sort((a, b) => a.total - b.total);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

const thousands = (n: number) => `${Math.round(n / 1000).toLocaleString('en')} k`;

function row(measured: Measured, reference: Measured): string {
  const figure = median(measured);
  const windows = measured.windows.map((w) => thousands(w.total)).join(' · ');
  const ratio = (figure.total / median(reference).total).toFixed(2);
  const against = measured.against
    ? `${(figure.total / median(measured.against.measured).total).toFixed(2)} × ${measured.against.name}`
    : '';
  const own = thousands(figure.total - figure.compiler - figure.collector);
  return `| ${measured.name} | ${thousands(figure.total)} | ${windows} | ${thousands(figure.compiler)} | ${thousands(figure.collector)} | ${own} | ${ratio} | ${against} |`;
}

const HEADER = [
  '| path | instructions per call | each window | compiler | collector | the rest | × node:http + undici | × its reference |',
  '|---|---:|---|---:|---:|---:|---:|---|',
].join('\n');

const gatewayUrl = `http://127.0.0.1:${ports.target}${PATH}`;
/** What a DPoP proof's `htu` names: the gateway's public origin (its audience), not its port here. */
const dpopUrl = `http://127.0.0.1:${ports.issuerGateway}${PATH}`;

/** One build's gateway paths and token endpoint, each process alone under callgrind. */
async function measureBuild(build: Build, tops: string[] | undefined): Promise<Measured[]> {
  const measured: Measured[] = [];
  const issuer = await startIssuer(build, mkdtempSync(join(work, 'keygate-')));
  if (gatewayPaths) measured.push(...(await measureGateway(build, issuer, tops)));
  if (chosen.has('token')) {
    const tokenService = await startRole(build, issuer.env, 'token-service');
    const token = await unlessRefused(`${build.name} token`, () =>
      measure(
        `${build.name} token request`,
        tokenService,
        `http://127.0.0.1:${ports.tokenService}/Auth/connect/token`,
        () => ({ headers: {}, form: issuer.form }),
        { warmUpCalls: tokenWarmUp, windowCalls: tokenCalls, warmUpFor: warmUpSeconds },
      ),
    );
    if (token) measured.push(token);
    await stop(tokenService.child);
  }
  await stop(issuer.child);
  return measured;
}

/** The hit, then the miss, DPoP and forward-auth paths asked for, in one gateway process. */
async function measureGateway(build: Build, issuer: Issuer, tops: string[] | undefined): Promise<Measured[]> {
  const measured: Measured[] = [];
  const bearer = { authorization: `Bearer ${await issuer.mint()}` };
  const gateway = await startRole(build, issuer.env, 'gateway');
  // Past every periodic event of the process (the account cache's minute, a connection's keep-alive
  // end) at least once before counting: each first run of such a path is compiled, and with 20,000
  // calls alone (under a minute under callgrind) that compiling landed in a counted window.
  const hit = await measure(`${build.name} hit`, gateway, gatewayUrl, () => ({ headers: bearer }), {
    warmUpFor: warmUpSeconds,
  });
  measured.push(hit);
  tops?.push(...topFunctions(gateway, 15));
  const fewer = { warmUpCalls: missWarmUp };
  if (chosen.has('miss')) {
    const fresh = await issuer.mintMany(missWarmUp + windowCount * calls);
    measured.push(
      await measure(
        `${build.name} miss`,
        gateway,
        gatewayUrl,
        (i) => ({ headers: { authorization: `Bearer ${fresh[i]}` } }),
        fewer,
      ),
    );
  }
  const signer = createDpopSigner();
  const bound = chosen.has('dpop')
    ? await issuer.mint({
        dpop: await signer.proof('POST', `http://127.0.0.1:${ports.issuer}/Auth/connect/token`),
      })
    : undefined;
  const dpop =
    bound === undefined
      ? undefined
      : await unlessRefused(`${build.name} DPoP`, () =>
          measure(
            `${build.name} DPoP`,
            gateway,
            gatewayUrl,
            // Signed by this process as each call is sent (a proof is taken for a minute after its
            // `iat`, and a window under callgrind can last longer): outside the gateway's count.
            async () => ({
              headers: {
                authorization: `DPoP ${bound}`,
                dpop: await signer.proof('GET', dpopUrl, { accessToken: bound }),
              },
            }),
            fewer,
          ),
        );
  if (dpop) measured.push({ ...dpop, against: { name: 'hit', measured: hit } });
  const decision = chosen.has('forward-auth')
    ? await unlessRefused(`${build.name} forward-auth`, () =>
        measure(
          `${build.name} forward-auth decision`,
          gateway,
          `http://127.0.0.1:${ports.forwardAuth}/`,
          () => ({
            headers: { ...bearer, 'x-forwarded-method': 'GET', 'x-forwarded-uri': PATH },
          }),
          // Its listener, routes and answer run for the first time here: as long a warm-up as the
          // hit's, or its periodic events land in a counted window (on Node 24 its windows spread
          // from 111 k to 185 k with 20,000 calls of warm-up alone).
          { warmUpFor: warmUpSeconds },
        ),
      )
    : undefined;
  if (decision) measured.push({ ...decision, against: { name: 'hit', measured: hit } });
  await stop(gateway.child);
  return measured;
}

/** A reference server of the bench's own (`entry` with `args`), alone under callgrind, for one path. */
async function measureReference(
  name: string,
  entry: string,
  args: string[],
  readyUrl: string,
  url: string,
  call: () => Call,
  counts?: { warmUpCalls: number; windowCalls: number },
): Promise<Measured> {
  const reference = await startUnderCallgrind(
    [plainNodeEntry(here(entry)), ...args],
    {},
    readyUrl,
    mkdtempSync(join(work, 'callgrind-')),
  );
  children.push(reference.child);
  const measured = await measure(name, reference, url, call, counts);
  await stop(reference.child);
  return measured;
}

try {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  await startUpstream();
  const results: Measured[] = [];
  const tops: string[] = [];

  const proxyArgs = [String(ports.target), `http://127.0.0.1:${ports.upstream}`];
  const reference = await measureReference(
    'node:http + undici, no checks',
    '../gateway/bare-proxy.ts',
    proxyArgs,
    gatewayUrl,
    gatewayUrl,
    () => ({ headers: {} }),
  );
  results.push(reference);
  if (gatewayPaths) {
    results.push(
      await measureReference(
        'Fastify + undici, no checks',
        '../gateway/fastify-proxy.ts',
        proxyArgs,
        `http://127.0.0.1:${ports.target}/healthz`,
        gatewayUrl,
        () => ({ headers: {} }),
      ),
    );
  }
  // The token endpoint's reference: Fastify and node:crypto signing the same JWT, nothing else.
  const form = new URLSearchParams({ client_id: 'bench', scope: 'agents-availability:read' }).toString();
  const floor = chosen.has('token')
    ? await measureReference(
        'token floor: Fastify + node:crypto',
        '../token/floor-server.ts',
        [String(ports.tokenService), 'keygate'],
        `http://127.0.0.1:${ports.tokenService}/healthz`,
        `http://127.0.0.1:${ports.tokenService}/token`,
        () => ({ headers: {}, form }),
        { warmUpCalls: tokenWarmUp, windowCalls: tokenCalls },
      )
    : undefined;
  if (floor) results.push(floor);
  console.log(HEADER);
  for (const measured of results) console.log(row(measured, reference));

  const builds: Build[] = [
    { name: 'keygate', checkout: here('../..'), node: process.execPath },
    ...baselineBuilds().map((build) => ({ ...build, name: `keygate @ ${build.name}` })),
  ];
  for (const build of builds) {
    const measured = await measureBuild(build, build === builds[0] ? tops : undefined).catch((error) => {
      // A baseline that cannot run this bench (an older build, say) is named, and the run goes on.
      if (build === builds[0]) throw error;
      console.error(`${build.name}: not measured: ${(error as Error).message.slice(0, 300)}`);
      return [];
    });
    for (const m of measured) {
      if (floor && m.name.endsWith('token request')) m.against = { name: 'token floor', measured: floor };
      results.push(m);
      console.log(row(m, reference));
    }
  }

  console.log(
    `\nInstructions per call (callgrind; ${warmUp} calls of warm-up, ${missWarmUp} for the miss and DPoP paths, ${tokenWarmUp} for token requests, and a Keygate process's first path and forward-auth at least ${warmUpSeconds} s; then ${windowCount} windows of ${calls}, of ${tokenCalls} for token requests; the median window, and of it what V8's optimizing compilers and its collector counted):\n`,
  );
  console.log(HEADER);
  for (const measured of results) console.log(row(measured, reference));
  console.log(
    `\nTop functions of the keygate hit path (self instructions, last window):\n${tops.join('\n')}`,
  );
} finally {
  for (const child of children.reverse()) await stop(child);
  rmSync(work, { recursive: true, force: true });
}
