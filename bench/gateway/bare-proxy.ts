/**
 * The floor for a gateway written in Node: node:http in, an undici pool out (`pool.stream`, the
 * answer written straight to the socket), no framework and no checks. bench/gateway runs it beside
 * nginx and Keygate, so "how far is Keygate from what Node can do" is measured in the same run.
 */
import http from 'node:http';
import { Pool } from 'undici';

const [port, upstream] = [Number(process.argv[2]), process.argv[3]!];
const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
const server = http
  .createServer((request, response) => {
    pool
      .stream(
        {
          method: request.method as 'GET',
          path: request.url ?? '/',
          headers: { accept: request.headers.accept ?? '*/*' },
        },
        ({ statusCode, headers }) => {
          response.writeHead(statusCode, headers as http.OutgoingHttpHeaders);
          return response;
        },
      )
      .catch(() => {
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
  })
  .listen(port, '127.0.0.1', () => process.send?.('ready'));
// Fastify's keep-alive time (72 s), as Keygate has, not node:http's 5 s: the latency client's idle
// connections stay open through a round, as they do to Keygate and nginx.
server.keepAliveTimeout = 72_000;
