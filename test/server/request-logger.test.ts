import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../src/server/http-app.js';
import { createLogger } from '../../src/server/logger.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  job?: string;
}

/** Keygate's HTTP app with its logger writing into `lines`, and routes that log as a handler would. */
async function appLoggingAt(level: string, lines: LogLine[]): Promise<{ app: FastifyInstance; url: string }> {
  const logger = createLogger(level, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  const app = buildHttpApp(logger, { trustProxy: false, requestTimeoutMs: 10_000 });
  app.get('/quiet', async (request) => {
    request.log.info('an info line');
    request.log.warn('a warning');
    return 'ok';
  });
  app.get('/nested', async (request) => {
    request.log.child({ job: 'export' }).warn('a job warning');
    return 'ok';
  });
  app.get('/louder', async (request) => {
    request.log.level = 'debug';
    request.log.debug('a debug line');
    return 'ok';
  });
  app.get('/errors-only', { logLevel: 'error' }, async (request) => {
    request.log.warn('a warning the route does not log');
    request.log.error('an error');
    return 'ok';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function get(url: string, id: string): Promise<void> {
  const response = await fetch(url, { headers: { 'x-request-id': id } });
  expect(response.status).toBe(200);
  await response.text();
}

describe("a request's logger", () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
  });

  it('writes what its level lets through, with the request ID bound', async () => {
    const lines: LogLine[] = [];
    const started = await appLoggingAt('warn', lines);
    app = started.app;
    await get(`${started.url}/quiet`, 'quiet-1');
    await get(`${started.url}/nested`, 'nested-1');

    expect(lines.map(({ level, msg, reqId, job }) => ({ level, msg, reqId, job }))).toEqual([
      { level: 40, msg: 'a warning', reqId: 'quiet-1', job: undefined },
      { level: 40, msg: 'a job warning', reqId: 'nested-1', job: 'export' },
    ]);
  });

  it("follows a level set on it, and a route's own level", async () => {
    const lines: LogLine[] = [];
    const started = await appLoggingAt('info', lines);
    app = started.app;
    await get(`${started.url}/louder`, 'louder-1');
    await get(`${started.url}/errors-only`, 'errors-1');
    await app.close();

    const of = (id: string) => lines.filter((line) => line.reqId === id).map((line) => line.msg);
    expect(of('louder-1')).toEqual(['incoming request', 'a debug line', 'request completed']);
    expect(of('errors-1')).toEqual(['an error']);
  });
});
