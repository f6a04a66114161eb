import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument, seededRandom } from './sample-api.js';

/** Conversation Analyzer v2/v3: the analysis of one interaction (`?transcript=true` adds the text). */
export const conversationAnalyzer: SampleApi = {
  document: sampleDocument('conversation-analyzer', 'Conversation Analyzer', [2, 3], {
    '/conversation-analyzer/interactions/{guid}': {
      get: {
        summary: "An interaction's analysis",
        parameters: [{ name: 'transcript', in: 'query', schema: { type: 'boolean' } }],
        security: requires('interaction-content:read'),
        responses: { 200: { description: 'The analysis' } },
      },
    },
  }),
  register(app) {
    app.get('/conversation-analyzer/interactions/:guid', async (request, reply) => {
      const { guid } = request.params as { guid: string };
      const { transcript } = request.query as { transcript?: string };
      const interaction = directories.of(accountOf(request)).find(guid);
      if (!interaction) return reply.code(404).send({ message: 'The interaction was not found.' });
      const random = seededRandom(`analysis:${guid}`);
      const seconds = Math.round(interaction.durationMs / 1000);
      const agent = Math.floor(seconds * (0.3 + random() * 0.3));
      const customer = Math.floor((seconds - agent) * 0.8);
      return {
        categories: [
          {
            category: 'Politeness',
            categories: [
              { name: 'Greeting', matches: String(1 + Math.floor(random() * 2)) },
              { name: 'Closing', matches: String(Math.floor(random() * 4)) },
            ],
          },
        ],
        guid,
        status: 'processed',
        confidence: ['Low', 'Medium', 'High'][Math.floor(random() * 3)],
        callTimeBreakDown: { agent, customer, silence: seconds - agent - customer, crossTalk: 0 },
        transcript:
          transcript === 'true'
            ? 'Thank you for calling, how can I help?\nI would like to check my order.'
            : null,
      };
    });
  },
};
