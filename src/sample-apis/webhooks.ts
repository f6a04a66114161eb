import { randomUUID } from 'node:crypto';
import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

interface Subscription {
  id: string;
  eventType: string;
  callbackUrl: string;
  createdAt: string;
}

const subscriptions = new PerAccount<Subscription[]>(() => []);

/** Webhooks v1: list and create subscriptions; a created subscription is listed. */
export const webhooks: SampleApi = {
  document: sampleDocument('webhooks', 'Webhooks', [1], {
    '/webhooks/subscriptions': {
      get: {
        summary: 'List subscriptions',
        security: requires('admin:read', 'admin:write'),
        responses: { 200: { description: 'Subscriptions' } },
      },
      post: {
        summary: 'Create a subscription',
        security: requires('admin:write'),
        responses: { 201: { description: 'Created' } },
      },
    },
  }),
  register(app) {
    app.get('/webhooks/subscriptions', async (request) => {
      const items = subscriptions.of(accountOf(request));
      return { items, meta: { count: items.length } };
    });
    app.post('/webhooks/subscriptions', async (request, reply) => {
      const body = (request.body ?? {}) as { eventType?: unknown; callbackUrl?: unknown };
      let url: URL | undefined;
      try {
        url = typeof body.callbackUrl === 'string' ? new URL(body.callbackUrl) : undefined;
      } catch {
        url = undefined;
      }
      if (typeof body.eventType !== 'string' || body.eventType === '' || !url || url.protocol !== 'https:') {
        return reply
          .code(400)
          .send({ message: 'eventType is required and callbackUrl must be an https URL' });
      }
      const subscription = {
        id: randomUUID(),
        eventType: body.eventType,
        callbackUrl: url.href,
        createdAt: new Date().toISOString(),
      };
      subscriptions.of(accountOf(request)).push(subscription);
      return reply.code(201).send(subscription);
    });
  },
};
