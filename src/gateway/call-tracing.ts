import type { Span } from '@opentelemetry/api';
import { defaultTextMapSetter, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestCounter } from '../services/limits/rate-limiter.js';
import {
  annotate,
  callRecord,
  endServerSpan,
  errorCode,
  KEYGATE,
  methodAttributes,
  pathOf,
  startServerSpan,
  step,
  type Tracing,
  withCallRecord,
} from '../services/observability/tracing.js';
import type { AccessTokenVerifier } from '../services/verification/access-token-verifier.js';
import type { ApiRoute } from './api-document.js';
import { GatewayError } from './gateway-error.js';
import { routeFit } from './route-fit.js';
import type { RouteTable } from './route-table.js';
import type { UpstreamProxy } from './upstream-proxy.js';

/**
 * The gateway's and forward-auth's tracing, where it is on. Everything is wrapped once, when the
 * surface is built: with tracing off none of this is reached, and a call runs the very code it
 * runs without tracing. With it on, each call's decision is a SERVER span (the caller's
 * `traceparent` continued) with the token's verification (cache hit or miss) and each fair-usage
 * counter as children, and the upstream call a CLIENT span whose context the upstream receives.
 */

type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The verifier with each verification in a span that says whether the token was already held. */
export function traceVerification(
  tracing: Tracing,
  verifier: AccessTokenVerifier,
): Pick<AccessTokenVerifier, 'verify'> {
  return {
    verify(token, nowMs, connection) {
      // Asked before verifying, which would hold it.
      const cache = verifier.holds(token, connection) ? 'hit' : 'miss';
      return step(tracing, 'keygate.verify_token', async (span) => {
        span?.setAttribute('keygate.token.cache', cache);
        const verdict = await verifier.verify(token, nowMs, connection);
        if (!verdict.admitted) {
          span?.setAttribute('keygate.token.refusal', verdict.reason);
          return verdict;
        }
        const { accountId, clientId, scopes, resource } = verdict.token;
        Object.assign(callRecord(tracing) ?? {}, { accountId, clientId, scopes, resource });
        annotate(tracing, { [KEYGATE.accountId]: accountId, [KEYGATE.clientId]: clientId });
        return verdict;
      });
    },
  };
}

/**
 * The fair-usage counters with each count taken in a span: its limit, what remains, and whether
 * it allowed the call. An answer from memory stays synchronous, as takeFairUsage expects.
 */
export function traceFairUsage(tracing: Tracing, counter: RequestCounter): RequestCounter {
  return {
    take(key, rule) {
      const span = tracing.tracer.startSpan(
        'keygate.fair_usage',
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            // `account:…` or `credential:…` (fair-usage.ts): which limit, never whose.
            'keygate.rate_limit.counter': key.slice(0, key.indexOf(':')),
            'keygate.rate_limit.limit': rule.limit,
            'keygate.rate_limit.window_seconds': rule.windowSeconds,
          },
        },
        tracing.contexts.active(),
      );
      let taken: ReturnType<RequestCounter['take']>;
      try {
        taken = counter.take(key, rule);
      } catch (error) {
        failed(span, error);
        throw error;
      }
      if (!(taken instanceof Promise)) return counted(span, taken);
      return taken.then(
        (decision) => counted(span, decision),
        (error: unknown) => {
          failed(span, error);
          throw error;
        },
      );
    },
  };
}

function counted<D extends { allowed: boolean; remaining: number }>(span: Span, decision: D): D {
  span.setAttributes({
    'keygate.rate_limit.allowed': decision.allowed,
    'keygate.rate_limit.remaining': decision.remaining,
  });
  span.end();
  return decision;
}

function failed(span: Span, error: unknown): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorCode(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * The upstream proxy with each call in a CLIENT span. The upstream receives that span as its
 * parent: `traceparent` (and `tracestate`, where the trace carries one) are the gateway's own,
 * replacing the caller's, which the call's SERVER span continued. The URL has no query string.
 */
export function traceUpstreamCalls(
  tracing: Tracing | undefined,
  proxy: UpstreamProxy,
): Pick<UpstreamProxy, 'forward'> {
  if (tracing === undefined) return proxy;
  return {
    async forward(origin, target, request, reply, headers, ownHeaders) {
      const parent = tracing.contexts.active();
      const upstream = new URL(origin);
      const span = tracing.tracer.startSpan(
        request.method,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            ...methodAttributes(request.method),
            [ATTR_SERVER_ADDRESS]: upstream.hostname,
            [ATTR_SERVER_PORT]: Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80)),
            [ATTR_URL_FULL]: `${upstream.origin}${pathOf(target)}`,
          },
        },
        parent,
      );
      delete headers.traceparent;
      delete headers.tracestate;
      tracing.propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
      const answer = await proxy.forward(origin, target, request, reply, headers, ownHeaders);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answer.status);
      // A client span fails on any 4xx or 5xx (the HTTP conventions); 502 and 504 are the gateway's.
      if (answer.status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(answer.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      return answer;
    },
  };
}

