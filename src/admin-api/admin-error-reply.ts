import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/domain-error.js';
import { ADMIN_ERRORS, type AdminErrorCode, statusOf } from '../core/error-registry.js';

/** Thrown by the admin API's own checks (authentication, CSRF) that are not domain rules. */
export class AdminHttpError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The admin API's wire shape, with the status the error registry gives the code. */
export function sendAdminError(reply: FastifyReply, code: AdminErrorCode, message: string, field?: string) {
  return reply.code(statusOf(ADMIN_ERRORS, code)).send({ code, message, ...(field ? { field } : {}) });
}

/**
 * The one mapping from errors to the admin API's wire shape `{code, message, field?}`. Domain
 * errors carry their code; input the schemas refuse is validation_failed naming the field; anything
 * else is a 500 whose details go to the log only.
 */
export function replyWithAdminError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError) {
    if (error.retryAfterSeconds) void reply.header('retry-after', String(error.retryAfterSeconds));
    return sendAdminError(reply, error.code, error.message, error.field);
  }
  if (error instanceof AdminHttpError) {
    return sendAdminError(reply, error.code, error.message);
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
    return sendAdminError(reply, 'validation_failed', message, field);
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendAdminError(reply, 'body_too_large', 'The body is over 64 KiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendAdminError(reply, 'unsupported_media_type', 'Send the body as application/json');
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return sendAdminError(reply, 'validation_failed', 'The request body is not valid JSON');
  }
  request.log.error({ err: error }, 'admin API request failed');
  return sendAdminError(reply, 'internal_error', 'Something went wrong on our side');
}
