import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';
import type { SampleUser } from './sample-data.js';

const view = (u: SampleUser) => ({
  id: u.id,
  firstName: u.firstName,
  lastName: u.lastName,
  email: u.email,
  username: u.username,
  skills: u.skills,
});

/** User Admin v4: list and read users, paged. */
export const userAdmin: SampleApi = {
  document: sampleDocument('useradmin', 'User Admin', [4], {
    '/useradmin/users': {
      get: {
        summary: 'List users',
        parameters: [
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        ],
        security: requires('users:read', 'users:write'),
        responses: { 200: { description: 'A page of users' } },
      },
    },
    '/useradmin/users/{userId}': {
      get: {
        summary: 'Get a user',
        security: requires('users:read', 'users:write'),
        responses: { 200: { description: 'The user' } },
      },
    },
  }),
  register(app) {
    app.get('/useradmin/users', async (request, reply) => {
      const query = request.query as { page?: string; pageSize?: string };
      const page = Number(query.page ?? 1);
      const pageSize = Number(query.pageSize ?? 20);
      if (
        !Number.isInteger(page) ||
        page < 1 ||
        !Number.isInteger(pageSize) ||
        pageSize < 1 ||
        pageSize > 100
      ) {
        return reply.code(400).send({ message: 'page must be ≥ 1 and pageSize between 1 and 100' });
      }
      const users = directories.of(accountOf(request)).users;
      return {
        items: users.slice((page - 1) * pageSize, page * pageSize).map(view),
        meta: { page, pageSize, count: users.length, totalPages: Math.ceil(users.length / pageSize) },
      };
    });
    app.get('/useradmin/users/:userId', async (request, reply) => {
      const { userId } = request.params as { userId: string };
      const user = directories.of(accountOf(request)).users.find((u) => u.id === userId);
      return user ? view(user) : reply.code(404).send({ message: `No user ${userId}` });
    });
  },
};
