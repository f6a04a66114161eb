import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { waitUntilReady } from '../../testkit/wait-until-ready.js';
import { plainNodeEntry } from './plain-node.js';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Share of one core the proxy process used during the run (1 = the whole core), where measured. */
  proxyCpu?: number;
  /** Requests per second of each round, where this result is the median of several. */
  rounds?: number[];
}

/**
 * Starts a server process pinned to CPU 0 (the load generator gets the other core). With `ipc`,
 * `args[0]` is a TypeScript entry, run as plain JS (plainNodeEntry) that says when it is ready.
 */
export async function startPinned(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: { ipc: true } | { url: string },
): Promise<ChildProcess> {
  const pinned = process.platform === 'linux';
  const child =
    'ipc' in ready
      ? fork(plainNodeEntry(args[0]!), args.slice(1), {
          execPath: pinned ? 'taskset' : process.execPath,
          execArgv: pinned ? ['-c', '0', process.execPath] : [],
          env,
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        })
      : spawn(pinned ? 'taskset' : command, pinned ? ['-c', '0', command, ...args] : args, {
          env,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
  if ('ipc' in ready) {
    await once(child, 'message');
  } else {
    await waitUntilReady(ready.url, { describe: () => `${command} did not become ready` });
  }
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 3000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** One autocannon run: an optional warm-up, then the measured window. */
export async function load(
  name: string,
  options: {
    url: string;
    method?: 'POST' | 'GET';
    body?: string;
    headers?: Record<string, string>;
    connections: number;
    seconds: number;
    /** Run a short unmeasured warm-up first (default true). */
    warmup?: boolean;
  },
): Promise<LoadResult> {
  const base = {
    url: options.url,
    method: options.method ?? 'POST',
    body: options.body,
    headers: options.headers,
    connections: options.connections,
  };
  if (options.warmup !== false) await autocannon({ ...base, duration: Math.min(3, options.seconds) });
  const result = await autocannon({ ...base, duration: options.seconds });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** The round with the median throughput. */
/** The median round, with every round's throughput beside it: the run's own spread. */
export function median(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return { ...sorted[Math.floor(sorted.length / 2)]!, rounds: results.map((r) => r.requestsPerSecond) };
}

export function table(results: LoadResult[], reference: string): string {
  const ref = results.find((r) => r.name === reference)!;
  const withCpu = results.some((r) => r.proxyCpu !== undefined);
  const lines = [
    `| server | requests/s | × ${reference} | each round | p50 ms | p99 ms | non-2xx | errors |${withCpu ? ' proxy CPU | requests per CPU-second |' : ''}`,
    `|---|---:|---:|---|---:|---:|---:|---:|${withCpu ? '---:|---:|' : ''}`,
  ];
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));
  for (const r of results) {
    // Work per request, less sensitive than throughput to other processes taking the proxy's core.
    const perCpuSecond = r.proxyCpu ? Math.round(r.requestsPerSecond / r.proxyCpu) : undefined;
    const cpu = withCpu
      ? ` ${r.proxyCpu === undefined ? '—' : `${Math.round(r.proxyCpu * 100)} %`} | ${perCpuSecond ?? '—'} |`
      : '';
    lines.push(
      `| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${(r.requestsPerSecond / ref.requestsPerSecond).toFixed(2)} | ${(r.rounds ?? []).map(Math.round).join(' ')} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors} |${cpu}`,
    );
  }
  return lines.join('\n');
}
