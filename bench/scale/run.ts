/**
 * bench/scale — the token endpoint on PostgreSQL with 1,000 and 1,000,000 stored credentials
 * (load spread over 200 real clients, so every cache starts cold), and throughput with 1 and 2
 * workers. Needs a PostgreSQL: KEYGATE_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 *
 *   npm run bench:scale
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { startProcess } from '../../testkit/process.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const url = process.env.KEYGATE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const sizes = (process.env.BENCH_SIZES ?? '1000,1000000').split(',').map(Number);
const masterKey = randomBytes(32).toString('base64');

interface Row {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function measure(
  name: string,
  port: number,
  clients: Array<{ client_id: string; client_secret: string }>,
): Promise<Row> {
  let next = 0;
  const body = () => {
    const c = clients[next++ % clients.length]!;
    return new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.client_id,
      client_secret: c.client_secret,
      scope: 'stats',
    }).toString();
  };
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/Auth/connect/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    connections: 50,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

const rows: Row[] = [];
const admin = new pg.Client({ connectionString: url });
await admin.connect();
for (const size of sizes) {
  for (const workers of size === sizes[sizes.length - 1] ? [1, 2] : [1]) {
    const schema = `kg_bench_${size}_${workers}`;
    await admin.query(`drop schema if exists ${schema} cascade`);
    const env = {
      ...process.env,
      KEYGATE_DATABASE_URL: url,
      KEYGATE_DATABASE_SCHEMA: schema,
      KEYGATE_MASTER_KEY: masterKey,
      KEYGATE_PORT: '18901',
      KEYGATE_GATEWAY_PORT: '18902',
      KEYGATE_SAMPLES_PORT: '18903',
      KEYGATE_METRICS_PORT: '0',
      KEYGATE_LOG_LEVEL: 'warn',
    };
    const started = Date.now();
    const clients = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', here('./seed.ts'), String(size)], {
        env,
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      }),
    );
    process.stderr.write(`seeded ${size} credentials in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const server = await startProcess(
      process.execPath,
      // No Redis here: each worker counts its own limits, which this throughput measure never reaches.
      [here('../../bin/keygate.js'), 'start', '--workers', String(workers), '--per-worker-limits'],
      { env, ready: { url: 'http://127.0.0.1:18901/readyz' }, timeoutMs: 30_000 },
    );
    try {
      await measure('warm-up', 18_901, clients);
      rows.push(
        await measure(
          `${size.toLocaleString('en')} credentials, ${workers} worker${workers > 1 ? 's' : ''}`,
          18_901,
          clients,
        ),
      );
    } finally {
      await server.stop();
      await admin.query(`drop schema if exists ${schema} cascade`);
    }
  }
}
await admin.end();

const lines = ['| setup | tokens/s | p50 ms | p99 ms | errors | non-2xx |', '|---|---:|---:|---:|---:|---:|'];
for (const r of rows)
  lines.push(
    `| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`,
  );
process.stdout.write(
  `\n${lines.join('\n')}\n(${seconds} s each after a warm-up; 50 connections; 200 real clients in turn; autocannon shares the machine)\n`,
);
mkdirSync(here('../results'), { recursive: true });
writeFileSync(
  here('../results/scale.json'),
  `${JSON.stringify({ date: new Date().toISOString(), seconds, rows }, null, 2)}\n`,
);
