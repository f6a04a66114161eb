import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { waitUntilReady } from '../../testkit/wait-until-ready.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Whether something accepts connections on the port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface NpmStarted {
  npm: ChildProcess;
  port: number;
  gatewayPort: number;
  /** The environment it runs with: the same store and ports, for commands run beside it. */
  env: NodeJS.ProcessEnv;
  output: () => string;
}

/**
 * `npm start` in the repository, as a process supervisor runs it (npm is the process it knows), on
 * free ports and a data folder of its own, once it answers. Its process group is killed when the
 * test ends, whatever happened, so a Keygate orphaned by a failure stops too.
 */
export async function npmStart(): Promise<NpmStarted> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-npm-start-'));
  const port = await freePort();
  const gatewayPort = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_PORT: String(port),
    KEYGATE_GATEWAY_PORT: String(gatewayPort),
    KEYGATE_SAMPLES_PORT: '0',
    KEYGATE_METRICS_PORT: '0',
    KEYGATE_LOG_LEVEL: 'warn',
  };
  const npm = spawn('npm', ['start'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  npm.stdout?.on('data', collect);
  npm.stderr?.on('data', collect);
  onTestFinished(() => {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the group has ended
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  await waitUntilReady(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 170_000, describe: () => output });
  return { npm, port, gatewayPort, env, output: () => output };
}

/** SIGTERM to npm alone, as a supervisor sends it; resolves once Keygate's port has closed. */
export async function stopWithSigterm(npm: ChildProcess, port: number): Promise<void> {
  const exited = once(npm, 'exit');
  process.kill(npm.pid!, 'SIGTERM');
  await exited;
  while (await listening(port)) await new Promise((resolve) => setTimeout(resolve, 100));
}
