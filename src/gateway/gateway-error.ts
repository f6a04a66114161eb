import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { GATEWAY_ERRORS, type GatewayErrorCode, statusOf } from '../core/error-registry.js';
import { DPOP_ALGORITHMS } from '../services/verification/dpop-proof.js';

/**
 * Errors the gateway answers with (codes and statuses from core/error-registry.ts), and the one
 * place they meet the wire. Bodies use the OAuth envelope with the real system's texts
 * (DESIGN.md); 401 and 403 carry RFC 6750 headers.
 */
export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: GatewayErrorCode,
    /** One of the statuses core/error-registry.ts lists for the code. */
    status: number,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'GatewayError';
    this.status = statusOf(GATEWAY_ERRORS, code, status);
  }
}

const REALM = 'keygate';
// A header value is ASCII: Node refuses anything else, and a quote or backslash would end the string.
const quote = (value: string) => `"${value.replace(/["\\]|[^\x20-\x7e]/g, '')}"`;

export function accessTokenMissing(): GatewayError {
  // RFC 6750 §3.1: a request without credentials gets the challenge without an error code.
  return new GatewayError('invalid_request', 401, 'The access token is missing', {
    'www-authenticate': `Bearer realm=${quote(REALM)}`,
  });
}

export function accessTokenInvalid(): GatewayError {
  const description = 'The access token is invalid or has expired';
  return new GatewayError('invalid_token', 401, description, {
    'www-authenticate': `Bearer realm=${quote(REALM)}, error="invalid_token", error_description=${quote(description)}`,
  });
}

/** The DPoP challenge (RFC 9449 §7.1): the error, what went wrong, and the algorithms a proof may use. */
function dpopChallenge(error: string, description: string): Record<string, string> {
  return {
    'www-authenticate': `DPoP realm=${quote(REALM)}, error="${error}", error_description=${quote(description)}, algs="${DPOP_ALGORITHMS.join(' ')}"`,
  };
}

/** A DPoP-bound token sent as Bearer, or a bearer token sent with the DPoP scheme. */
export function tokenSchemeMismatch(bound: boolean): GatewayError {
  const description = bound
    ? 'The access token is bound to a key: send it with the DPoP scheme and a DPoP proof'
    : 'The access token is not bound to a key: send it with the Bearer scheme';
  return new GatewayError('invalid_token', 401, description, dpopChallenge('invalid_token', description));
}

export function invalidDpopProof(why: string): GatewayError {
  const description = `The DPoP proof is not valid: ${why}`;
  return new GatewayError(
    'invalid_dpop_proof',
    401,
    description,
    dpopChallenge('invalid_dpop_proof', description),
  );
}

/** RFC 9449 §9: the proof lacks the server's nonce, which is in the `DPoP-Nonce` header. */
export function dpopNonceRequired(nonce: string): GatewayError {
  const description = 'Resource server requires nonce in DPoP proof';
  return new GatewayError('use_dpop_nonce', 401, description, {
    ...dpopChallenge('use_dpop_nonce', description),
    'dpop-nonce': nonce,
  });
}

/** A certificate-bound token (RFC 8705) without its certificate on the call. */
export function certificateMismatch(): GatewayError {
  const description = 'The access token is bound to a client certificate: call over mutual TLS with it';
  return new GatewayError('invalid_token', 401, description, {
    'www-authenticate': `Bearer realm=${quote(REALM)}, error="invalid_token", error_description=${quote(description)}`,
  });
}

/** The token's credential may not be used from the caller's address (its allowlist). */
export function usedFromElsewhere(): GatewayError {
  const description = 'The access token cannot be used from this address';
  return new GatewayError('invalid_token', 401, description, {
    'www-authenticate': `Bearer realm=${quote(REALM)}, error="invalid_token", error_description=${quote(description)}`,
  });
}

export function malformedAuthorization(): GatewayError {
  const description = 'The Authorization header must be "Bearer <access token>" or "DPoP <access token>"';
  return new GatewayError('invalid_request', 400, description, {
    'www-authenticate': `Bearer realm=${quote(REALM)}, error="invalid_request", error_description=${quote(description)}`,
  });
}

export function insufficientScope(accepted: readonly string[]): GatewayError {
  const description = `The access token does not have a scope this API accepts: ${accepted.join(' or ')}`;
  return new GatewayError('insufficient_scope', 403, description, {
    'www-authenticate': `Bearer realm=${quote(REALM)}, error="insufficient_scope", scope=${quote(accepted.join(' '))}, error_description=${quote(description)}`,
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The JSON body of the answer to `error`. */
export function gatewayErrorBody(error: GatewayError): string {
  return JSON.stringify({ error: error.code, error_description: error.description });
}

/** Answers with `error` through Fastify. */
export function replyWithGatewayError(error: GatewayError, reply: FastifyReply): void {
  void reply
    .code(error.status)
    .headers(error.headers)
    .header('content-type', JSON_TYPE)
    .send(gatewayErrorBody(error));
}

/** Answers with `error` on a response taken from Fastify (the proxy's), beside `ownHeaders`. */
export function writeGatewayError(
  error: GatewayError,
  response: ServerResponse,
  ownHeaders: Record<string, string>,
): void {
  response.writeHead(error.status, { ...ownHeaders, ...error.headers, 'content-type': JSON_TYPE });
  response.end(gatewayErrorBody(error));
}

/** Fastify's own refusals (a body over the limit) and the unexpected, as gateway answers. */
export function asGatewayError(error: unknown, log: FastifyBaseLogger): GatewayError {
  if (error instanceof GatewayError) return error;
  if ((error as { statusCode?: number }).statusCode === 413) {
    return new GatewayError('invalid_request', 413, 'The request body is too large');
  }
  log.error({ err: error }, 'unexpected error in the gateway');
  // Keygate's own fault, not the upstream's: 502 would send an operator to the wrong service.
  return new GatewayError('server_error', 500, 'The gateway could not complete the request');
}
