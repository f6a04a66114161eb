import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsCurrent } from '../../scripts/dist-stamp.mjs';
import { freePort } from '../../testkit/free-port.js';
import { GuideShell } from '../helpers/guide-shell.js';
import { readmeCommands } from '../helpers/readme.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = 'examples/orders-api/keygate.config.json';

/**
 * The README's guide to protecting one's own API, run as written: the example upstream, Keygate
 * with the example configuration, the CLI, and curl. Only the ports are changed, to free ones, and
 * the placeholders filled in with what the earlier steps printed.
 */
describe('README: protect your own API', () => {
  const commands = readmeCommands('## Protect your own API');
  const dir = mkdtempSync(join(tmpdir(), 'keygate-guide-'));
  const running: ChildProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let ports: { upstream: number; keygate: number; gateway: number };
  let shell: GuideShell;

  /** A command the guide runs in the background (`&`), in a process group of its own, until `ready`. */
  const start = async (command: string, ready: () => Promise<boolean>) => {
    const child = spawn('bash', ['-c', shell.asRun(command.replace(/\s*&$/, ''))], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    running.push(child);
    await waitFor(ready).catch((error: Error) => {
      throw new Error(`${command}: ${error.message}\n${stderr}`);
    });
  };

  beforeAll(async () => {
    // `npm start` would build here, rewriting dist under the tests running beside this one.
    expect(distIsCurrent(), 'dist is older than a source: run `npm run build` first').toBe(true);
    ports = { upstream: await freePort(), keygate: await freePort(), gateway: await freePort() };
    // The example configuration as written, with its upstream moved to the free port.
    const example = readFileSync(join(ROOT, CONFIG), 'utf8');
    expect(example).toContain('http://127.0.0.1:9100');
    writeFileSync(
      join(dir, 'keygate.config.json'),
      example.replace('127.0.0.1:9100', `127.0.0.1:${ports.upstream}`),
    );
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(ports.upstream),
      KEYGATE_DATA_DIR: join(dir, 'data'),
      KEYGATE_PORT: String(ports.keygate),
      KEYGATE_GATEWAY_PORT: String(ports.gateway),
      KEYGATE_SAMPLES_PORT: '0',
      KEYGATE_METRICS_PORT: '0',
      KEYGATE_LOG_LEVEL: 'warn',
    };
    shell = new GuideShell(env, [
      ['127.0.0.1:8080', `127.0.0.1:${ports.keygate}`],
      ['127.0.0.1:8081', `127.0.0.1:${ports.gateway}`],
      [`KEYGATE_CONFIG=${CONFIG}`, `KEYGATE_CONFIG=${join(dir, 'keygate.config.json')}`],
    ]);
  });
  afterAll(() => {
    for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the steps the test follows', () => {
    expect(commands.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'node examples/orders-api/upstream.mjs &',
      `KEYGATE_CONFIG=${CONFIG} npm start`,
      `KEYGATE_CONFIG=${CONFIG} npx keygate`,
      `KEYGATE_CONFIG=${CONFIG} npx keygate`,
      'curl -s -u',
      'curl -s http://127.0.0.1:8081/orders',
      'curl -s -X',
    ]);
  });

  it('runs: the API answers a token with the new scope, and refuses the other', async () => {
    const [upstream, keygate, scopes, create, token, call, write] = commands as [string, ...string[]];
    await start(upstream, async () => (await fetch(`http://127.0.0.1:${ports.upstream}/`)).ok);
    await start(keygate!, async () => (await fetch(`http://127.0.0.1:${ports.keygate}/readyz`)).ok);

    expect(await shell.output(scopes!)).toMatch(
      /orders:read\s+Orders\s+admin supervisor\s+available\s+Read orders/,
    );
    const created = JSON.parse(await shell.output(create!)) as {
      client_id: string;
      client_secret: string;
      scopes: string[];
    };
    expect(created.scopes).toEqual(['orders:read']);
    shell.fill('CLIENT_ID', created.client_id);
    shell.fill('CLIENT_SECRET', created.client_secret);

    const issued = JSON.parse(await shell.output(token!)) as { access_token: string; scope: string };
    expect(issued.scope).toBe('orders:read');
    env.TOKEN = issued.access_token;

    const answer = JSON.parse(await shell.output(call!)) as { caller: Record<string, string> };
    expect(answer.caller).toEqual({
      account: expect.any(String),
      client: created.client_id,
      scopes: 'orders:read',
    });
    expect(JSON.parse(await shell.output(write!))).toMatchObject({ error: 'insufficient_scope' });
  });
});

async function waitFor(ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('did not become ready within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
