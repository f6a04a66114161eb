import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { requestToken } from '../helpers/keygate.js';
import { createCredentialWithCli, startKeygateProcess } from '../helpers/keygate-process.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

async function startInstance(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  return (await startKeygateProcess([], env, `http://127.0.0.1:${port}/readyz`)).child;
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
      KEYGATE_METRICS_PORT: '0',
    };
    const [portA, portB] = [await freePort(), await freePort()];
    const envA = { ...base, KEYGATE_PORT: String(portA), KEYGATE_GATEWAY_PORT: String(await freePort()) };
    const envB = { ...base, KEYGATE_PORT: String(portB), KEYGATE_GATEWAY_PORT: String(await freePort()) };
    const a = await startInstance(envA, portA);
    const b = await startInstance(envB, portB);
    try {
      const client = createCredentialWithCli(envA, 'L', 'stats');
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
      const again = createCredentialWithCli(envB, 'M', 'stats');
      const res = await requestToken({ url: `http://127.0.0.1:${portB}` }, again, 'stats');
      expect(res.status).toBe(200);
    } finally {
      a.kill('SIGKILL');
      b.kill('SIGTERM');
      await once(b, 'exit');
      await dropSchema(TEST_DATABASE_URL!, schema);
    }
  });
});
