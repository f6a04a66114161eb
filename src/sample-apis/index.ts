import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { agentsAvailability } from './agents-availability.js';
import type { SampleApi } from './sample-api.js';

/** Every sample API, in the order of DESIGN.md's table. */
export const SAMPLE_APIS: readonly SampleApi[] = [agentsAvailability];

/** One Fastify app serving every sample API, on its own loopback port. */
export function buildSampleApisApp(logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger.child({ surface: 'sample-apis' }),
  }) as unknown as FastifyInstance;
  for (const api of SAMPLE_APIS) api.register(app);
  return app;
}
