import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

/** Liveness (the process answers) and readiness (the store answers too). */
export async function healthPlugin(app: FastifyInstance, store: Store): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'the store does not answer' });
    }
  });
}
