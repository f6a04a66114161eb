import { accountOf, requires, type SampleApi, sampleDocument, seededRandom } from './sample-api.js';

const STATES = ['Ready', 'Away', 'Extended Away', 'Logged Out'] as const;

/** The same account and skill always show the same counts. */
function countsFor(account: string, skill: string): Record<string, number> {
  const random = seededRandom(`availability:${account}:${skill}`);
  return Object.fromEntries(STATES.map((state) => [state, Math.floor(random() * 25)]));
}

/** Agent Availability v1: how many agents are in each availability state, optionally per skill. */
export const agentsAvailability: SampleApi = {
  document: sampleDocument('agents-availability', 'Agent Availability', [1], {
    '/agents-availability': {
      get: {
        summary: 'Count agents per availability state',
        parameters: [
          {
            name: 'skillNames',
            in: 'query',
            schema: { type: 'string' },
            description: 'Comma-separated skills',
          },
        ],
        security: requires('agents-availability:read'),
        responses: { 200: { description: 'Counts per state' } },
      },
    },
  }),
  register(app) {
    app.get('/agents-availability', async (request) => {
      const { skillNames } = request.query as { skillNames?: string };
      const skills = (skillNames ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const account = accountOf(request);
      const total: Record<string, number> = Object.fromEntries(STATES.map((s) => [s, 0]));
      for (const skill of skills.length > 0 ? skills : ['*']) {
        for (const [state, n] of Object.entries(countsFor(account, skill)))
          total[state] = (total[state] ?? 0) + n;
      }
      return total;
    });
  },
};
