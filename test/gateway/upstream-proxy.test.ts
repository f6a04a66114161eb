import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ForwardedAnswer } from '../../src/gateway/forwarded-call.js';
import { UpstreamProxy } from '../../src/gateway/upstream-proxy.js';

// The gateway's proxy on its own, over real sockets: a node:http upstream whose answers each test
// shapes, and a Fastify front that forwards every call through one UpstreamProxy.
const TIMEOUT_MS = 500;
// Longer than the slow reader below pauses, unless a test sets its own.
const CALLER_STALL_MS = 3_000;
/**
 * A stall limit of 700 ms, and an upstream timeout far above it, so that only the stall can cut the
 * call: the upstream answers at once, but on a loaded machine its headers can take longer than the
 * usual 500 ms, and that timeout would cut the call first.
 */
const ONLY_THE_STALL_CUTS = { callerStallTimeoutMs: 700, timeoutMs: 10_000 };

interface Rig {
  front: string;
  answers: ForwardedAnswer[];
  upstreamCalls: string[];
  /** Per upstream call: settles when its answer closes, true if the upstream had finished it. */
  upstreamClosed: Promise<boolean>[];
  /** TCP connections the upstream has accepted. */
  upstreamConnections: () => number;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function rig(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
  {
    callerStallTimeoutMs = CALLER_STALL_MS,
    poolConnections = 1,
    timeoutMs = TIMEOUT_MS,
  }: { callerStallTimeoutMs?: number; poolConnections?: number; timeoutMs?: number } = {},
): Promise<Rig> {
  const upstreamCalls: string[] = [];
  const upstreamClosed: Promise<boolean>[] = [];
  const upstream: Server = createServer((req, res) => {
    upstreamCalls.push(req.url ?? '');
    upstreamClosed.push(once(res, 'close').then(() => res.writableFinished));
    answer(req, res);
  });
  let connections = 0;
  upstream.on('connection', () => {
    connections++;
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  // One connection unless a test asks for more, so a second call waits for the first.
  const proxy = new UpstreamProxy({
    timeoutMs,
    callerStallTimeoutMs,
    connections: poolConnections,
  });
  const answers: ForwardedAnswer[] = [];
  const app: FastifyInstance = Fastify();
  app.get('/*', async (request, reply) => {
    answers.push(
      await proxy.forward(origin, request.url, request, reply, { accept: '*/*' }, { 'x-own': 'yes' }),
    );
    return reply;
  });
  const front = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanup.push(async () => {
    await app.close();
    await proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });
  return { front, answers, upstreamCalls, upstreamClosed, upstreamConnections: () => connections };
}

/** Writes `count` chunks, one every `everyMs`, then ends: an answer that is slow as a whole but never idle for long. */
function trickle(res: ServerResponse, count: number, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(`chunk ${sent}\n`);
    if (++sent === count) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
}

describe('UpstreamProxy', () => {
  it('lets an answer that keeps coming run past the timeout, and answers 504 to a call that waited too long for a connection, without sending it', async () => {
    const { front, answers, upstreamCalls, upstreamConnections } = await rig((_req, res) =>
      trickle(res, 10, 100),
    );
    const first = fetch(`${front}/first`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queued = await fetch(`${front}/queued`);
    expect(queued.status).toBe(504);
    expect(queued.headers.get('x-own')).toBe('yes');
    expect(await queued.json()).toEqual({
      error: 'gateway_timeout',
      error_description: 'The API did not answer in time',
    });
    const whole = await first;
    expect(whole.status).toBe(200);
    expect((await whole.text()).split('\n').filter(Boolean)).toHaveLength(10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upstreamCalls).toEqual(['/first']);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 504]);
    // Dropping the late call left the one connection open for the next.
    const next = await fetch(`${front}/next`);
    expect(next.status).toBe(200);
    await next.text();
    expect(upstreamConnections()).toBe(1);
  });

  it('times out each call that waits too long while the calls around it end, in any order', async () => {
    const { front, answers } = await rig(
      (req, res) => {
        // Each fast call ends after the next call has begun, so calls leave from the middle.
        if (!req.url?.startsWith('/slow')) setTimeout(() => res.end('done'), 50);
      },
      { poolConnections: 8 },
    );
    const sent: Promise<Response>[] = [];
    for (const path of ['/slow-a', '/fast-1', '/slow-b', '/fast-2', '/slow-c', '/fast-3']) {
      sent.push(fetch(`${front}${path}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = await Promise.all(sent.map(async (pending) => (await pending).status));
    expect(statuses).toEqual([504, 200, 504, 200, 504, 200]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 504, 504, 504]);
    const after = await fetch(`${front}/fast-after`);
    expect(after.status).toBe(200);
  });

  it('cuts the caller’s connection when the upstream goes quiet in the middle of an answer', async () => {
    const { front, answers, upstreamClosed } = await rig((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first part, then nothing\n');
    });
    const res = await fetch(`${front}/quiet`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(await upstreamClosed[0]).toBe(false);
    expect(answers).toHaveLength(1);
  });

  it('waits for a caller that reads slowly, reading no faster from the upstream, instead of timing the upstream out', async () => {
    // More than the sockets on the way can buffer, so the upstream can finish only as the caller reads.
    const size = 64 * 1024 * 1024;
    const body = Buffer.alloc(size, 7);
    let upstreamFinished = false;
    const { front } = await rig((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      res.flushHeaders();
      res.end(body);
      res.on('finish', () => {
        upstreamFinished = true;
      });
    });
    let finishedBeforeReading: boolean | undefined;
    const received = await new Promise<number>((resolve, reject) => {
      get(`${front}/large`, (res) => {
        res.pause();
        // Longer than the timeout: the gateway's buffers fill and it stops reading upstream meanwhile.
        setTimeout(() => {
          finishedBeforeReading = upstreamFinished;
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on('end', () => resolve(bytes));
          res.on('error', reject);
          res.resume();
        }, TIMEOUT_MS * 3);
      }).on('error', reject);
    });
    expect(received).toBe(size);
    expect(finishedBeforeReading).toBe(false);
  });

  it('cuts a caller that stops reading once the stall limit passes, which frees the upstream connection for the next call', async () => {
    const size = 64 * 1024 * 1024;
    const body = Buffer.alloc(size, 7);
    const { front, answers, upstreamClosed, upstreamCalls } = await rig((req, res) => {
      if (req.url === '/next') return void res.end('next');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      res.end(body);
    }, ONLY_THE_STALL_CUTS);
    const started = performance.now();
    const received = new Promise<{ bytes: number; error?: string }>((resolve) => {
      get(`${front}/stalled`, (res) => {
        // Reads nothing (the gateway's buffers fill, and it stops reading upstream), then, well past
        // the limit, reads what reached it before the cut.
        res.pause();
        setTimeout(() => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on('error', (error) => resolve({ bytes, error: error.message }));
          res.on('end', () => resolve({ bytes }));
          res.resume();
        }, 2_500);
      }).on('error', (error) => resolve({ bytes: 0, error: error.message }));
    });
    await vi.waitFor(() => expect(upstreamClosed).toHaveLength(1));
    // The upstream call ends at the cut, long before the caller reads again at 2.5 s: the limit,
    // plus up to a tenth of the timeout for the sweep, plus the sockets' own slack.
    const upstreamCut = await upstreamClosed[0]!.then(() => performance.now() - started);
    expect(upstreamCut).toBeGreaterThanOrEqual(700);
    expect(upstreamCut).toBeLessThan(700 + 1_000);
    // The pool's one connection was held by the stalled call: the next call gets through while
    // that caller has still not read again.
    const next = await fetch(`${front}/next`);
    expect(next.status).toBe(200);
    expect(await next.text()).toBe('next');
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(upstreamCalls).toEqual(['/stalled', '/next']);
    const { bytes, error } = await received;
    expect(error).toBe('aborted');
    expect(bytes).toBeLessThan(size);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200]);
  });

  it('cuts a pipelined call queued behind another once the stall limit passes, and stops its upstream call', async () => {
    // Two calls on one caller connection (HTTP/1.1 pipelining), and a caller that reads nothing.
    // The first answer trickles for 3 s in small chunks, so it never fills a buffer; the second is
    // queued behind it and can only fill the server's buffer of pending output. Its 'close' never
    // comes while the first holds the socket, so only a direct abort ends its upstream call.
    const size = 64 * 1024 * 1024;
    const { front, upstreamClosed, upstreamCalls } = await rig(
      (req, res) => {
        if (req.url === '/trickling') return trickle(res, 30, 100);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
        res.end(Buffer.alloc(size, 7));
      },
      { ...ONLY_THE_STALL_CUTS, poolConnections: 2 },
    );
    const { port } = new URL(front);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.pause();
    const started = performance.now();
    socket.write('GET /trickling HTTP/1.1\r\nhost: front\r\n\r\nGET /queued HTTP/1.1\r\nhost: front\r\n\r\n');
    cleanup.push(async () => void socket.destroy());
    await vi.waitFor(() => expect(upstreamCalls).toEqual(['/trickling', '/queued']));
    // The queued call's upstream call ends at the cut: the limit, plus the sweep, plus slack; well
    // before the first answer is done (3 s) and frees the socket.
    await upstreamClosed[1];
    const cutAt = performance.now() - started;
    // (Node reports the upstream's answer as finished once its socket is gone, so the time is the test.)
    const firstStillRunning = await Promise.race([
      upstreamClosed[0]!.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 10)),
    ]);
    expect(firstStillRunning).toBe(true);
    expect(cutAt).toBeGreaterThanOrEqual(700);
    expect(cutAt).toBeLessThan(2_500);
  });

  it('stops the upstream call when the caller goes away in the middle of the answer', async () => {
    const { front, upstreamClosed } = await rig((_req, res) => trickle(res, 50, 50));
    await new Promise<void>((resolve, reject) => {
      get(`${front}/left`, (res) => {
        res.once('data', () => {
          res.destroy();
          resolve();
        });
      }).on('error', reject);
    });
    // Closed before the upstream wrote its 50 chunks: the gateway hung up on it.
    expect(await upstreamClosed[0]).toBe(false);
  });
});
