import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { runPinned } from './run-pinned.js';

export interface FixedRateResult {
  sent: number;
  failed: number;
  /** Milliseconds, from when each request was due (so a stall counts against every request behind it). */
  p50: number;
  p90: number;
  p99: number;
}

export interface FixedRateOptions {
  url: string;
  headers?: Record<string, string>;
  rate: number;
  seconds: number;
  connections: number;
}

/**
 * Sends GET requests at a fixed rate over `connections` keep-alive connections and measures each
 * answer's latency in microseconds from its scheduled start, so queueing is not hidden
 * (no coordinated omission). autocannon reports whole milliseconds, too coarse for a 1 ms budget.
 */
export async function fixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  const total = Math.floor(options.rate * options.seconds);
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    inFlight.push(
      pool
        .request({ method: 'GET', path: url.pathname + url.search, headers: options.headers })
        .then(async (response) => {
          await response.body.dump();
          if (response.statusCode !== 200) failed++;
          // From when it was due, or when it left if the loop sent it a little early.
          latencies.push(performance.now() - Math.min(due, sent));
        })
        .catch(() => {
          failed++;
        }),
    );
  }
  await Promise.all(inFlight);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { sent: total, failed, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

/**
 * fixedRate in a Node process of its own, pinned to `cpu`, after a 2 s unmeasured warm-up: a fresh,
 * small heap, so the client's own garbage collection (the bench process holds every minted token)
 * does not land in the latencies.
 */
export async function fixedRateInOwnProcess(
  options: FixedRateOptions,
  cpu: number,
): Promise<FixedRateResult> {
  const self = fileURLToPath(import.meta.url);
  const stdout = await runPinned(cpu, [process.execPath, '--import', 'tsx', self, JSON.stringify(options)]);
  return JSON.parse(stdout) as FixedRateResult;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2]!) as FixedRateOptions;
  // Unmeasured first: a fresh process has its code still to compile and its connections to open.
  await fixedRate({ ...options, seconds: 2 });
  const result = await fixedRate(options);
  process.stdout.write(JSON.stringify(result));
}
