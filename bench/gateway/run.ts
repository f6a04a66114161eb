/**
 * bench/gateway — one upstream (the Agent Availability sample, its own process), one client load,
 * several paths to it, measured in turn in one run:
 *   direct              the load generator calls the upstream
 *   nginx               nginx (Debian package) as a plain reverse proxy, one worker, keep-alive upstream
 *   node:http + undici  bare-proxy.ts: the floor for a gateway written in Node (no framework, no checks)
 *   keygate (hit)       Keygate's gateway with every check on — token, scope, rate limit — one reused token
 *   keygate (miss)      the same with a fresh token on every request (signature check each time)
 *   gateway role only   Keygate started with KEYGATE_ROLES=gateway, as on production's API hosts:
 *                       the same checks, in a process that serves nothing else (cache hit)
 *   nginx + forward-auth nginx proxying, asking Keygate's forward-auth listener about each call
 *                       (docs/forward-auth.md's configuration as written; cache hit): nginx and
 *                       Keygate share CPU 0, as Keygate's own proxy has it alone
 *   … (admissions cached) the same with docs/forward-auth.md's caching configuration: nginx reuses
 *                       each admission for the rest of its clock second and counts fair usage itself
 *   keygate, tracing on (100 %)  with BENCH_TRACING=1: the cache-hit path through a Keygate with tracing
 *                       on, every trace sampled, exporting OTLP/HTTP to a receiver on CPU 1
 *                       (tracing-row.ts); its ratio to the cache-hit row and the exports are printed
 * The proxies are pinned to CPU 0; upstream and load generator share CPU 1 (this process pins itself
 * there, and wrk — Debian package, a C load generator that leaves the upstream the most of that core —
 * drives the throughput runs when installed; autocannon otherwise). The proxy's CPU use is reported
 * beside its throughput: a proxy that has not used its whole core was not the bottleneck. Then, at half
 * of Keygate's peak, the latency each proxy (nginx and the bare Node proxy included, as the floor this
 * machine sets) adds over the direct call (bench/lib/fixed-rate.ts, in µs).
 *
 *   npm run bench:gateway            # 3 rounds × 10 s per path, 50 connections
 *   BENCH_BASELINE=<checkout> …      # also another build of Keygate (baseline.ts), in the same run
 *   BENCH_BASELINE_NODE=<node> …     # that build on another Node line (bench/lib/baselines.ts)
 *   BENCH_TRACING=1 …                # also Keygate with tracing on (tracing-row.ts), in the same run
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  documentedCachingConfiguration,
  documentedConfiguration,
  withPlaceholders,
} from '../../test/helpers/documented-config.js';
import { startNginx as startNginxIn } from '../../testkit/nginx.js';
import { startProcess, stopProcess } from '../../testkit/process.js';
import { baselineBuilds } from '../lib/baselines.js';
import { benchTokens } from '../lib/bench-tokens.js';
import { cpuGaps } from '../lib/cpu-gaps.js';
import { type FixedRateResult, fixedRateInOwnProcess } from '../lib/fixed-rate.js';
import { type LoadResult, load, median, table } from '../lib/harness.js';
import { BENCH_PLAN, benchKeygateEnvironment } from '../lib/keygate-env.js';
import { plainNodeEntry } from '../lib/plain-node.js';
import { histogramBuckets, quantileBetween, seriesValue } from '../lib/prometheus-histogram.js';
import { hasWrk, withCpuShare, wrkLoad, wrkScriptOverLines } from '../lib/wrk.js';
import { startBaseline } from './baseline.js';
import { startTracedKeygate, type TracedKeygate, tracingSummary } from './tracing-row.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
const PATH = '/agents-availability?skillNames=Sales';
const ports = {
  upstream: 18_401,
  nginx: 18_402,
  keygate: 18_403,
  gateway: 18_404,
  bare: 18_405,
  gatewayRole: 18_406,
  metrics: 18_407,
  gatewayRoleMetrics: 18_408,
  baseline: 18_409,
  baselineGateway: 18_410,
  baselineMetrics: 18_411,
  forwardAuth: 18_412,
  nginxForwardAuth: 18_413,
  nginxForwardAuthReady: 18_414,
  nginxForwardAuthCached: 18_415,
  nginxForwardAuthCachedReady: 18_416,
  // Clear of the baselines', which step by ten from 18_409.
  tracedKeygate: 18_491,
  tracedGateway: 18_492,
  tracedMetrics: 18_493,
  otlpReceiver: 18_494,
};
const work = mkdtempSync(join(tmpdir(), 'keygate-bench-gw-'));
// The caching guide keeps nginx's admissions on tmpfs (they name bearer tokens); so does the bench.
const admissions = mkdtempSync(
  join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'keygate-bench-admissions-'),
);
const children: ChildProcess[] = [];
// BENCH_KEYGATE_NODE_FLAGS: node flags for Keygate alone, to compare V8 settings in one run.
const nodeFlags = (process.env.BENCH_KEYGATE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const pinned = process.platform === 'linux';
if (pinned) {
  // The load generator (this process) belongs on CPU 1 with the upstream, leaving CPU 0 to the proxy.
  const { execFileSync } = await import('node:child_process');
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
}

async function startUpstream(): Promise<void> {
  // Pinned to CPU 1 with the load generator, so CPU 0 belongs to the proxy being measured.
  const { child } = await startProcess(
    process.execPath,
    [plainNodeEntry(here('./upstream-server.ts')), String(ports.upstream)],
    { cpu: 1, echoStderr: true, ready: 'message' },
  );
  children.push(child);
}

/** Starts nginx as one process (no master), so its CPU use is that process's. Returns its pid. */
async function startNginx(): Promise<number> {
  return startNginxWith(
    'nginx',
    `upstream api { server 127.0.0.1:${ports.upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${ports.nginx};
    location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }`,
    `http://127.0.0.1:${ports.nginx}${PATH}`,
  );
}

