import { randomBytes } from 'node:crypto';
import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

interface Subscription {
  subscriptionId: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
}

const subscriptions = new PerAccount<Subscription[]>(() => []);

/** Webhooks v1 (Beta at VCC): list and create subscriptions; a created subscription is listed. */
export const webhooks: SampleApi = {
  document: sampleDocument('webhooks', 'Webhooks', [1], {
    '/webhooks/subscriptions': {
      get: {
        summary: 'List subscriptions: {subscriptions}',
        security: requires('admin:read', 'admin:write'),
        responses: { 200: { description: 'Subscriptions' } },
      },
      post: {
        summary: 'Create a subscription: {name, url, events, enabled?, secret?}',
        security: requires('admin:write'),
        responses: { 201: { description: 'Created; the secret is returned this once' } },
      },
    },
  }),
  register(app) {
    app.get('/webhooks/subscriptions', async (request) => ({
      subscriptions: subscriptions.of(accountOf(request)),
    }));
    app.post('/webhooks/subscriptions', async (request, reply) => {
      const body = (request.body ?? {}) as {
        name?: unknown;
        url?: unknown;
        events?: unknown;
        enabled?: unknown;
        secret?: unknown;
      };
      const list = subscriptions.of(accountOf(request));
      let url: URL | undefined;
      try {
        url = typeof body.url === 'string' ? new URL(body.url) : undefined;
      } catch {
        url = undefined;
      }
      const events = body.events;
      if (typeof body.name !== 'string' || body.name.length < 3 || body.name.length > 128) {
        return reply.code(400).send({ message: 'name must be 3–128 characters' });
      }
      if (list.some((s) => s.name === body.name))
        return reply.code(400).send({ message: 'name must be unique' });
      if (url?.protocol !== 'https:')
        return reply.code(400).send({ message: 'url must be a fully-qualified https URL' });
      if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string')) {
        return reply.code(400).send({ message: 'events must list at least one event type' });
      }
      const subscription: Subscription = {
        subscriptionId: randomBytes(15).toString('base64url'),
        name: body.name,
        url: url.href,
        events: events as string[],
        enabled: body.enabled !== false,
      };
      list.push(subscription);
      const secret = typeof body.secret === 'string' ? body.secret : randomBytes(32).toString('base64');
      return reply.code(201).send({ ...subscription, secret });
    });
  },
};
