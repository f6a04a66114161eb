import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { userJson } from '../present.js';
import { errorResponses } from '../schemas.js';

/** Portal users of the caller's account (admins only). */
export async function userRoutes(app: AdminApp, context: AdminApiContext) {
  app.get(
    '/users',
    {
      schema: {
        summary: "The account's portal users (admin)",
        tags: ['users'],
        response: {
          200: {
            type: 'object',
            required: ['users'],
            properties: { users: { type: 'array', items: { $ref: 'User#' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const users = await context.users.list(callerOf(request).actor);
      return { users: (await context.users.withAccounts(users)).map(userJson) };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        summary: 'Add a portal user to the account (admin)',
        tags: ['users'],
        body: {
          type: 'object',
          required: ['email', 'password', 'licence'],
          additionalProperties: false,
          properties: {
            email: { type: 'string', maxLength: 254 },
            password: { type: 'string', maxLength: 1024 },
            licence: { type: ['string', 'null'], enum: ['admin', 'supervisor', null] },
          },
        },
        response: {
          201: { type: 'object', required: ['user'], properties: { user: { $ref: 'User#' } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const user = await context.users.create(request.body, callerOf(request).actor);
      return reply.code(201).send({ user: userJson(await context.users.withAccount(user)) });
    },
  );
}
