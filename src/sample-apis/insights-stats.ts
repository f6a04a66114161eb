import type { FastifyReply } from 'fastify';
import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';
import { PRESENCES } from './sample-data.js';

const THIRTY_ONE_DAYS = 31 * 86_400_000;

interface Window {
  start: number;
  end: number;
  page: number;
  limit: number;
}

/** `start` (required), `end` (default now, at most 31 days later), `page` (from 1), `limit`. */
function readWindow(query: Record<string, string | undefined>, reply: FastifyReply): Window | undefined {
  const start = Date.parse(query.start ?? '');
  const end = query.end ? Date.parse(query.end) : Date.now();
  const page = Number(query.page ?? 1);
  const limit = Number(query.limit ?? 25);
  if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
    reply
      .code(400)
      .send({ message: 'start is required; start and end must be ISO 8601 date-times, start before end' });
    return undefined;
  }
  if (end - start > THIRTY_ONE_DAYS) {
    reply.code(400).send({ message: 'Request window size limit exceeded 31 days' });
    return undefined;
  }
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    reply.code(400).send({ message: 'page must be ≥ 1 and limit 1–1000' });
    return undefined;
  }
  return { start, end, page, limit };
}

/** The Insights Stats list envelope: `{meta: {page, count, pageCount, totalCount}, items, upTo}`. */
function paged<T>(all: T[], window: Window) {
  const items = all.slice((window.page - 1) * window.limit, window.page * window.limit);
  return {
    meta: {
      page: window.page,
      count: items.length,
      pageCount: Math.max(1, Math.ceil(all.length / window.limit)),
      totalCount: all.length,
    },
    items,
    upTo: new Date(Math.min(window.end, Date.now())).toISOString(),
  };
}

/** Insights Stats v3: agent activities and interactions in a time window, from the sample data. */
export const insightsStats: SampleApi = {
  document: sampleDocument('stats', 'Insights Stats', [3], {
    '/stats/agent-activities': {
      get: {
        summary: 'Agent activities',
        security: requires('stats'),
        responses: { 200: { description: 'Paged' } },
      },
    },
    '/stats/interactions': {
      get: {
        summary: 'Interactions',
        security: requires('stats'),
        responses: { 200: { description: 'Paged' } },
      },
    },
  }),
  register(app) {
    app.get('/stats/agent-activities', async (request, reply) => {
      const window = readWindow(request.query as Record<string, string>, reply);
      if (!window) return reply;
      const directory = directories.of(accountOf(request));
      const { users } = directory;
      const inWindow = directory.between(window.start, window.end);
      const activities = inWindow.map((i) => {
        const agent = users.find((u) => u.userId === i.handlingAgents[0]?.id)!;
        const presence = PRESENCES.find((p) => p.presenceId === agent.presenceId)!;
        return {
          agentId: agent.userId,
          type: 'Interaction',
          category: presence.categoryType,
          name: 'Busy',
          start: i.start,
          duration: i.durationMs,
          reason: null,
          interaction: { guid: i.guid },
          workload: null,
        };
      });
      return paged(activities, window);
    });
    app.get('/stats/interactions', async (request, reply) => {
      const window = readWindow(request.query as Record<string, string>, reply);
      if (!window) return reply;
      const items = directories
        .of(accountOf(request))
        .between(window.start, window.end)
        .map((i) => ({
          guid: i.guid,
          status: 'Completed',
          medium: 'Phone',
          mediumManager: 'VCC',
          start: i.start,
          duration: i.durationMs,
          direction: i.direction === 'inbound' ? 'Inbound' : 'Outbound',
          connectFrom: i.connectFrom,
          connectTo: i.connectTo,
          serviceName: 'Sales',
        }));
      return paged(items, window);
    });
  },
};
