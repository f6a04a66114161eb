import { randomUUID } from 'node:crypto';
import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

interface PaymentSession {
  sessionGuid: string;
  callGuid: string;
  providerSessionGuid: string;
  sessionState: 'Started' | 'Finished';
  createdOn: string;
  lastUpdatedOn: string;
  paymentResultData: Record<string, string> | null;
}

const sessions = new PerAccount<Map<string, PaymentSession>>(() => new Map());

/** Global PCI: agent-assisted payment sessions (samples never see card data). */
export const globalPci: SampleApi = {
  document: sampleDocument('globalpci', 'Global PCI payments', [1], {
    '/globalpci/v1/session': {
      post: {
        summary: 'Create an agent-assist payment session: {agentId, paymentData, accountConfigurationId?}',
        security: requires('globalpci'),
        responses: { 200: { description: 'The session' } },
      },
    },
    '/globalpci/v1/session/{sessionGuid}': {
      get: {
        summary: 'Payment session status',
        security: requires('globalpci'),
        responses: { 200: { description: 'The session' } },
      },
    },
  }),
  register(app) {
    app.post('/globalpci/v1/session', async (request, reply) => {
      const body = (request.body ?? {}) as { agentId?: unknown; paymentData?: unknown };
      const data = body.paymentData;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        return reply.code(400).send({ message: 'paymentData is required' });
      }
      const now = new Date().toISOString();
      const session: PaymentSession = {
        sessionGuid: randomUUID(),
        callGuid: randomUUID(),
        providerSessionGuid: randomUUID(),
        sessionState: 'Started',
        createdOn: now,
        lastUpdatedOn: now,
        paymentResultData: null,
      };
      sessions.of(accountOf(request)).set(session.sessionGuid, session);
      return {
        sessionGuid: session.sessionGuid,
        providerSessionGuid: session.providerSessionGuid,
        iframeUrl: `https://payments.example/session/${session.sessionGuid}`,
        agentAccessToken: randomUUID(),
      };
    });
    app.get('/globalpci/v1/session/:sessionGuid', async (request, reply) => {
      const { sessionGuid } = request.params as { sessionGuid: string };
      const session = sessions.of(accountOf(request)).get(sessionGuid);
      return session ?? reply.code(404).send({ message: 'The session was not found.' });
    });
  },
};
