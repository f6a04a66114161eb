import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitUntilReady } from '../../bench/lib/wait-until-ready.js';
import { freePort, requestToken } from '../helpers/keygate.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

async function startProcess(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: 'ignore' });
  await waitUntilReady(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 15_000 });
  return child;
}

describe.skipIf(!TEST_DATABASE_URL)('an instance killed with SIGKILL under load', () => {
  it('leaves the other serving with no error', async () => {
    const schema = uniqueSchema();
    const base = {
      PATH: process.env.PATH,
      KEYGATE_DATABASE_URL: TEST_DATABASE_URL,
      KEYGATE_DATABASE_SCHEMA: schema,
      KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'),
      KEYGATE_PUBLIC_URL: 'https://emea.keygate.test',
      KEYGATE_AUDIENCE: 'https://emea.api.keygate.test',
      KEYGATE_LOG_LEVEL: 'warn',
      KEYGATE_SAMPLES_PORT: '0',
    };
    const [portA, portB] = [await freePort(), await freePort()];
    const envA = { ...base, KEYGATE_PORT: String(portA), KEYGATE_GATEWAY_PORT: String(await freePort()) };
    const envB = { ...base, KEYGATE_PORT: String(portB), KEYGATE_GATEWAY_PORT: String(await freePort()) };
    const a = await startProcess(envA, portA);
    const b = await startProcess(envB, portB);
    try {
      const created = JSON.parse(
        execFileSync(
          process.execPath,
          [BIN, 'credentials', 'create', '--name', 'L', '--scope', 'stats', '--json'],
          {
            env: envA,
            encoding: 'utf8',
          },
        ),
      );
      const client = { clientId: created.client_id, clientSecret: created.client_secret };
      const outcomesB: number[] = [];
      let running = true;
      // Eight concurrent callers on B, and writes on A, while A is killed mid-way.
      const loadB = Promise.all(
        Array.from({ length: 8 }, async () => {
          while (running)
            outcomesB.push(
              (await requestToken({ url: `http://127.0.0.1:${portB}` }, client, 'stats')).status,
            );
        }),
      );
      const loadA = (async () => {
        while (running)
          await requestToken({ url: `http://127.0.0.1:${portA}` }, client, 'stats').catch(() => undefined);
      })();
      await new Promise((r) => setTimeout(r, 500));
      a.kill('SIGKILL');
      await once(a, 'exit');
      await new Promise((r) => setTimeout(r, 1000));
      running = false;
      await Promise.all([loadB, loadA]);

      expect(outcomesB.length).toBeGreaterThan(100);
      expect(outcomesB.filter((s) => s !== 200)).toEqual([]);
      // And B still writes: a credential created through B's store works on B.
      const again = JSON.parse(
        execFileSync(
          process.execPath,
          [BIN, 'credentials', 'create', '--name', 'M', '--scope', 'stats', '--json'],
          {
            env: envB,
            encoding: 'utf8',
          },
        ),
      );
      const res = await requestToken(
        { url: `http://127.0.0.1:${portB}` },
        { clientId: again.client_id, clientSecret: again.client_secret },
        'stats',
      );
      expect(res.status).toBe(200);
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGTERM');
      await once(b, 'exit');
      await dropSchema(TEST_DATABASE_URL!, schema);
    }
  });
});
