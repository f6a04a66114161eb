import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A server from Debian's packages that a test runs in the foreground, in a folder of its own. */
export interface PeerProcess {
  /** Resolves once `ready()` holds, failing with the peer's stderr if it exits or takes 10 s. */
  waitUntil(ready: () => Promise<boolean>): Promise<void>;
  /** Stops it (SIGTERM, then waits for the exit) and removes its folder. */
  stop(): Promise<void>;
}

export function startPeer(
  name: string,
  command: string,
  args: string[],
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): PeerProcess {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return {
    async waitUntil(ready) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
        if (await ready().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${name} did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
