/**
 * Another Keygate, measured beside this one in the same run: on this machine speed moves 3× between
 * runs, so "before and after" holds only within one run. Another checkout's build, perhaps on
 * another Node (bench/lib/baselines.ts), or this build started otherwise (tracing-row.ts).
 *
 *   git worktree add /tmp/keygate-before <commit> && (cd /tmp/keygate-before && npm ci && npm run build)
 *   BENCH_BASELINE=/tmp/keygate-before BENCH_BASELINE_NAME=before npm run bench:gateway
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startProcess } from '../../testkit/process.js';
import { benchTokens } from '../lib/bench-tokens.js';
import { benchKeygateEnvironment } from '../lib/keygate-env.js';

export interface Baseline {
  name: string;
  url: string;
  headers: Record<string, string>;
  pid: number;
}

/** The Keygate of `checkout`, its row named `name`; `env` and `nodeFlags` on top of the bench's own. */
export async function startBaseline(
  checkout: string,
  work: string,
  ports: { keygate: number; gateway: number; metrics: number; upstream: number },
  path: string,
  name: string,
  options: { env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[]; node?: string } = {},
): Promise<{ target: Baseline; child: ChildProcess; output: () => string }> {
  const bin = join(checkout, 'bin/keygate.js');
  const env = { ...benchKeygateEnvironment(work, ports), ...options.env };
  const node = options.node ?? process.execPath;
  const { child, output } = await startProcess(node, [...(options.nodeFlags ?? []), bin, 'start'], {
    env,
    cpu: 0,
    echoStderr: true,
    ready: { url: `http://127.0.0.1:${ports.keygate}/healthz` },
  });
  const token = await benchTokens(bin, env, `http://127.0.0.1:${ports.keygate}`, node).mint();
  return {
    target: {
      name,
      url: `http://127.0.0.1:${ports.gateway}${path}`,
      headers: { authorization: `Bearer ${token}` },
      pid: child.pid!,
    },
    child,
    output,
  };
}
