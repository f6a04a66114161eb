import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequest, OAuthError, ServerError } from '../core/errors.js';

/**
 * The one place OAuth errors meet the wire: RFC 6749 §5.2 envelope, status and headers from the
 * error (its code and status from core/error-registry.ts). Fastify's own errors (bad media type,
 * body too large, unparsable body) become `invalid_request`; anything else is a `server_error`
 * whose details stay in the log.
 */
export function replyWithOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  let oauthError = toOAuthError(error);
  if (!oauthError) {
    request.log.error({ err: error }, 'unexpected error in the token service');
    oauthError = new ServerError();
  }
  sendOAuthError(oauthError, reply);
}

export function sendOAuthError(error: OAuthError, reply: FastifyReply): void {
  void reply
    .code(error.status)
    .headers({ 'cache-control': 'no-store', ...error.headers })
    .send({ error: error.code, error_description: error.description });
}

function toOAuthError(error: unknown): OAuthError | undefined {
  if (error instanceof OAuthError) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InvalidRequest('The request body must be application/x-www-form-urlencoded');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidRequest('The request body is too large', 413);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequest('The request body could not be parsed');
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new InvalidRequest('The request could not be parsed');
  }
  return undefined;
}
