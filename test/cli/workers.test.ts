import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { requestToken } from '../helpers/keygate.js';
import { createCredentialWithCli, KEYGATE_BIN, startKeygateProcess } from '../helpers/keygate-process.js';

const run = promisify(execFile);
const redisUrl = process.env.KEYGATE_TEST_REDIS_URL;

/** A fresh data directory and fixed ports, as `--workers` needs them. */
async function workersEnv() {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-workers-'));
  onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
  return {
    PATH: process.env.PATH,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_PORT: String(await freePort()),
    KEYGATE_GATEWAY_PORT: String(await freePort()),
    KEYGATE_SAMPLES_PORT: String(await freePort()),
    KEYGATE_LOG_LEVEL: 'warn',
  };
}

describe('keygate start --workers', () => {
  it('runs N workers on shared ports, serves tokens and gateway calls, counts every worker’s calls on /metrics, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-workers-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const [port, gatewayPort, samplesPort, metricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const env = {
      PATH: process.env.PATH,
      KEYGATE_DATA_DIR: dataDir,
      KEYGATE_PORT: String(port),
      KEYGATE_GATEWAY_PORT: String(gatewayPort),
      KEYGATE_SAMPLES_PORT: String(samplesPort),
      KEYGATE_METRICS_PORT: String(metricsPort),
      KEYGATE_LOG_LEVEL: 'warn',
    };
    const { child: primary, output } = await startKeygateProcess(
      ['--workers', '2', '--per-worker-limits'],
      env,
      `http://127.0.0.1:${gatewayPort}/healthz`,
    );
    try {
      expect(output()).toContain('2 workers');
      expect(output()).toContain('Limits are per worker');
      expect(output()).toContain('every limit allows 2 times as many');
      const workers = execFileSync('pgrep', ['-P', String(primary.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(workers).toHaveLength(2);

      const client = createCredentialWithCli(env, 'W', 'agents-availability:read');
      for (let i = 0; i < 6; i++) {
        const token = await requestToken(
          { url: `http://127.0.0.1:${port}` },
          client,
          'agents-availability:read',
        );
        expect(token.status).toBe(200);
        // A connection of its own for each call, so the primary spreads them over the workers.
        const call = await fetch(`http://127.0.0.1:${gatewayPort}/agents-availability`, {
          headers: { authorization: `Bearer ${token.body?.access_token}`, connection: 'close' },
        });
        expect(call.status).toBe(200);
      }

      // The primary's ops listener sums every worker's calls; the API origin serves no metrics.
      expect((await fetch(`http://127.0.0.1:${gatewayPort}/metrics`)).status).toBe(404);
      for (let i = 0; i < 4; i++) {
        const page = await (
          await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { connection: 'close' } })
        ).text();
        expect(page).toMatch(
          /^keygate_gateway_requests_total\{api="agents-availability",status="200",scope="agents-availability:read"\} 6$/m,
        );
        expect(page).toMatch(/^process_cpu_user_seconds_total [\d.]+$/m);
      }

      primary.kill('SIGTERM');
      const [code] = await once(primary, 'exit');
      expect(code).toBe(0);
      expect(() => execFileSync('pgrep', ['-P', String(primary.pid)])).toThrow(); // no worker left
    } finally {
      if (primary.exitCode === null) primary.kill('SIGKILL');
    }
  });
});

describe('keygate start --workers without shared counters', () => {
  it('refuses to start, saying limits would multiply and what to do instead', async () => {
    const env = await workersEnv();
    // Started, it would serve until killed: the timeout only ends a run that has already failed.
    const refused = await run(process.execPath, [KEYGATE_BIN, 'start', '--workers', '2'], {
      env,
      timeout: 20_000,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('every limit would allow 2 times as many');
    expect(refused?.stderr).toContain('Set KEYGATE_REDIS_URL');
    expect(refused?.stderr).toContain('run one worker');
    expect(refused?.stderr).toContain('--per-worker-limits');
  });

  it.skipIf(!redisUrl)('with Redis, N workers share one token quota', async () => {
    const env = { ...(await workersEnv()), KEYGATE_REDIS_URL: redisUrl };
    const { child: primary, output } = await startKeygateProcess(
      ['--workers', '2'],
      env,
      `http://127.0.0.1:${env.KEYGATE_GATEWAY_PORT}/healthz`,
    );
    try {
      expect(output()).not.toContain('Limits are per worker');
      const client = createCredentialWithCli(env, 'Q', 'agents-availability:read');
      execFileSync(
        process.execPath,
        [KEYGATE_BIN, 'credentials', 'update', client.clientId, '--token-quota', '3/hour'],
        { env },
      );
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        // A connection of its own for each request, so the primary spreads them over the workers.
        const answer = await fetch(`http://127.0.0.1:${env.KEYGATE_PORT}/Auth/connect/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: client.clientId,
            client_secret: client.clientSecret,
            scope: 'agents-availability:read',
          }),
        });
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    } finally {
      primary.kill('SIGTERM');
      if (primary.exitCode === null) await once(primary, 'exit');
    }
  });
});
