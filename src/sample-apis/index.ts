import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { agents } from './agents.js';
import { agentsAvailability } from './agents-availability.js';
import { conversationAnalyzer } from './conversation-analyzer.js';
import { globalPci } from './global-pci.js';
import { insightsStats } from './insights-stats.js';
import { interactionContent } from './interaction-content.js';
import { interactionContentExport } from './interaction-content-export.js';
import { interactionsApi } from './interactions.js';
import type { SampleApi, SampleContext } from './sample-api.js';
import { userAdmin } from './user-admin.js';
import { webhooks } from './webhooks.js';

/** Every sample API, in the order of DESIGN.md's table. */
export const SAMPLE_APIS: readonly SampleApi[] = [
  agentsAvailability,
  agents,
  userAdmin,
  conversationAnalyzer,
  interactionContent,
  interactionContentExport,
  insightsStats,
  interactionsApi,
  globalPci,
  webhooks,
];

/** One Fastify app serving every sample API, on its own loopback port. */
export function buildSampleApisApp(logger: Logger, context: SampleContext): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger.child({ surface: 'sample-apis' }),
  }) as unknown as FastifyInstance;
  for (const api of SAMPLE_APIS) api.register(app, context);
  return app;
}