/** A gateway route's handler in the SERVER span of its decision; as it is without tracing. */
export function traceGatewayCalls(
  tracing: Tracing | undefined,
  route: ApiRoute,
): <H extends Handler>(handler: H) => H {
  if (tracing === undefined) return (handler) => handler;
  // A call that the handler returns from was admitted, whatever the upstream answered.
  return (handler) =>
    traced(
      tracing,
      handler,
      () => ({ name: `${route.method} ${route.path}`, route, own: true }),
      () => true,
    );
}

/**
 * Forward-auth's handler (as it is without tracing) in the SERVER span of its decision, named after the call the proxy asks
 * about (X-Forwarded-Method and -Uri, as forward-auth.ts reads them) where it is a declared route.
 */
export function traceForwardAuth(
  tracing: Tracing | undefined,
  routes: RouteTable,
): <H extends Handler>(handler: H) => H {
  if (tracing === undefined) return (handler) => handler;
  return (handler) =>
    traced(
      tracing,
      handler,
      (request) => {
        const uri = request.headers['x-forwarded-uri'];
        const method = request.headers['x-forwarded-method'];
        const asked =
          typeof uri === 'string' && typeof method === 'string'
            ? { method: method.toUpperCase(), url: uri }
            : { method: request.method, url: request.url };
        let route: ApiRoute | undefined;
        try {
          route = routes.find(asked.method, asked.url);
        } catch {
          route = undefined; // a target the router refuses: forward-auth answers it
        }
        return {
          name: route ? `forward-auth ${route.method} ${route.path}` : 'forward-auth',
          route,
          own: false,
          attributes: route ? { 'keygate.forwarded.route': `${route.method} ${route.path}` } : undefined,
        };
      },
      (reply) => reply.raw.statusCode === 200,
    );
}

function traced<H extends Handler>(
  tracing: Tracing,
  handler: H,
  describe: (request: FastifyRequest) => {
    name: string;
    route: ApiRoute | undefined;
    /** Whether the route is the listener's own (`http.route`); forward-auth's own route is `*`. */
    own: boolean;
    attributes?: Record<string, string>;
  },
  /** Whether a call the handler answered without throwing was admitted. */
  admitted: (reply: FastifyReply) => boolean,
): H {
  return async function tracedCall(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const { name, route, own, attributes } = describe(request);
    const { span, context } = startServerSpan(
      tracing,
      request,
      name,
      own ? route?.path : undefined,
      attributes,
    );
    const record = {};
    try {
      const answer = await tracing.contexts.with(
        withCallRecord(context, record),
        handler as Handler,
        this,
        request,
        reply,
      );
      decided(span, route, record, admitted(reply) ? 'admitted' : 'refused');
      // The gateway hijacks the reply: the status is what the upstream (or its 502 or 504) wrote.
      endServerSpan(span, reply.raw.statusCode);
      return answer;
    } catch (error) {
      decided(span, route, record, 'refused');
      const status = error instanceof GatewayError ? error.status : 500;
      const code = error instanceof GatewayError ? error.code : 'server_error';
      span.setAttribute(KEYGATE.refusal, code);
      endServerSpan(span, status, code);
      throw error;
    }
  } as H;
}

/** The decision, and the scope that admitted the call where the token holds one the route takes. */
function decided(
  span: Span,
  route: ApiRoute | undefined,
  record: { scopes?: readonly string[]; resource?: string | undefined },
  decision: 'admitted' | 'refused',
): void {
  span.setAttribute(KEYGATE.decision, decision);
  if (route === undefined || record.scopes === undefined) return;
  const fit = routeFit(route, { scopes: record.scopes, resource: record.resource });
  if (typeof fit === 'object') span.setAttribute(KEYGATE.scope, fit.scope);
}
