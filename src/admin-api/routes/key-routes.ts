import type { AdminApp } from '../admin-app.js';
import { callerOf } from '../authenticate.js';
import type { AdminApiContext } from '../context.js';
import { credentialJson } from '../present.js';
import { errorResponses, idParams, oneCredentialResponse } from '../schemas.js';
import { publicKey } from './credential-routes.js';

/** Public keys for private_key_jwt (RFC 7523): added and removed like secrets, each change audited. */
export async function keyRoutes(app: AdminApp, context: AdminApiContext) {
  app.post(
    '/credentials/:id/keys',
    {
      schema: {
        summary: 'Add a public key (PEM or JWK); assertions it signs authenticate the client from now on',
        tags: ['keys'],
        params: idParams,
        body: {
          type: 'object',
          required: ['publicKey'],
          additionalProperties: false,
          properties: { publicKey },
        },
        response: { 201: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { actor } = callerOf(request);
      await context.credentials.addKey(request.params.id, request.body.publicKey, actor);
      const credential = await context.credentials.find(request.params.id, actor);
      return reply.code(201).send({
        credential: credentialJson(
          await context.credentials.detailsOf(credential),
          new Date(context.clock.now()),
        ),
      });
    },
  );

  app.delete(
    '/credentials/:id/keys/:keyId',
    {
      schema: {
        summary: 'Remove a public key (by id or thumbprint); its assertions fail from now on',
        tags: ['keys'],
        params: {
          type: 'object',
          required: ['id', 'keyId'],
          properties: { id: { type: 'string', maxLength: 100 }, keyId: { type: 'string', maxLength: 100 } },
        },
        response: { 200: oneCredentialResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = callerOf(request);
      await context.credentials.removeKey(request.params.id, request.params.keyId, actor);
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
