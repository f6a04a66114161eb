import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';
import { PRESENCES } from './sample-data.js';

const presenceOf = (presenceId: number) => PRESENCES.find((p) => p.id === presenceId)!;

/** Agents v1: read and set an agent's presence; a PATCHed presence is what the next GET returns. */
export const agents: SampleApi = {
  document: sampleDocument('agents', 'Agents', [1], {
    '/agents/{userId}/presence': {
      get: {
        summary: "Get an agent's presence",
        security: requires('users:read', 'users:write'),
        responses: { 200: { description: 'The presence' } },
      },
      patch: {
        summary: "Set an agent's presence",
        security: requires('users:write'),
        responses: { 200: { description: 'The new presence' } },
      },
    },
  }),
  register(app) {
    app.get('/agents/:userId/presence', async (request, reply) => {
      const { userId } = request.params as { userId: string };
      const user = directories.of(accountOf(request)).users.find((u) => u.id === userId);
      if (!user) return reply.code(404).send({ message: `No agent ${userId}` });
      const presence = presenceOf(user.presenceId);
      return { userId: user.id, presenceId: presence.id, presenceName: presence.name };
    });
    app.patch('/agents/:userId/presence', async (request, reply) => {
      const { userId } = request.params as { userId: string };
      const user = directories.of(accountOf(request)).users.find((u) => u.id === userId);
      if (!user) return reply.code(404).send({ message: `No agent ${userId}` });
      const body = (request.body ?? {}) as { presenceId?: unknown; presenceName?: unknown };
      const presence = PRESENCES.find((p) => p.id === body.presenceId || p.name === body.presenceName);
      if (!presence) {
        return reply.code(400).send({
          message: `presenceId must be one of ${PRESENCES.map((p) => `${p.id} (${p.name})`).join(', ')}`,
        });
      }
      user.presenceId = presence.id;
      return { userId: user.id, presenceId: presence.id, presenceName: presence.name };
    });
  },
};
