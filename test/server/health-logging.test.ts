import { afterEach, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
}

/** The log lines of the request sent with `x-request-id: id`. */
function linesOf(keygate: TestKeygate, id: string): LogLine[] {
  return keygate
    .logs()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.reqId === id);
}

async function get(keygate: TestKeygate, path: string, id: string): Promise<void> {
  const response = await fetch(keygate.url + path, { headers: { 'x-request-id': id } });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

/** Fastify logs a request's end after its answer has gone: wait until that line is there. */
async function untilLogged(keygate: TestKeygate, id: string, msg: string): Promise<void> {
  while (!linesOf(keygate, id).some((line) => line.msg === msg))
    await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('health checks in the log', () => {
  let keygate: TestKeygate | undefined;
  afterEach(async () => {
    await keygate?.stop();
  });

  it('logs no info line for /healthz or /readyz, while other requests are logged', async () => {
    keygate = await startTestKeygate({ logLevel: 'info' });
    await get(keygate, '/healthz', 'health-1');
    await get(keygate, '/readyz', 'ready-1');
    await get(keygate, '/healthz?probe=1', 'health-2');
    await get(keygate, '/.well-known/jwks.json', 'jwks-1');
    await untilLogged(keygate, 'jwks-1', 'request completed');

    expect(linesOf(keygate, 'jwks-1').map((line) => line.msg)).toEqual([
      'incoming request',
      'request completed',
    ]);
    for (const id of ['health-1', 'ready-1', 'health-2']) expect(linesOf(keygate, id)).toEqual([]);
  });

  it('logs each health check at debug', async () => {
    keygate = await startTestKeygate({ logLevel: 'debug' });
    await get(keygate, '/healthz', 'health-1');
    await get(keygate, '/readyz', 'ready-1');
    for (const id of ['health-1', 'ready-1']) {
      await untilLogged(keygate, id, 'health check answered');
      expect(linesOf(keygate, id)).toEqual([
        expect.objectContaining({ level: 20, msg: 'health check answered' }),
      ]);
    }
  });
});
