import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';

const range = (query: { start?: string; end?: string }) => {
  const start = query.start ? Date.parse(query.start) : Number.NEGATIVE_INFINITY;
  const end = query.end ? Date.parse(query.end) : Number.POSITIVE_INFINITY;
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : { start, end };
};

/** Insights Stats v3: agent activities and interactions in a time range, computed from the sample data. */
export const insightsStats: SampleApi = {
  document: sampleDocument('stats', 'Insights Stats', [3], {
    '/stats/agent-activities': {
      get: {
        summary: 'Agent activity totals',
        security: requires('stats'),
        responses: { 200: { description: 'Per agent' } },
      },
    },
    '/stats/interactions': {
      get: {
        summary: 'Interaction statistics',
        security: requires('stats'),
        responses: { 200: { description: 'Per interaction' } },
      },
    },
  }),
  register(app) {
    app.get('/stats/agent-activities', async (request, reply) => {
      const window = range(request.query as { start?: string; end?: string });
      if (!window) return reply.code(400).send({ message: 'start and end must be ISO 8601 date-times' });
      const { users, interactions } = directories.of(accountOf(request));
      const inRange = interactions.filter(
        (i) => Date.parse(i.start) >= window.start && Date.parse(i.start) < window.end,
      );
      const items = users.map((u) => {
        const handled = inRange.filter((i) => i.agentId === u.id);
        const talkSeconds = handled.reduce(
          (sum, i) => sum + (Date.parse(i.end) - Date.parse(i.start)) / 1000,
          0,
        );
        return {
          agentId: u.id,
          interactionsHandled: handled.length,
          talkTimeSeconds: Math.round(talkSeconds),
        };
      });
      return { items, meta: { count: items.length } };
    });
    app.get('/stats/interactions', async (request, reply) => {
      const window = range(request.query as { start?: string; end?: string });
      if (!window) return reply.code(400).send({ message: 'start and end must be ISO 8601 date-times' });
      const items = directories
        .of(accountOf(request))
        .interactions.filter((i) => Date.parse(i.start) >= window.start && Date.parse(i.start) < window.end)
        .map((i) => ({
          guid: i.guid,
          channel: i.channel,
          direction: i.direction,
          start: i.start,
          durationSeconds: Math.round((Date.parse(i.end) - Date.parse(i.start)) / 1000),
          agentId: i.agentId,
        }));
      return { items, meta: { count: items.length } };
    });
  },
};
