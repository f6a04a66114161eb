/**
 * bare-proxy.ts with Fastify in front: the same undici pool and `pool.stream` into the hijacked
 * reply, no checks, no logger. bench/instructions counts it beside the bare proxy, so what the
 * framework costs a call is told apart from what Keygate's own checks cost.
 */

import type { OutgoingHttpHeaders } from 'node:http';
import Fastify from 'fastify';
import { Pool } from 'undici';

const [port, upstream] = [Number(process.argv[2]), process.argv[3]!];
const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/*', (request, reply) => {
  reply.hijack();
  const response = reply.raw;
  pool
    .stream(
      {
        method: 'GET',
        path: request.url,
        headers: { accept: request.headers.accept ?? '*/*' },
      },
      ({ statusCode, headers }) => {
        response.writeHead(statusCode, headers as OutgoingHttpHeaders);
        return response;
      },
    )
    .catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
});
await app.listen({ port, host: '127.0.0.1' });
// Fastify's keep-alive time is 72 s already, as the bare proxy sets its own.
process.send?.('ready');
