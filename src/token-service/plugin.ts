import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFromTrustedProxy, type TrustedProxies, trustedProxies } from '../config/trusted-proxies.js';
import { InvalidRequest } from '../core/errors.js';
import { readPresentedCertificate } from '../crypto/client-certificate.js';
import { dpopHeader } from '../services/verification/dpop-proof.js';
import type { TokenServiceContext } from './context.js';
import { handleIntrospection } from './introspection-endpoint.js';
import {
  authorizationServerMetadata,
  INTROSPECTION_PATH,
  JWKS_PATH,
  metadataPaths,
  REVOCATION_PATH,
  TOKEN_PATH,
} from './metadata.js';
import { replyWithOAuthError } from './oauth-error-reply.js';
import { handleRevocation } from './revocation-endpoint.js';
import { handleTokenRequest } from './token-endpoint.js';
import { traceTokenRequests } from './token-tracing.js';

/**
 * The client's TLS certificate, where a terminator passes it on in the configured header (RFC 8705).
 * Only a trusted proxy may send it: from anyone else it is a forgery, made from a public certificate.
 */
function clientCertificate(header: string | undefined, proxies: TrustedProxies, request: FastifyRequest) {
  if (header === undefined) return undefined;
  const value = request.headers[header];
  if (value === undefined || value === '') return undefined;
  if (!proxies.vouches(request.socket.remoteAddress)) throw new InvalidRequest(notFromTrustedProxy(header));
  try {
    return readPresentedCertificate(typeof value === 'string' ? value : undefined);
  } catch (error) {
    throw new InvalidRequest(`The client certificate could not be read: ${(error as Error).message}`);
  }
}

/** Small bodies only: a token request is a few hundred bytes. */
const BODY_LIMIT = 16 * 1024;

const tokenResponseSchema = {
  200: {
    type: 'object',
    properties: {
      access_token: { type: 'string' },
      expires_in: { type: 'integer' },
      token_type: { type: 'string' },
      scope: { type: 'string' },
    },
    required: ['access_token', 'expires_in', 'token_type', 'scope'],
  },
} as const;

/** The token service surface: token, introspection, revocation, JWKS and metadata. */
export async function tokenServicePlugin(app: FastifyInstance, context: TokenServiceContext): Promise<void> {
  // These endpoints take application/x-www-form-urlencoded only (RFC 6749 §4.4.2, as VCC does).
  app.removeAllContentTypeParsers();
  await app.register(formBody, { bodyLimit: BODY_LIMIT });
  app.setErrorHandler(replyWithOAuthError);
  const proxies = trustedProxies(context.config.trustProxy);

  const requestOf = (request: FastifyRequest) => ({
    body: request.body,
    authorization: request.headers.authorization,
    address: request.ip,
    // Counted raw: Node would join two DPoP headers into one value.
    dpop: dpopHeader(request.raw),
    certificate: clientCertificate(context.config.clientCertificateHeader, proxies, request),
  });

  app.post(
    TOKEN_PATH,
    { bodyLimit: BODY_LIMIT, schema: { response: tokenResponseSchema } },
    traceTokenRequests(context.tracing)(async (request, reply) => {
      const presented = requestOf(request);
      const response = await handleTokenRequest(context, presented);
      void reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache' });
      // RFC 9449 §8.2: the nonce for the client's next proof, before the one it holds goes stale.
      if (context.dpopNonces && presented.dpop !== undefined) {
        void reply.header('dpop-nonce', context.dpopNonces.current());
      }
      return response;
    }),
  );

  app.post(INTROSPECTION_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const response = await handleIntrospection(context, requestOf(request));
    void reply.header('cache-control', 'no-store');
    return response;
  });

  app.post(REVOCATION_PATH, { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    await handleRevocation(context, requestOf(request));
    void reply.header('cache-control', 'no-store');
    return reply.code(200).send();
  });

  app.get(JWKS_PATH, async (_request, reply) => {
    void reply.header('cache-control', 'public, max-age=60');
    return context.keyring.jwks();
  });

  for (const path of metadataPaths(context.config)) {
    app.get(path, async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*');
      // The published keys' algorithms: both while a region moves from one to the other.
      return authorizationServerMetadata(context.config, context.catalogue, context.keyring.algorithms());
    });
  }
}
