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
  /** The Node binary to run (another Node line's, for a build installed under it). */
  node = process.execPath,
): Promise<Instrumented> {
  const { child } = await startProcess(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${join(dir, 'callgrind.out.%p')}`,
      node,
      ...args,
    ],
    { env, cpu: 0, ready: { url: readyUrl }, timeoutMs: 180_000 },
  );
  return { child, pid: child.pid!, dir };
}

/** What a window counted: all instructions, and those of V8's optimizing compilers and its collector. */
export interface Counted {
  total: number;
  compiler: number;
  collector: number;
}

/** Instructions counted between `zero` and `dump`, read from the newest dump. */
export function countDuring(process: Instrumented, work: () => Promise<void>): Promise<Counted> {
  const control = (...flags: string[]) =>
    execFileSync('callgrind_control', [...flags, String(process.pid)], { stdio: 'ignore' });
  return (async () => {
    control('-i', 'on');
    control('-z');
    await work();
    control('-d');
    control('-i', 'off');
    const dump = newestDump(process);
    return { total: totalOf(dump), ...compilerAndCollector(dump) };
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

/**
 * V8's own symbols, by what they serve. A count whose compiler share is not near zero was taken
 * while the code under test was still being optimized (or deoptimized and optimized again): its
 * warm-up was too short, whatever the total says.
 */
const COMPILER =
  /v8::internal::(compiler|maglev|turboshaft|baseline)::|OptimizingCompileDispatcher|v8::internal::Compiler::/;
const COLLECTOR =
  /v8::internal::(Heap::|Scavenger|ScavengerCollector|MarkCompactCollector|MinorMarkSweep|ConcurrentMarking|IncrementalMarking|MarkingVisitor|MarkingWorklists|Sweeper|Evacuat|RememberedSet|PretenuringHandler|MemoryAllocator|MemoryChunk|PagedSpace|SemiSpace|ArrayBufferSweeper)|heap::base::|cppgc::|IterateAndScavenge|ScavengeVisitor|<v8::internal::(Concurrent)?Marking/;

function compilerAndCollector(dump: string): { compiler: number; collector: number } {
  let compiler = 0;
  let collector = 0;
  for (const { cost, symbol } of selfCosts(dump)) {
    if (COMPILER.test(symbol)) compiler += cost;
    else if (COLLECTOR.test(symbol)) collector += cost;
  }
  return { compiler, collector };
}

/** Each function's own instructions in `dump`, as callgrind_annotate lists them (its line kept). */
function selfCosts(dump: string): { cost: number; symbol: string; line: string }[] {
  const text = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dump], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const costs: { cost: number; symbol: string; line: string }[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    // The first such line is the dump's total, not a function.
    if (match && !match[2]!.includes('PROGRAM TOTALS')) {
      costs.push({ cost: Number(match[1]!.replaceAll(',', '')), symbol: match[2]!, line: line.trim() });
    }
  }
  return costs;
}

/** The functions that took most instructions in the newest dump, as callgrind_annotate lists them. */
export function topFunctions(process: Instrumented, count: number): string[] {
  return selfCosts(newestDump(process))
    .slice(0, count)
    .map((cost) => cost.line);
}
