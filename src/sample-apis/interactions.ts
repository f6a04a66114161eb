import { randomUUID } from 'node:crypto';
import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

const invoked = new PerAccount<Array<Record<string, unknown>>>(() => []);

/** Interactions v1: create an active interaction (e.g. route a new chat or callback into the contact centre). */
export const interactionsApi: SampleApi = {
  document: sampleDocument('interactions', 'Interactions', [1], {
    '/interactions/invoke': {
      post: {
        summary: 'Create an active interaction',
        security: requires('interactions:write'),
        responses: { 201: { description: 'Created' } },
      },
    },
  }),
  register(app) {
    app.post('/interactions/invoke', async (request, reply) => {
      const body = request.body as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        return reply.code(400).send({ message: 'The body must be a JSON object describing the interaction' });
      }
      const interaction = {
        id: randomUUID(),
        status: 'Queued',
        createdAt: new Date().toISOString(),
        ...body,
      };
      invoked.of(accountOf(request)).push(interaction);
      return reply.code(201).send(interaction);
    });
  },
};
