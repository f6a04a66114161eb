import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { apiTokenJson } from '../present.js';
import { errorResponses, idParams, nameField, nullableDateTime } from '../schemas.js';

/** Personal API tokens: the caller's own, for scripts. */
export async function tokenRoutes(app: AdminApp, context: AdminApiContext) {
  app.get(
    '/tokens',
    {
      schema: {
        summary: "The caller's personal API tokens (never their values)",
        tags: ['tokens'],
        response: {
          200: {
            type: 'object',
            required: ['tokens'],
            properties: { tokens: { type: 'array', items: { $ref: 'ApiToken#' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      tokens: (await context.apiTokens.list(callerOf(request).actor)).map(apiTokenJson),
    }),
  );

  app.post(
    '/tokens',
    {
      schema: {
        summary: 'Create a personal API token; its value is in this answer only',
        tags: ['tokens'],
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: nameField,
            expiresAt: nullableDateTime,
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['token', 'secret'],
            properties: { token: { $ref: 'ApiToken#' }, secret: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { token, secret } = await context.apiTokens.create(request.body, callerOf(request).actor);
      return reply.code(201).send({ token: apiTokenJson(token), secret });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        summary: 'Revoke a personal API token',
        tags: ['tokens'],
        params: idParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await context.apiTokens.revoke(request.params.id, callerOf(request).actor);
      return reply.code(204).send(null);
    },
  );
}
