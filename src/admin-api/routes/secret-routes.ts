import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { credentialJson, secretJson } from '../present.js';
import {
  errorResponses,
  idParams,
  nullableDateTime,
  oneCredentialResponse,
  secretParams,
} from '../schemas.js';

/** Secret rotation without downtime: add a secret, let the old one expire or revoke it. */
export async function secretRoutes(app: AdminApp, context: AdminApiContext) {
  app.post(
    '/credentials/:id/secrets',
    {
      schema: {
        summary: 'Add a secret; the value is in this answer only',
        tags: ['secrets'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { expireOtherSecretsAt: nullableDateTime },
        },
        response: {
          201: {
            type: 'object',
            required: ['credential', 'secret', 'clientSecret'],
            properties: {
              credential: { $ref: 'Credential#' },
              secret: { $ref: 'Secret#' },
              clientSecret: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { actor } = callerOf(request);
      const { secret, clientSecret } = await context.credentials.addSecret(
        request.params.id,
        { expireOtherSecretsAt: request.body.expireOtherSecretsAt ?? null },
        actor,
      );
      const credential = await context.credentials.find(request.params.id, actor);
      return reply.code(201).send({
        credential: credentialJson(
          await context.credentials.detailsOf(credential),
          new Date(context.clock.now()),
        ),
        secret: secretJson(secret, new Date(context.clock.now())),
        clientSecret,
      });
    },
  );

  app.patch(
    '/credentials/:id/secrets/:secretId',
    {
      schema: {
        summary: "Set or clear one secret's expiry",
        tags: ['secrets'],
        params: secretParams,
        body: {
          type: 'object',
          required: ['expiresAt'],
          additionalProperties: false,
          properties: { expiresAt: nullableDateTime },
        },
        response: { 200: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = callerOf(request);
      await context.credentials.setSecretExpiry(
        request.params.id,
        request.params.secretId,
        request.body.expiresAt,
        actor,
      );
      const credential = await context.credentials.find(request.params.id, actor);
      return {
        credential: credentialJson(
          await context.credentials.detailsOf(credential),
          new Date(context.clock.now()),
        ),
      };
    },
  );

  app.delete(
    '/credentials/:id/secrets/:secretId',
    {
      schema: {
        summary: 'Revoke one secret now',
        tags: ['secrets'],
        params: secretParams,
        response: { 200: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = callerOf(request);
      await context.credentials.revokeSecret(request.params.id, request.params.secretId, actor);
      const credential = await context.credentials.find(request.params.id, actor);
      return {
        credential: credentialJson(
          await context.credentials.detailsOf(credential),
          new Date(context.clock.now()),
        ),
      };
    },
  );
}
