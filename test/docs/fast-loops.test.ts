import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { documentedSectionBlock } from '../helpers/documented-config.js';
import { GuideShell } from '../helpers/guide-shell.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** docs/testing.md's fast loops, command by command (the comments dropped). */
const commands = documentedSectionBlock('testing.md', 'Fast loops', 'sh')
  .split('\n')
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter(Boolean);
const command = (starting: string) => {
  const found = commands.find((c) => c.startsWith(starting));
  if (!found) throw new Error(`docs/testing.md's fast loops have no "${starting}" command`);
  return found;
};

async function answers(url: string, deadlineMs: number): Promise<Response> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('docs/testing.md: the fast loops, as written', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-dev-'));
  let dev: ChildProcess | undefined;
  afterAll(() => {
    if (dev?.pid) process.kill(-dev.pid, 'SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm run test:unit runs without a build (here on one folder of its set)', async () => {
    const shell = new GuideShell({ PATH: process.env.PATH, HOME: process.env.HOME }, []);
    // The same command, narrowed to one of its folders so that this test stays short.
    const result = await shell.run(`${command('npm run test:unit')} -- test/core`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/tests: [1-9]\d* passed, 0 failed/);
  }, 120_000);

  it('npm run dev serves Keygate from its sources and the portal through Vite, proxying the admin API', async () => {
    const [port, gatewayPort, portalPort] = [await freePort(), await freePort(), await freePort()];
    dev = spawn('bash', ['-c', command('npm run dev')], {
      cwd: ROOT,
      detached: true,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        KEYGATE_DATA_DIR: dataDir,
        KEYGATE_PORT: String(port),
        KEYGATE_GATEWAY_PORT: String(gatewayPort),
        KEYGATE_METRICS_PORT: '0',
        KEYGATE_SAMPLES_PORT: '0',
        PORTAL_DEV_PORT: String(portalPort),
      },
    });
    await answers(`http://127.0.0.1:${port}/healthz`, 60_000);
    const page = await (await answers(`http://localhost:${portalPort}/portal/`, 60_000)).text();
    expect(page).toContain('/@vite/client'); // Vite's dev page, with hot reload
    const document = (await (
      await answers(`http://localhost:${portalPort}/admin/v1/openapi.json`, 10_000)
    ).json()) as { openapi: string };
    expect(document.openapi).toMatch(/^3\./);
  }, 150_000);
});