/** nginx with docs/forward-auth.md's configuration, in front of the upstream and Keygate's forward-auth. */
async function startNginxForwardAuth(): Promise<number> {
  const documented = documentedConfiguration('nginx', {
    listen: ports.nginxForwardAuth,
    judge: `127.0.0.1:${ports.forwardAuth}`,
    api: `127.0.0.1:${ports.upstream}`,
  });
  // Every call of the documented server needs a token: a second server answers the readiness probe.
  const ready = `server { listen 127.0.0.1:${ports.nginxForwardAuthReady}; location / { return 200; } }`;
  return startNginxWith(
    'nginx-forward-auth',
    `${documented}\n  ${ready}`,
    `http://127.0.0.1:${ports.nginxForwardAuthReady}/`,
  );
}

/**
 * nginx with docs/forward-auth.md's caching configuration. Its fair-usage zone (the standard plan's,
 * as the guide writes it) gets the bench plan's limit, which no run reaches, as Keygate's does.
 */
async function startNginxForwardAuthCached(): Promise<number> {
  const documented = withPlaceholders(
    documentedCachingConfiguration({
      listen: ports.nginxForwardAuthCached,
      judge: `127.0.0.1:${ports.forwardAuth}`,
      api: `127.0.0.1:${ports.upstream}`,
      cacheDir: admissions,
    }),
    { 'rate=100r/s': `rate=${BENCH_PLAN.limit}r/s`, 'burst=6000': `burst=${BENCH_PLAN.limit}` },
  );
  const ready = `server { listen 127.0.0.1:${ports.nginxForwardAuthCachedReady}; location / { return 200; } }`;
  return startNginxWith(
    'nginx-forward-auth-cached',
    `${documented}\n  ${ready}`,
    `http://127.0.0.1:${ports.nginxForwardAuthCachedReady}/`,
  );
}

async function startNginxWith(name: string, httpBody: string, readyUrl: string): Promise<number> {
  const nginx = await startNginxIn(join(work, name), httpBody, { ready: { url: readyUrl }, cpu: 0 });
  children.push(nginx.child);
  return nginx.pid;
}

