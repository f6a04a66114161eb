import { Pool } from 'undici';

export interface FixedRateResult {
  sent: number;
  failed: number;
  /** Milliseconds, from when each request was due (so a stall counts against every request behind it). */
  p50: number;
  p99: number;
}

/**
 * Sends GET requests at a fixed rate over `connections` keep-alive connections and measures each
 * answer's latency in microseconds from its scheduled start, so queueing is not hidden
 * (no coordinated omission). autocannon reports whole milliseconds, too coarse for a 1 ms budget.
 */
export async function fixedRate(options: {
  url: string;
  headers?: Record<string, string>;
  rate: number;
  seconds: number;
  connections: number;
}): Promise<FixedRateResult> {
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
          latencies.push(performance.now() - Math.max(due, sent));
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
  return { sent: total, failed, p50: at(0.5), p99: at(0.99) };
}
