import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Share of one core the proxy process used during the run (1 = the whole core), where measured. */
  proxyCpu?: number;
  /** Requests per second of each round, where this result is the median of several. */
  rounds?: number[];
}

/** One autocannon run: an optional warm-up, then the measured window. */
export async function load(
  name: string,
  options: {
    url: string;
    method?: 'POST' | 'GET';
    body?: string;
    headers?: Record<string, string>;
    connections: number;
    seconds: number;
    /** Run a short unmeasured warm-up first (default true). */
    warmup?: boolean;
  },
): Promise<LoadResult> {
  const base = {
    url: options.url,
    method: options.method ?? 'POST',
    body: options.body,
    headers: options.headers,
    connections: options.connections,
  };
  if (options.warmup !== false) await autocannon({ ...base, duration: Math.min(3, options.seconds) });
  const result = await autocannon({ ...base, duration: options.seconds });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** The round with the median throughput. */
/** The median round, with every round's throughput beside it: the run's own spread. */
export function median(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return { ...sorted[Math.floor(sorted.length / 2)]!, rounds: results.map((r) => r.requestsPerSecond) };
}

export function table(results: LoadResult[], reference: string): string {
  const ref = results.find((r) => r.name === reference)!;
  const withCpu = results.some((r) => r.proxyCpu !== undefined);
  const lines = [
    `| server | requests/s | × ${reference} | each round | p50 ms | p99 ms | non-2xx | errors |${withCpu ? ' proxy CPU | requests per CPU-second |' : ''}`,
    `|---|---:|---:|---|---:|---:|---:|---:|${withCpu ? '---:|---:|' : ''}`,
  ];
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));
  for (const r of results) {
    // Work per request, less sensitive than throughput to other processes taking the proxy's core.
    const perCpuSecond = r.proxyCpu ? Math.round(r.requestsPerSecond / r.proxyCpu) : undefined;
    const cpu = withCpu
      ? ` ${r.proxyCpu === undefined ? '—' : `${Math.round(r.proxyCpu * 100)} %`} | ${perCpuSecond ?? '—'} |`
      : '';
    lines.push(
      `| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${(r.requestsPerSecond / ref.requestsPerSecond).toFixed(2)} | ${(r.rounds ?? []).map(Math.round).join(' ')} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.non2xx} | ${r.errors} |${cpu}`,
    );
  }
  return lines.join('\n');
}
