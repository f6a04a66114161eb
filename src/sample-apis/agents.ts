import type { FastifyReply } from 'fastify';
import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';
import { PRESENCES, type SampleUser } from './sample-data.js';

/** The presence as VCC's Agents API answers it. */
function presenceView(user: SampleUser) {
  const presence = PRESENCES.find((p) => p.presenceId === user.presenceId)!;
  return {
    userId: user.userId,
    updated: user.presenceUpdated,
    presence: {
      presenceId: presence.presenceId,
      selectable: true,
      category: { categoryType: presence.categoryType, description: presence.description },
      description: presence.description,
    },
  };
}

const noAgent = (reply: FastifyReply) => reply.code(404).send({ message: 'The agent was not found.' });

/** Agents v1: read and set an agent's presence; a PATCHed presence is what the next GET returns. */
export const agents: SampleApi = {
  document: sampleDocument('agents', 'Agents', [1], {
    '/agents/{userId}/presence': {
      get: {
        summary: "Get an agent's presence",
        security: requires('users:read', 'users:write'),
        responses: { 200: { description: '{userId, updated, presence}' } },
      },
      patch: {
        summary: "Set an agent's presence: body {presenceId}",
        security: requires('users:write'),
        responses: { 200: { description: 'The new presence' } },
      },
    },
  }),
  register(app) {
    app.get('/agents/:userId/presence', async (request, reply) => {
      const { userId } = request.params as { userId: string };
      const user = directories.of(accountOf(request)).users.find((u) => u.userId === userId);
      return user ? presenceView(user) : noAgent(reply);
    });
    app.patch('/agents/:userId/presence', async (request, reply) => {
      const { userId } = request.params as { userId: string };
      const user = directories.of(accountOf(request)).users.find((u) => u.userId === userId);
      if (!user) return noAgent(reply);
      const { presenceId } = (request.body ?? {}) as { presenceId?: unknown };
      if (presenceId === undefined) {
        return reply.code(400).send({
          status: 400,
          title: 'One or more validation errors occurred.',
          errors: [{ message: 'The PresenceId field is required.', path: 'presenceId' }],
        });
      }
      const presence = PRESENCES.find((p) => p.presenceId === presenceId);
      if (!presence) return reply.code(400).send({ message: 'The request is invalid.' });
      user.presenceId = presence.presenceId;
      user.presenceUpdated = new Date().toISOString();
      return presenceView(user);
    });
  },
};
