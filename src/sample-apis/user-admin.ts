import { directories } from './directory.js';
import { accountOf, requires, type SampleApi, sampleDocument } from './sample-api.js';
import type { SampleUser } from './sample-data.js';

const view = (u: SampleUser) => ({
  userId: u.userId,
  username: u.username,
  name: u.name,
  email: u.email,
  active: u.active,
  locked: false,
  userAccountConfiguration: { role: u.role, chargeable: true, actAsAgent: true },
});

/** User Admin v4: list (include, page, limit) and read users. */
export const userAdmin: SampleApi = {
  document: sampleDocument('useradmin', 'User Admin', [4], {
    '/useradmin/users': {
      get: {
        summary: 'List users: {users, meta}',
        parameters: [
          { name: 'include', in: 'query', schema: { enum: ['Active', 'Archived', 'All'] } },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000 } },
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
      const query = request.query as { include?: string; page?: string; limit?: string };
      const include = query.include ?? 'Active';
      const page = Number(query.page ?? 1);
      const limit = Number(query.limit ?? 25);
      if (!['Active', 'Archived', 'All'].includes(include) || !Number.isInteger(page) || page < 1) {
        return reply.code(400).send({ message: 'The request is invalid.' });
      }
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
        return reply.code(400).send({ message: 'The request is invalid.' });
      }
      const users = directories
        .of(accountOf(request))
        .users.filter((u) => include === 'All' || (include === 'Active') === u.active);
      // VCC documents `page` in the paging metadata; the other fields follow its Insights Stats API.
      return {
        users: users.slice((page - 1) * limit, page * limit).map(view),
        meta: {
          page,
          count: Math.min(limit, Math.max(0, users.length - (page - 1) * limit)),
          pageCount: Math.ceil(users.length / limit),
          totalCount: users.length,
        },
      };
    });
    app.get('/useradmin/users/:userId', async (request, reply) => {
      const { userId } = request.params as { userId: string };
      const user = directories.of(accountOf(request)).users.find((u) => u.userId === userId);
      return user ? view(user) : reply.code(404).send({ message: 'The user was not found.' });
    });
  },
};