async function startKeygate(): Promise<{
  pid: number;
  /** Keygate with the gateway role only, on the same store. */
  gatewayOnlyPid: number;
  token: string;
  /** Mints `count` new tokens (none seen by the gateway yet). */
  mintMany: (count: number) => Promise<string[]>;
}> {
  const env = {
    ...benchKeygateEnvironment(join(work, 'keygate'), {
      keygate: ports.keygate,
      gateway: ports.gateway,
      metrics: ports.metrics,
      upstream: ports.upstream,
    }),
    KEYGATE_FORWARD_AUTH_PORT: String(ports.forwardAuth),
  };
  const { child: keygate } = await startProcess(
    process.execPath,
    [...nodeFlags, here('../../bin/keygate.js'), 'start'],
    { env, cpu: 0, echoStderr: true, ready: { url: `http://127.0.0.1:${ports.keygate}/healthz` } },
  );
  children.push(keygate);
  const { mint, mintMany } = benchTokens(
    here('../../bin/keygate.js'),
    env,
    `http://127.0.0.1:${ports.keygate}`,
  );
  // The same gateway as production's API hosts run it: a process of its own with only the gateway
  // role (KEYGATE_ROLES=gateway), on the same store, verifying with the first process's JWKS.
  const { child: gatewayOnly } = await startProcess(
    process.execPath,
    [...nodeFlags, here('../../bin/keygate.js'), 'start'],
    {
      cpu: 0,
      echoStderr: true,
      ready: { url: `http://127.0.0.1:${ports.gatewayRole}/healthz` },
      env: {
        ...env,
        KEYGATE_ROLES: 'gateway',
        KEYGATE_GATEWAY_PORT: String(ports.gatewayRole),
        KEYGATE_METRICS_PORT: String(ports.gatewayRoleMetrics),
        KEYGATE_FORWARD_AUTH_PORT: '0',
        // The first process's issuer, which benchKeygateEnvironment names outright.
        KEYGATE_PUBLIC_URL: `http://127.0.0.1:${ports.keygate}`,
        KEYGATE_AUDIENCE: `http://127.0.0.1:${ports.gateway}`,
      },
    },
  );
  children.push(gatewayOnly);
  return { pid: keygate.pid!, gatewayOnlyPid: gatewayOnly.pid!, token: await mint(), mintMany };
}

/** wrk sends each request with the next token of the file; each round gets tokens of its own. */
function missScript(tokens: string[], round: number): string {
  return wrkScriptOverLines(
    work,
    `fresh-token-${round}`,
    tokens,
    'return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. line })',
  );
}

async function missRun(url: string, freshToken: () => string): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${freshToken()}` },
        }),
      },
    ],
  });
  return {
    name: 'keygate (token cache miss)',
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** The bare node:http + undici proxy (bare-proxy.ts), pinned like the other proxies. */
async function startBareProxy(): Promise<number> {
  const { child } = await startProcess(
    process.execPath,
    [plainNodeEntry(here('./bare-proxy.ts')), String(ports.bare), `http://127.0.0.1:${ports.upstream}`],
    { cpu: 0, echoStderr: true, ready: 'message' },
  );
  children.push(child);
  return child.pid!;
}

