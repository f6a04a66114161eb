/**
 * The fixed-rate latency client, and the entry of the process that fixedRateInOwnProcess
 * (fixed-rate.ts) runs it in: kept apart so that process loads nothing else.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

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
async function fixedRate(
  options: FixedRateOptions,
  /** The connections to send over (the warm-up's, for the measured run); the caller closes them. */
  pool: Pool,
): Promise<FixedRateResult> {
  const url = new URL(options.url);
  const total = Math.floor(options.rate * options.seconds);
  // Filled in place: a growing array would be copied, and garbage collected, while measuring.
  const latencies = new Float64Array(total);
  let answered = 0;
  let failed = 0;
  const start = performance.now() + 50;
  let settled = 0;
  let allSettled: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allSettled = resolve;
  });
  const settle = () => {
    if (++settled === total) allSettled();
  };
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    // dispatch with a handler, not request(): no promise and no body stream per call, so the
    // client takes as little as it can of the core it shares with the upstream.
    let status = 0;
    pool.dispatch(
      { method: 'GET', path: url.pathname + url.search, headers: options.headers },
      {
        // undici takes a handler as the new kind (controller-based) when it has onRequestStart.
        onRequestStart: () => {},
        onResponseStart: (_controller, statusCode) => {
          status = statusCode;
        },
        onResponseData: () => {},
        onResponseEnd: () => {
          if (status !== 200) failed++;
          // From when it was due, or when it left if the loop sent it a little early.
          latencies[answered++] = performance.now() - Math.min(due, sent);
          settle();
        },
        onResponseError: () => {
          failed++;
          settle();
        },
      },
    );
  }
  if (total > 0) await done;
  const measured = latencies.subarray(0, answered).sort();
  const at = (q: number) => measured[Math.min(measured.length - 1, Math.floor(q * measured.length))] ?? 0;
  return { sent: total, failed, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2]!) as FixedRateOptions;
  // Unmeasured first, on the connections the measured run then uses: a fresh process has its code
  // still to compile and its connections to open (opening 50 at 4,600 requests/s delayed the first
  // tenth of a second of a run, 1 % of its requests: its whole p99).
  // Kept open across the warm-up, which may leave some idle (undici would close them after 4 s).
  const pool = new Pool(new URL(options.url).origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  await fixedRate({ ...options, seconds: 2 }, pool);
  const result = await fixedRate(options, pool);
  await pool.close();
  process.stdout.write(JSON.stringify(result));
}
