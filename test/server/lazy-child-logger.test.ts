import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyChildLogger } from '../../src/server/lazy-child-logger.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)));
      callback();
    },
  });
  return { logger: pino({ level }, destination), lines };
}

describe('lazyChildLogger', () => {
  it('writes lines with the bindings at enabled levels, and nothing at disabled ones', () => {
    const { logger, lines } = capture('warn');
    const child = lazyChildLogger(logger, { reqId: 'r-1' }, {});
    child.info('not written');
    child.debug({ some: 'object' }, 'not written either');
    child.error({ code: 7 }, 'went wrong %s', 'badly');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, reqId: 'r-1', code: 7, msg: 'went wrong badly' });
  });

  it('takes a level change, and its own children carry both bindings', () => {
    const { logger, lines } = capture('warn');
    const child = lazyChildLogger(logger, { reqId: 'r-2' }, {});
    expect(child.level).toBe('warn');
    child.level = 'debug';
    child.debug('now written');
    child.child({ step: 'inner' }).warn('from the grandchild');
    expect(lines.map((l) => [l.msg, l.reqId, l.step])).toEqual([
      ['now written', 'r-2', undefined],
      ['from the grandchild', 'r-2', 'inner'],
    ]);
    // The parent keeps its own level.
    expect(logger.level).toBe('warn');
  });

  it('makes the child at once when the route sets its own level', () => {
    const { logger, lines } = capture('warn');
    const child = lazyChildLogger(logger, { reqId: 'r-3' }, { level: 'info' });
    child.info('route level');
    expect(lines).toEqual([expect.objectContaining({ msg: 'route level', reqId: 'r-3' })]);
  });
});

describe('request logs of a running Keygate', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate();
  });
  afterAll(async () => {
    await keygate.stop();
  });

  it('carry the caller’s x-request-id on each line of the request', async () => {
    const res = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
      headers: { 'x-request-id': 'lazy-child-probe' },
    });
    expect(res.status).toBe(401);
    const lines = keygate
      .logs()
      .split('\n')
      .filter((line) => line.includes('lazy-child-probe'))
      .map((line) => JSON.parse(line) as { reqId: string; msg: string });
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines.every((l) => l.reqId === 'lazy-child-probe')).toBe(true);
  });
});
