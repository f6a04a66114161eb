import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess } from '../../testkit/process.js';

/** Why this bench cannot run here, or undefined when it can. */
export const callgrindMissing = existsSync('/usr/bin/valgrind')
  ? undefined
  : 'valgrind is not installed (Debian package valgrind)';

/** A process started under callgrind with instrumentation off until `measure` turns it on. */
export interface Instrumented {
  child: ChildProcess;
  pid: number;
  /** Where its dumps go: `<dir>/callgrind.out.<pid>.<n>`. */
  dir: string;
}

/**
 * Starts `args` under valgrind's callgrind, pinned to CPU 0, instrumenting nothing until asked
 * (`--instr-atstart=no`), so start-up and warm-up cost nothing in the counts.
 */
export async function startUnderCallgrind(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyUrl: string,
  dir: string,
): Promise<Instrumented> {
  const { child } = await startProcess(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
      process.execPath,
      ...args,
    ],
    { env, cpu: 0, ready: { url: readyUrl }, timeoutMs: 180_000 },
  );
  return { child, pid: child.pid!, dir };
}

/** Instructions counted between `zero` and `dump`, read from the newest dump's totals. */
export function countDuring(process: Instrumented, work: () => Promise<void>): Promise<number> {
  const control = (...flags: string[]) =>
    execFileSync('callgrind_control', [...flags, String(process.pid)], { stdio: 'ignore' });
  return (async () => {
    control('-i', 'on');
    control('-z');
    await work();
    control('-d');
    control('-i', 'off');
    return totalOf(newestDump(process));
  })();
}

function newestDump({ dir, pid }: Instrumented): string {
  const dumps = readdirSync(dir)
    .filter((name) => name.startsWith(`callgrind.out.${pid}.`))
    .sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
  const newest = dumps.at(-1);
  if (!newest) throw new Error(`callgrind wrote no dump for ${pid}`);
  return join(dir, newest);
}

function totalOf(dump: string): number {
  const text = readFileSync(dump, 'utf8');
  const line = /^(?:totals|summary): (\d+)/m.exec(text);
  if (!line) throw new Error(`${dump} has no totals`);
  return Number(line[1]);
}

/** The functions that took most instructions in the newest dump, as callgrind_annotate lists them. */
export function topFunctions(process: Instrumented, count: number): string[] {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', newestDump(process)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return text
    .split('\n')
    .filter((line) => /^\s*[\d,]+ \(/.test(line))
    .slice(1, count + 1)
    .map((line) => line.trim());
}
