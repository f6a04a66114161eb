import { runPinned } from './run-pinned.js';

export interface CpuGaps {
  seconds: number;
  /** Times the busy loop lost its core for longer than 1 ms, and 5 ms. */
  over1ms: number;
  over5ms: number;
  longestMs: number;
}

// A loop that only reads the clock: any gap between two reads is time the process did not run.
const PROBE = `
const end = performance.now() + Number(process.argv[1]) * 1000;
let last = performance.now(), over1ms = 0, over5ms = 0, longestMs = 0;
while (last < end) {
  const now = performance.now();
  const gap = now - last;
  if (gap > 1) over1ms++;
  if (gap > 5) over5ms++;
  if (gap > longestMs) longestMs = gap;
  last = now;
}
process.stdout.write(JSON.stringify({ over1ms, over5ms, longestMs }));
`;

/**
 * How often this machine takes a core away from a process that wants it all: a clock-reading loop
 * pinned to `cpu`. On a dedicated machine it sees no gap over 1 ms; where it does, each gap delays
 * whatever a server on that core was doing, and bounds the tail latency a benchmark can show.
 */
export async function cpuGaps(cpu: number, seconds: number): Promise<CpuGaps> {
  const stdout = await runPinned(cpu, [process.execPath, '-e', PROBE, String(seconds)]);
  return { seconds, ...(JSON.parse(stdout) as Omit<CpuGaps, 'seconds'>) };
}
