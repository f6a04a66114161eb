import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitUntilReady } from './wait-until-ready.js';

/** A server that a test or a bench runs as a child process. */
export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** What it has written so far, stdout and stderr together. */
  output(): string;
  /** SIGTERM, then SIGKILL if it is still running after 3 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * When it is ready: once `url` answers 2xx, once `check()` holds, or on its first IPC message
   * (`'message'`: a Node.js program that calls process.send).
   */
  ready: { url: string } | { check: () => Promise<boolean> } | 'message';
  /** How long it may take to be ready (default 20 s). */
  timeoutMs?: number;
  /** Runs it on this CPU alone (taskset, on Linux), so that its CPU time is its own: for benches. */
  cpu?: number;
  /** Also writes its stderr to this process's, as it comes (benches, whose runs are watched). */
  echoStderr?: boolean;
}

/**
 * Starts `command args` and waits until it is ready; if it exits first or takes too long, it is
 * killed and the error names what it printed. One way to start a process for test/ and bench/.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions,
): Promise<StartedProcess> {
  const pinned = options.cpu !== undefined && process.platform === 'linux';
  const child = spawn(
    pinned ? 'taskset' : command,
    pinned ? ['-c', String(options.cpu), command, ...args] : [...args],
    {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe', ...(options.ready === 'message' ? (['ipc'] as const) : [])],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
    if (options.echoStderr) process.stderr.write(chunk);
  });
  const started: StartedProcess = {
    child,
    pid: child.pid!,
    output: () => output,
    stop: () => stopProcess(child),
  };
  try {
    await untilReady(child, options, () => `${command} ${args.join(' ')}: ${output}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return started;
}

async function untilReady(child: ChildProcess, options: StartOptions, describe: () => string) {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const exited = once(child, 'exit').then(() => {
    throw new Error(`exited before it was ready: ${describe()}`);
  });
  exited.catch(() => {});
  const { ready } = options;
  let readiness: Promise<unknown>;
  if (ready === 'message') {
    readiness = Promise.race([
      once(child, 'message'),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`not ready in time: ${describe()}`)), timeoutMs).unref(),
      ),
    ]);
  } else if ('url' in ready) {
    readiness = waitUntilReady(ready.url, { timeoutMs, describe });
  } else {
    readiness = (async () => {
      const deadline = Date.now() + timeoutMs;
      while (!(await ready.check().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`not ready in time: ${describe()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
  }
  await Promise.race([readiness, exited]);
}

/** SIGTERM, then SIGKILL if `child` is still running after 3 s; resolves once it has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
