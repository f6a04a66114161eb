import Fastify from 'fastify';
import { NotFound } from '../core/errors.js';
import { sendOAuthError } from '../token-service/oauth-error-reply.js';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * The ops listener: Prometheus metrics at `GET /metrics`, on an address of its own (loopback by
 * default), never on the API origin, where any caller could read every tenant's traffic.
 */
export async function listenForMetrics(
  where: { host: string; port: number },
  read: () => Promise<string>,
  contentType: string,
): Promise<MetricsListener> {
  const app = Fastify({ logger: false, requestTimeout: 10_000 });
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', contentType).header('cache-control', 'no-store');
    return read();
  });
  app.setNotFoundHandler((_request, reply) =>
    sendOAuthError(new NotFound('Only GET /metrics is served here'), reply),
  );
  await app.listen(where);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : where.port;
  const host = where.host.includes(':') ? `[${where.host}]` : where.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
