import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startProcess } from '../../testkit/process.js';

export interface SoakOptions {
  durationSeconds: number;
  /** Requests per second to the token endpoint (each a new token). */
  tokenRate: number;
  /** Requests per second through the gateway (one reused token). */
  gatewayRate: number;
  /** Length of one measurement window. */
  windowSeconds?: number;
  ports?: { token: number; gateway: number; samples: number };
}

export interface SoakWindow {
  second: number;
  tokenP99: number;
  gatewayP99: number;
  rssMiB: number;
}

export interface SoakReport {
  requests: number;
  errors: number;
  non2xx: number;
  windows: SoakWindow[];
}

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}

/**
 * Drives a started Keygate (its own process, embedded store) at fixed rates on the token endpoint
 * and the gateway at once, window after window, and reports errors, p99 per window and the
 * server's resident memory per window.
 */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  const ports = options.ports ?? { token: 18_971, gateway: 18_972, samples: 18_973 };
  const windowSeconds = options.windowSeconds ?? 10;
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-soak-'));
  const env = {
    ...process.env,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_PORT: String(ports.token),
    KEYGATE_GATEWAY_PORT: String(ports.gateway),
    KEYGATE_SAMPLES_PORT: String(ports.samples),
    KEYGATE_METRICS_PORT: '0',
    KEYGATE_LOG_LEVEL: 'warn',
    KEYGATE_CONFIG: join(dataDir, 'keygate.config.json'),
  };
  // A plan large enough that the soak measures the system, not the fair-usage limit.
  writeFileSync(
    env.KEYGATE_CONFIG,
    JSON.stringify({ rateLimitPlans: { standard: { perAccount: { limit: 1e9, windowSeconds: 60 } } } }),
  );
  const server = await startProcess(process.execPath, [BIN, 'start'], {
    env,
    ready: { url: `http://127.0.0.1:${ports.token}/readyz` },
  });
  try {
    const created = JSON.parse(
      execFileSync(
        process.execPath,
        [BIN, 'credentials', 'create', '--name', 'Soak', '--scope', 'agents-availability:read', '--json'],
        { env, encoding: 'utf8' },
      ),
    ) as { client_id: string; client_secret: string };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: created.client_id,
      client_secret: created.client_secret,
      scope: 'agents-availability:read',
    }).toString();
    const tokenResponse = await fetch(`http://127.0.0.1:${ports.token}/Auth/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };

    const report: SoakReport = { requests: 0, errors: 0, non2xx: 0, windows: [] };
    for (let second = 0; second < options.durationSeconds; second += windowSeconds) {
      const duration = Math.min(windowSeconds, options.durationSeconds - second);
      const [tokens, calls] = await Promise.all([
        autocannon({
          url: `http://127.0.0.1:${ports.token}/Auth/connect/token`,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          connections: 10,
          overallRate: options.tokenRate,
          duration,
        }),
        autocannon({
          url: `http://127.0.0.1:${ports.gateway}/agents-availability`,
          headers: { authorization: `Bearer ${token}` },
          connections: 10,
          overallRate: options.gatewayRate,
          duration,
        }),
      ]);
      for (const result of [tokens, calls]) {
        report.requests += result.requests.total;
        report.errors += result.errors + result.timeouts;
        report.non2xx += result.non2xx;
      }
      report.windows.push({
        second,
        tokenP99: tokens.latency.p99,
        gatewayP99: calls.latency.p99,
        rssMiB: rssMiB(server.pid),
      });
    }
    return report;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
