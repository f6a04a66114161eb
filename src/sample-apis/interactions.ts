import { accountOf, PerAccount, requires, type SampleApi, sampleDocument } from './sample-api.js';

interface InvokeRequest {
  action?: unknown;
  requestid?: unknown;
  [key: string]: unknown;
}

const dispatched = new PerAccount<Map<string, InvokeRequest>>(() => new Map());

/**
 * Interactions v1: dispatch (or release) interactions into the contact centre. The request shape
 * is VCC's (lower-case keys); VCC does not document the success body, so the sample answers 200
 * with the outcome per request.
 */
export const interactionsApi: SampleApi = {
  document: sampleDocument('interactions', 'Interactions', [1], {
    '/interactions/invoke': {
      post: {
        summary:
          'Dispatch or release interactions: {provider, requests: [{action, requestid, route, linkeddata, routingdata}]}',
        security: requires('interactions:write'),
        responses: { 200: { description: 'Outcome per request' } },
      },
    },
  }),
  register(app) {
    app.post('/interactions/invoke', async (request, reply) => {
      const body = request.body as { requests?: unknown } | undefined;
      const requests = body?.requests;
      if (!Array.isArray(requests) || requests.length === 0) {
        return reply.code(400).send({ message: 'requests must be a non-empty list' });
      }
      const state = dispatched.of(accountOf(request));
      const results = (requests as InvokeRequest[]).map((item) => {
        const requestid = typeof item.requestid === 'string' ? item.requestid : undefined;
        const action = item.action ?? 'dispatch';
        if (!requestid || (action !== 'dispatch' && action !== 'release')) {
          return {
            requestid: requestid ?? null,
            status: 'Rejected',
            message: 'requestid is required; action is dispatch or release',
          };
        }
        if (action === 'release') {
          return state.delete(requestid)
            ? { requestid, status: 'Released' }
            : { requestid, status: 'Rejected', message: 'No dispatched interaction with this requestid' };
        }
        state.set(requestid, item);
        return { requestid, status: 'Dispatched' };
      });
      return { results };
    });
  },
};
