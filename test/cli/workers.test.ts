import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitUntilReady } from '../../bench/lib/wait-until-ready.js';
import { freePort, requestToken } from '../helpers/keygate.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

describe('keygate start --workers', () => {
  it('runs N workers on shared ports, serves tokens and gateway calls, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-workers-'));
    const [port, gatewayPort, samplesPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      KEYGATE_DATA_DIR: dataDir,
      KEYGATE_PORT: String(port),
      KEYGATE_GATEWAY_PORT: String(gatewayPort),
      KEYGATE_SAMPLES_PORT: String(samplesPort),
      KEYGATE_LOG_LEVEL: 'warn',
    };
    const primary = spawn(process.execPath, [BIN, 'start', '--workers', '2'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let banner = '';
    primary.stderr.on('data', (chunk) => {
      banner += chunk;
    });
    try {
      await waitUntilReady(`http://127.0.0.1:${gatewayPort}/healthz`, {
        timeoutMs: 15_000,
        describe: () => `no worker answered: ${banner}`,
      });
      expect(banner).toContain('2 workers');
      const workers = execFileSync('pgrep', ['-P', String(primary.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(workers).toHaveLength(2);

      const created = JSON.parse(
        execFileSync(
          process.execPath,
          [BIN, 'credentials', 'create', '--name', 'W', '--scope', 'agents-availability:read', '--json'],
          {
            env,
            encoding: 'utf8',
          },
        ),
      );
      const client = { clientId: created.client_id, clientSecret: created.client_secret };
      for (let i = 0; i < 6; i++) {
        const token = await requestToken(
          { url: `http://127.0.0.1:${port}` },
          client,
          'agents-availability:read',
        );
        expect(token.status).toBe(200);
        const call = await fetch(`http://127.0.0.1:${gatewayPort}/agents-availability`, {
          headers: { authorization: `Bearer ${token.body?.access_token}` },
        });
        expect(call.status).toBe(200);
      }

      primary.kill('SIGTERM');
      const [code] = await once(primary, 'exit');
      expect(code).toBe(0);
      expect(() => execFileSync('pgrep', ['-P', String(primary.pid)])).toThrow(); // no worker left
    } finally {
      if (primary.exitCode === null) primary.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
