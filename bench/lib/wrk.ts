import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LoadResult } from './harness.js';

const run = promisify(execFile);

/** wrk (Debian package) is a C load generator: on one core it leaves the most for the server side. */
export const hasWrk = ['/usr/bin/wrk', '/usr/local/bin/wrk'].some((p) => existsSync(p));

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After the command name: utime and stime are fields 14 and 15 of the full line (11 and 12 here).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs `work` and returns its result with the share of one core the process `pid` used meanwhile
 * (CPU seconds over wall seconds); no share without a pid.
 */
export async function withCpuShare<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ result: T; cpuShare: number | undefined }> {
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
  const started = performance.now();
  const result = await work();
  const elapsed = (performance.now() - started) / 1000;
  return { result, cpuShare: pid ? (cpuSeconds(pid) - cpuBefore) / elapsed : undefined };
}

/**
 * One wrk run pinned to CPU 1 (`taskset`), optionally with a Lua script, and the share of its core
 * the process `measurePid` used meanwhile.
 */
export async function wrkLoad(
  name: string,
  options: {
    url: string;
    headers?: Record<string, string>;
    connections: number;
    seconds: number;
    script?: string;
    measurePid?: number;
  },
): Promise<LoadResult> {
  const args = ['-c', '1', 'wrk', '-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--latency'];
  for (const [header, value] of Object.entries(options.headers ?? {})) args.push('-H', `${header}: ${value}`);
  if (options.script) args.push('-s', options.script);
  args.push(options.url);
  const {
    result: { stdout },
    cpuShare: cpu,
  } = await withCpuShare(options.measurePid, () => run('taskset', args, { maxBuffer: 1 << 20 }));
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!rate) throw new Error(`wrk printed no rate:\n${stdout}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  return {
    name,
    requestsPerSecond: Number(rate[1]),
    p50: percentile(stdout, '50%'),
    p99: percentile(stdout, '99%'),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    errors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    ...(cpu !== undefined ? { proxyCpu: cpu } : {}),
  };
}

/** A latency percentile from wrk's --latency table, in milliseconds. */
function percentile(output: string, label: string): number {
  const match = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/**
 * A wrk Lua script, in `dir`, that sends one request per line of `lines`, in turn, as the Lua
 * statement `format` makes it from `line` (e.g. `return wrk.format(nil, nil, { … = line })`):
 * a fresh token, proof or assertion for each request, which wrk cannot make itself.
 */
export function wrkScriptOverLines(
  dir: string,
  name: string,
  lines: readonly string[],
  format: string,
): string {
  const file = join(dir, `${name}.txt`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const script = join(dir, `${name}.lua`);
  writeFileSync(
    script,
    `local lines = {}
local i = 0
init = function(args)
  for line in io.lines("${file}") do lines[#lines + 1] = line end
end
request = function()
  i = i % #lines + 1
  local line = lines[i]
  ${format}
end
`,
  );
  return script;
}
