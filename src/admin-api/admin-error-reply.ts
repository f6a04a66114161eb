import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorCode } from '../core/domain-error.js';

const STATUS: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  scope_unknown: 400,
  unauthenticated: 401,
  invalid_login: 401,
  no_licence: 403,
  forbidden: 403,
  scope_not_grantable: 403,
  not_found: 404,
  conflict: 409,
  last_active_secret: 409,
  login_locked: 429,
  rate_limited: 429,
};

/** Thrown by the admin API's own checks (authentication, CSRF) that are not domain rules. */
export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one mapping from errors to the admin API's wire shape `{code, message, field?}`. Domain
 * errors carry their code; input the schemas refuse is validation_failed naming the field; anything
 * else is a 500 whose details go to the log only.
 */
export function replyWithAdminError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError) {
    if (error.retryAfterSeconds) void reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.code(STATUS[error.code]).send({
      code: error.code,
      message: error.message,
      ...(error.field ? { field: error.field } : {}),
    });
  }
  if (error instanceof AdminHttpError) {
    return reply.code(error.status).send({ code: error.code, message: error.message });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation && fastifyError.validation.length > 0) {
    const first = fastifyError.validation[0]!;
    const params = first.params as { missingProperty?: string; additionalProperty?: string };
    const path = first.instancePath.replace(/^\//, '').split('/')[0];
    const field = params.missingProperty ?? params.additionalProperty ?? (path || undefined);
    const where = fastifyError.validationContext ?? 'body';
    const message = params.additionalProperty
      ? `${params.additionalProperty} is not a field of this request`
      : `${field ?? where} ${first.message ?? 'is not valid'}`;
    return reply.code(400).send({ code: 'validation_failed', message, ...(field ? { field } : {}) });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send({ code: 'body_too_large', message: 'The body is over 64 KiB' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply
        .code(415)
        .send({ code: 'unsupported_media_type', message: 'Send the body as application/json' });
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return reply.code(400).send({ code: 'validation_failed', message: 'The request body is not valid JSON' });
  }
  request.log.error({ err: error }, 'admin API request failed');
  return reply.code(500).send({ code: 'internal_error', message: 'Something went wrong on our side' });
}
