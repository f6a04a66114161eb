import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort, requestToken } from '../helpers/keygate.js';
import { createCredentialWithCli, startKeygateProcess } from '../helpers/keygate-process.js';

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
      ['--workers', '2'],
      env,
      `http://127.0.0.1:${gatewayPort}/healthz`,
    );
    try {
      expect(output()).toContain('2 workers');
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
