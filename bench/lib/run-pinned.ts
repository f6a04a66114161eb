import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Runs `command` to its end pinned to `cpu` with taskset where there is one (Linux), unpinned
 * elsewhere, and returns what it wrote to stdout.
 */
export async function runPinned(cpu: number, command: string[]): Promise<string> {
  const pinned = process.platform === 'linux';
  const { stdout } = await promisify(execFile)(
    pinned ? 'taskset' : command[0]!,
    pinned ? ['-c', String(cpu), ...command] : command.slice(1),
    { maxBuffer: 1 << 20 },
  );
  return stdout;
}
