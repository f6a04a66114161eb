/**
 * The collector of bench:gateway's tracing row: answers every OTLP/HTTP export as a collector
 * would and keeps only counts. It does not decode the spans: that would take CPU 1 from the upstream
 * and the load generator, which share it. GET /received gives the counts, and answers 503 until a
 * first export has come, so the bench can wait for one with waitUntilReady.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
let requests = 0;
let bytes = 0;
const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/v1/traces') {
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => {
      requests += 1;
      // An empty ExportTraceServiceResponse: the whole batch accepted.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  } else if (request.method === 'GET' && request.url === '/received') {
    response
      .writeHead(requests > 0 ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ requests, bytes }));
  } else {
    request.resume();
    response.writeHead(404).end();
  }
});
server.listen(port, '127.0.0.1', () => process.send?.('ready'));
