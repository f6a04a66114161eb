import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HEALTH_ERRORS, statusOf } from '../core/error-registry.js';
import type { Store } from '../store/store.js';

const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

/**
 * A supervisor or load balancer asks every few seconds: at info, its requests would bury the start
 * banner and every other line. buildHttpApp leaves them out of Fastify's request logging, and the
 * routes log each answer at debug instead.
 */
export function isHealthCheck(request: { url: string }): boolean {
  // Asked twice of every request Fastify logs, so the path is cut without an array.
  const { url } = request;
  const query = url.indexOf('?');
  return HEALTH_PATHS.has(query < 0 ? url : url.slice(0, query));
}

async function logAtDebug(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  request.log.debug({ req: request, res: reply, responseTime: reply.elapsedTime }, 'health check answered');
}

/** Liveness (the process answers) and readiness (the store answers too). */
export async function healthPlugin(app: FastifyInstance, store: Store): Promise<void> {
  app.get('/healthz', { onResponse: logAtDebug }, async () => ({ status: 'ok' }));
  app.get('/readyz', { onResponse: logAtDebug }, async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ready' };
    } catch {
      return reply
        .code(statusOf(HEALTH_ERRORS, 'unavailable'))
        .send({ status: 'unavailable', reason: 'the store does not answer' });
    }
  });
}