try {
  await startUpstream();
  const nginxPid = await startNginx();
  const barePid = await startBareProxy();
  const { pid: keygatePid, gatewayOnlyPid, token, mintMany } = await startKeygate();
  const nginxForwardAuthPid = await startNginxForwardAuth();
  const nginxForwardAuthCachedPid = await startNginxForwardAuthCached();
  // Enough distinct tokens per round that no request reuses one (a reused token is a cache hit).
  const missTokens = Number(process.env.BENCH_MISS_TOKENS ?? 100_000);
  const auth = { authorization: `Bearer ${token}` };
  const targets = [
    { name: 'direct', url: `http://127.0.0.1:${ports.upstream}${PATH}`, headers: {}, pid: undefined },
    { name: 'nginx', url: `http://127.0.0.1:${ports.nginx}${PATH}`, headers: {}, pid: nginxPid },
    {
      // The same request bytes as Keygate gets (the token is sent, and ignored).
      name: 'node:http + undici, no checks',
      url: `http://127.0.0.1:${ports.bare}${PATH}`,
      headers: auth,
      pid: barePid,
    },
    {
      name: 'keygate (token cache hit)',
      url: `http://127.0.0.1:${ports.gateway}${PATH}`,
      headers: auth,
      pid: keygatePid,
    },
    {
      name: 'keygate, gateway role only (cache hit)',
      url: `http://127.0.0.1:${ports.gatewayRole}${PATH}`,
      headers: auth,
      pid: gatewayOnlyPid,
    },
    {
      // nginx's process is the one measured; Keygate answers its questions on the same core.
      name: 'nginx + keygate forward-auth (cache hit)',
      url: `http://127.0.0.1:${ports.nginxForwardAuth}${PATH}`,
      headers: auth,
      pid: nginxForwardAuthPid,
    },
    {
      // One token on one target: after the first call of each second, nginx answers from its cache.
      name: 'nginx + keygate forward-auth (admissions cached)',
      url: `http://127.0.0.1:${ports.nginxForwardAuthCached}${PATH}`,
      headers: auth,
      pid: nginxForwardAuthCachedPid,
    },
  ];
  for (const [i, build] of baselineBuilds().entries()) {
    const baseline = await startBaseline(
      build.checkout,
      join(work, `baseline-${i}`),
      {
        keygate: ports.baseline + 10 * i,
        gateway: ports.baselineGateway + 10 * i,
        metrics: ports.baselineMetrics + 10 * i,
        upstream: ports.upstream,
      },
      PATH,
      `keygate @ ${build.name} (cache hit)`,
      { node: build.node },
    );
    children.push(baseline.child);
    targets.push(baseline.target);
  }
  const keygateTarget = targets.find((t) => t.pid === keygatePid)!;
  let traced: TracedKeygate | undefined;
  if (process.env.BENCH_TRACING === '1') {
    traced = await startTracedKeygate(
      join(work, 'traced'),
      {
        keygate: ports.tracedKeygate,
        gateway: ports.tracedGateway,
        metrics: ports.tracedMetrics,
        upstream: ports.upstream,
        receiver: ports.otlpReceiver,
      },
      PATH,
      nodeFlags,
      (child) => children.push(child),
    );
    // Next to the tracing-off row it is compared with, so the two see the machine alike.
    targets.splice(targets.indexOf(keygateTarget) + 1, 0, traced.target);
  }
  for (const t of targets.filter((target) => target.name.includes('keygate'))) {
    const check = await fetch(t.url, { headers: t.headers });
    if (check.status !== 200) throw new Error(`${t.name} answered ${check.status}: ${await check.text()}`);
  }
  // Before any round: a Keygate that exports nothing would make the tracing row a second tracing-off row.
  await traced?.firstExport();

  const rounds = new Map<string, LoadResult[]>();
  for (let round = 0; round < roundCount; round++) {
    for (const t of targets) {
      const options = { url: t.url, headers: t.headers, connections, seconds };
      const result = hasWrk
        ? await wrkLoad(t.name, { ...options, ...(t.pid ? { measurePid: t.pid } : {}) })
        : await load(t.name, { ...options, method: 'GET', warmup: round === 0 });
      rounds.set(t.name, [...(rounds.get(t.name) ?? []), result]);
    }
    const tokens = await mintMany(missTokens);
    let next = 0;
    const miss = hasWrk
      ? await wrkLoad('keygate (token cache miss)', {
          url: keygateTarget.url,
          connections,
          seconds,
          script: missScript(tokens, round),
          measurePid: keygatePid,
        })
      : await missRun(keygateTarget.url, () => tokens[next++ % tokens.length]!);
    if (miss.requestsPerSecond * seconds > tokens.length) {
      process.stderr.write(
        `warning: the miss run reused tokens; raise BENCH_MISS_TOKENS above ${tokens.length}\n`,
      );
    }
    rounds.set(miss.name, [...(rounds.get(miss.name) ?? []), miss]);
  }
  const results = [...rounds.values()].map(median);

  // Added latency at half of Keygate's peak (cache hit): the same fixed rate to each path in turn,
  // round after round, each request timed in µs from when it was due, by a client in a fresh
  // process on CPU 1 (warmed up first); the median round counts, as for throughput.
  const hit = results.find((r) => r.name === 'keygate (token cache hit)')!;
  // BENCH_LATENCY_RATE fixes the rate instead, to compare builds at the same load.
  const rate = Number(process.env.BENCH_LATENCY_RATE ?? Math.floor(hit.requestsPerSecond / 2));
  const latencyRounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? 5);
  // As many connections as the throughput runs had: with fewer, a round trip that grows under load
  // runs the client out of connections and the wait for one counts as latency (10 did, at 5,000/s).
  const latencyConnections = Number(process.env.BENCH_LATENCY_CONNECTIONS ?? connections);
  const fixed = (t: (typeof targets)[number], secs: number) =>
    fixedRateInOwnProcess(
      { url: t.url, headers: t.headers, rate, seconds: secs, connections: latencyConnections },
      1,
    );
  // Keygate's own account of its rounds (its /metrics, read before and after each): the time it
  // adds, its major garbage collections and the longest its event loop was held (the page's
  // event-loop figures start again at each reading).
  const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  const readMetrics = async () => {
    const page = await (await fetch(metricsUrl)).text();
    return {
      added: histogramBuckets(page, 'keygate_gateway_added_duration_seconds'),
      majorGcs: seriesValue(page, 'nodejs_gc_duration_seconds_count{kind="major"}'),
      majorGcSeconds: seriesValue(page, 'nodejs_gc_duration_seconds_sum{kind="major"}'),
      loopDelayMaxSeconds: seriesValue(page, 'nodejs_eventloop_lag_max_seconds'),
    };
  };
  const ownTime: {
    p50: number;
    p99: number;
    p999: number;
    majorGcs: number;
    majorGcMs: number;
    loopDelayMaxMs: number;
  }[] = [];
  const latencySamples = new Map<string, FixedRateResult[]>();
  // The share of its core each proxy used in its rounds: near 100 %, the latency is its queue.
  const latencyCpu = new Map<string, number[]>();
  for (let round = 0; round < latencyRounds; round++) {
    // Every path, nginx too: what a proxy not written in Node adds on this machine at the same rate.
    for (const t of targets) {
      const before = t === keygateTarget ? await readMetrics() : undefined;
      const { result, cpuShare } = await withCpuShare(t.pid, () => fixed(t, seconds));
      latencySamples.set(t.name, [...(latencySamples.get(t.name) ?? []), result]);
      if (cpuShare !== undefined) latencyCpu.set(t.name, [...(latencyCpu.get(t.name) ?? []), cpuShare]);
      if (before) {
        const after = await readMetrics();
        ownTime.push({
          p50: quantileBetween(before.added, after.added, 0.5) * 1000,
          p99: quantileBetween(before.added, after.added, 0.99) * 1000,
          p999: quantileBetween(before.added, after.added, 0.999) * 1000,
          majorGcs: after.majorGcs - before.majorGcs,
          majorGcMs: (after.majorGcSeconds - before.majorGcSeconds) * 1000,
          loopDelayMaxMs: after.loopDelayMaxSeconds * 1000,
        });
      }
    }
  }
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const latency = targets.map((t) => {
    const runs = latencySamples.get(t.name)!;
    return {
      name: t.name,
      p50: middle(runs.map((r) => r.p50)),
      p90: middle(runs.map((r) => r.p90)),
      p99: middle(runs.map((r) => r.p99)),
      p99PerRound: runs.map((r) => r.p99),
      proxyCpu: latencyCpu.has(t.name) ? middle(latencyCpu.get(t.name)!) : undefined,
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
    };
  });
  // What the machine itself does to a process that wants a whole core (CPU 0, nothing else on it).
  const gaps = await cpuGaps(0, 20);
  const f = (v: number) => v.toFixed(2);
  const direct = latency[0]!;
  const latencyTable = [
    `At ${rate} requests/s (${process.env.BENCH_LATENCY_RATE ? 'BENCH_LATENCY_RATE' : "half of Keygate's cache-hit peak"}), ${latencyConnections} connections, median of ${latencyRounds} rounds of ${seconds} s (proxy CPU: the share of its core it used, the client's 2 s warm-up included):`,
    '',
    '| path | p50 ms | p90 ms | p99 ms | added p50 | added p90 | added p99 | p99 of each round | proxy CPU | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    ...latency.map(
      (l) =>
        `| ${[
          l.name,
          f(l.p50),
          f(l.p90),
          f(l.p99),
          l === direct ? '—' : f(l.p50 - direct.p50),
          l === direct ? '—' : f(l.p90 - direct.p90),
          l === direct ? '—' : f(l.p99 - direct.p99),
          l.p99PerRound.map(f).join(' '),
          l.proxyCpu === undefined ? '—' : `${Math.round(l.proxyCpu * 100)} %`,
          String(l.failed),
        ].join(' | ')} |`,
    ),
    '',
    `Keygate's own time per request in the same rounds (its histogram keygate_gateway_added_duration_seconds: the whole request less the wait for the upstream; bucket bounds): ${ownTime.map((o) => `p50 ≤ ${o.p50} ms, p99 ≤ ${o.p99} ms, p99.9 ≤ ${o.p999} ms`).join('; ')}.`,
    '',
    `Keygate's process in the same rounds (its /metrics, the client's warm-up included): ${ownTime.map((o, i) => `round ${i + 1}: ${o.majorGcs} major GC${o.majorGcs === 1 ? '' : 's'} (${f(o.majorGcMs)} ms of pauses), event loop held up to ${f(o.loopDelayMaxMs)} ms, p99 ${f(latencySamples.get(keygateTarget.name)![i]!.p99)} ms`).join('; ')}.`,
    '',
    `CPU 0 idle but for a clock-reading loop, ${gaps.seconds} s: ${gaps.over1ms} gaps over 1 ms, ${gaps.over5ms} over 5 ms, longest ${f(gaps.longestMs)} ms (time the machine did not run it).`,
  ].join('\n');

  // Read after the CPU-gap check's 20 s: the batch processor (every 5 s) has sent the last round's spans.
  const exported = await traced?.exported();
  const report = [
    table(results, 'nginx'),
    '',
    ...(exported ? [tracingSummary(results, keygateTarget.name, exported), ''] : []),
    latencyTable,
    '',
    `(throughput: median of ${roundCount} rounds of ${seconds} s per path; ${connections} connections; load from ${hasWrk ? 'wrk' : 'autocannon'}; proxies pinned to CPU 0, upstream and load on CPU 1; proxy CPU = share of its core used)`,
  ].join('\n');
  process.stdout.write(`\n${report}\n`);
  mkdirSync(here('../results'), { recursive: true });
  writeFileSync(
    here('../results/gateway.json'),
    `${JSON.stringify({ date: new Date().toISOString(), loadGenerator: hasWrk ? 'wrk' : 'autocannon', seconds, rounds: roundCount, connections, results, ...(exported ? { tracingExports: exported } : {}), halfPeak: { rate, connections: latencyConnections, rounds: latencyRounds, latency, keygateOwnTime: ownTime, cpuGaps: gaps } }, null, 2)}\n`,
  );
} finally {
  for (const child of children.reverse()) await stopProcess(child);
  rmSync(work, { recursive: true, force: true });
  rmSync(admissions, { recursive: true, force: true });
}
