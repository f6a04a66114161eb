import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { credentialJson } from '../present.js';
import {
  errorResponses,
  idParams,
  METADATA_DESCRIPTION,
  nameField,
  nullableDateTime,
  oneCredentialResponse,
} from '../schemas.js';

const name = nameField;
const scopes = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 100 } } as const;
const expiresAt = nullableDateTime;
/** A public key as PEM (SPKI) text or as a JWK object. */
export const publicKey = {
  oneOf: [
    { type: 'string', maxLength: 4096 },
    { type: 'object', maxProperties: 20, additionalProperties: { type: 'string', maxLength: 2048 } },
  ],
} as const;
const publicKeys = { type: 'array', minItems: 1, maxItems: 10, items: publicKey } as const;
const allowedCidrs = { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 50 } } as const;
/** Checked in full by the service (keys, lengths, 2048 bytes as the header); bounded here so no body is huge. */
const metadata = {
  description: METADATA_DESCRIPTION,
  type: 'object',
  maxProperties: 20,
  additionalProperties: { type: 'string', maxLength: 200 },
} as const;
const callLimit = {
  description:
    "Its own API call limit; it only lowers its plan's per-credential limit (the lower applies). Null: the plan's alone.",
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['limit', 'windowSeconds'],
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    windowSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
  },
} as const;
const tokenQuota = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['limit', 'period'],
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    period: { type: 'string', enum: ['hour', 'day'] },
  },
} as const;

/** API credentials: the seed's page, as JSON. */
export async function credentialRoutes(app: AdminApp, context: AdminApiContext) {
  app.get(
    '/credentials',
    {
      schema: {
        summary: 'The API credentials the caller may see, newest first',
        tags: ['credentials'],
        querystring: {
          type: 'object',
          properties: { owner: { type: 'string', enum: ['all', 'mine'], default: 'all' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['credentials'],
            properties: { credentials: { type: 'array', items: { $ref: 'Credential#' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { actor } = callerOf(request);
      const list = await context.credentials.listFor(actor, request.query.owner);
      list.reverse();
      return {
        credentials: (await context.credentials.details(list)).map((d) =>
          credentialJson(d, new Date(context.clock.now())),
        ),
      };
    },
  );

  app.post(
    '/credentials',
    {
      schema: {
        summary:
          'Create API credentials: with a client secret, in this answer only; or, given publicKeys, with no secret (private_key_jwt)',
        tags: ['credentials'],
        body: {
          type: 'object',
          required: ['name', 'scopes'],
          additionalProperties: false,
          properties: {
            name,
            scopes,
            expiresAt,
            publicKeys,
            requireDpop: { type: 'boolean' },
            allowedCidrs,
            tokenQuota,
            metadata,
            callLimit,
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['credential'],
            properties: { credential: { $ref: 'Credential#' }, clientSecret: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { actor } = callerOf(request);
      const { publicKeys, ...input } = request.body;
      if (publicKeys !== undefined) {
        const created = await context.credentials.createWithKeys({ ...input, publicKeys }, actor);
        return reply.code(201).send({
          credential: credentialJson(
            await context.credentials.detailsOf(created.credential),
            new Date(context.clock.now()),
          ),
        });
      }
      const created = await context.credentials.create(input, actor);
      return reply.code(201).send({
        credential: credentialJson(
          await context.credentials.detailsOf(created.credential),
          new Date(context.clock.now()),
        ),
        clientSecret: created.clientSecret,
      });
    },
  );

  app.get(
    '/credentials/:id',
    {
      schema: {
        summary: 'One API credential (by id or client ID)',
        tags: ['credentials'],
        params: idParams,
        response: { 200: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request) => {
      const credential = await context.credentials.find(request.params.id, callerOf(request).actor);
      return {
        credential: credentialJson(
          await context.credentials.detailsOf(credential),
          new Date(context.clock.now()),
        ),
      };
    },
  );

  app.patch(
    '/credentials/:id',
    {
      schema: {
        summary: 'Rename, change scopes, disable or enable, set or clear the expiry',
        tags: ['credentials'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name,
            scopes,
            disabled: { type: 'boolean' },
            expiresAt,
            requireDpop: { type: 'boolean' },
            allowedCidrs,
            tokenQuota,
            metadata,
            callLimit,
          },
        },
        response: { 200: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request) => {
      const updated = await context.credentials.update(
        request.params.id,
        request.body,
        callerOf(request).actor,
      );
      return {
        credential: credentialJson(
          await context.credentials.detailsOf(updated),
          new Date(context.clock.now()),
        ),
      };
    },
  );

  app.post(
    '/credentials/:id/revoke-tokens',
    {
      schema: {
        summary:
          'Revoke every token the credentials hold now: refused everywhere within a second; new tokens work',
        tags: ['credentials'],
        params: idParams,
        response: { 200: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request) => {
      const updated = await context.credentials.revokeTokens(request.params.id, callerOf(request).actor);
      return {
        credential: credentialJson(
          await context.credentials.detailsOf(updated),
          new Date(context.clock.now()),
        ),
      };
    },
  );

  app.delete(
    '/credentials/:id',
    {
      schema: {
        summary: 'Delete API credentials: their tokens stop working within a second',
        tags: ['credentials'],
        params: idParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await context.credentials.delete(request.params.id, callerOf(request).actor);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/credentials/:id/usage',
    {
      schema: {
        summary: 'Tokens issued and API calls per day and scope, and refusals by the credential’s policies',
        tags: ['credentials'],
        params: idParams,
        querystring: {
          type: 'object',
          properties: { days: { type: 'integer', minimum: 1, maximum: 366, default: 30 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['days', 'refusals'],
            properties: {
              refusals: {
                description: "What the credential's own policies refused, per day and reason",
                type: 'array',
                items: {
                  type: 'object',
                  required: ['day', 'reason', 'count'],
                  properties: {
                    day: { type: 'string', format: 'date' },
                    reason: { type: 'string', enum: ['address', 'token_quota'] },
                    count: { type: 'integer' },
                  },
                },
              },
              days: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['day', 'scope', 'tokensIssued', 'apiCalls'],
                  properties: {
                    day: { type: 'string', format: 'date' },
                    scope: { type: 'string' },
                    tokensIssued: { type: 'integer' },
                    apiCalls: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const credential = await context.credentials.find(request.params.id, callerOf(request).actor);
      const since = new Date(Date.now() - (request.query.days - 1) * 86_400_000).toISOString().slice(0, 10);
      const days = (await context.store.usage.daily(credential.id)).filter((d) => d.day >= since);
      const refusals = (await context.store.usage.refusals(credential.id)).filter((r) => r.day >= since);
      return { days, refusals };
    },
  );
}
