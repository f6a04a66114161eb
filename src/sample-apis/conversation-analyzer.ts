import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument, seededRandom } from './sample-api.js';

/** Conversation Analyzer v2/v3: the analysis of one interaction. */
export const conversationAnalyzer: SampleApi = {
  document: sampleDocument('conversation-analyzer', 'Conversation Analyzer', [2, 3], {
    '/conversation-analyzer/interactions/{guid}': {
      get: {
        summary: "An interaction's analysis",
        security: requires('interaction-content:read'),
        responses: { 200: { description: 'The analysis' } },
      },
    },
  }),
  register(app) {
    app.get('/conversation-analyzer/interactions/:guid', async (request, reply) => {
      const { guid } = request.params as { guid: string };
      const interaction = directories.of(accountOf(request)).interactions.find((i) => i.guid === guid);
      if (!interaction) return reply.code(404).send({ message: `No interaction ${guid}` });
      const random = seededRandom(`analysis:${guid}`);
      return {
        guid,
        start: interaction.start,
        end: interaction.end,
        channel: interaction.channel,
        sentiment: { overall: Math.round((random() * 2 - 1) * 100) / 100 },
        talkRatio: { agent: Math.round(random() * 100) / 100 },
        keywords: ['order', 'delivery', 'refund'].filter(() => random() < 0.6),
      };
    });
  },
};
