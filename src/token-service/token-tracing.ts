import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../core/errors.js';
import { endServerSpan, KEYGATE, startServerSpan, type Tracing } from '../services/observability/tracing.js';
import { TOKEN_PATH } from './metadata.js';

type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * The token endpoint's handler in a SERVER span, where tracing is on: the caller's `traceparent`
 * continued, the request's steps (token-endpoint.ts) its children, and the decision with the
 * error code of a refusal. Without tracing the handler is returned as it is.
 */
export function traceTokenRequests(tracing: Tracing | undefined): <H extends Handler>(handler: H) => H {
  if (tracing === undefined) return (handler) => handler;
  return <H extends Handler>(handler: H): H =>
    async function traced(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const { span, context } = startServerSpan(tracing, request, `POST ${TOKEN_PATH}`, TOKEN_PATH);
      try {
        const answer = await tracing.contexts.with(context, handler as Handler, this, request, reply);
        span.setAttribute(KEYGATE.decision, 'issued');
        endServerSpan(span, reply.statusCode);
        return answer;
      } catch (error) {
        // As oauth-error-reply.ts answers it: an OAuth error's own status, any other a server_error.
        const refusal = error instanceof OAuthError ? error.code : 'server_error';
        span.setAttributes({ [KEYGATE.decision]: 'refused', [KEYGATE.refusal]: refusal });
        endServerSpan(span, error instanceof OAuthError ? error.status : 500, refusal);
        throw error;
      }
    } as H;
}
