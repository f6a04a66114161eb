import { randomUUID } from 'node:crypto';
import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

interface PaymentSession {
  id: string;
  status: 'Created' | 'Completed';
  amount: number;
  currency: string;
  createdAt: string;
}

const sessions = new PerAccount<Map<string, PaymentSession>>(() => new Map());

/** Global PCI: secure payment sessions (samples never touch card data). */
export const globalPci: SampleApi = {
  document: sampleDocument('globalpci', 'Global PCI payments', [1], {
    '/globalpci/v1/session': {
      post: {
        summary: 'Create a payment session',
        security: requires('globalpci'),
        responses: { 201: { description: 'Created' } },
      },
    },
    '/globalpci/v1/session/{id}': {
      get: {
        summary: 'Get a payment session',
        security: requires('globalpci'),
        responses: { 200: { description: 'The session' } },
      },
    },
  }),
  register(app) {
    app.post('/globalpci/v1/session', async (request, reply) => {
      const body = (request.body ?? {}) as { amount?: unknown; currency?: unknown };
      if (
        typeof body.amount !== 'number' ||
        body.amount <= 0 ||
        typeof body.currency !== 'string' ||
        !/^[A-Z]{3}$/.test(body.currency)
      ) {
        return reply
          .code(400)
          .send({ message: 'amount must be a positive number and currency an ISO 4217 code' });
      }
      const session: PaymentSession = {
        id: randomUUID(),
        status: 'Created',
        amount: body.amount,
        currency: body.currency,
        createdAt: new Date().toISOString(),
      };
      sessions.of(accountOf(request)).set(session.id, session);
      return reply.code(201).send(session);
    });
    app.get('/globalpci/v1/session/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const session = sessions.of(accountOf(request)).get(id);
      return session ?? reply.code(404).send({ message: `No payment session ${id}` });
    });
  },
};
