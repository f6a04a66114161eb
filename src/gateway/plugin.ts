import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { UsageRecorder } from '../services/limits/usage-recorder.js';
import type { Tracing } from '../services/observability/tracing.js';
import { dpopHeader } from '../services/verification/dpop-proof.js';
import { admitCall, type CallChecks, presentedCertificate } from './admit-call.js';
import type { ApiRoute } from './api-document.js';
import { traceGatewayCalls, traceUpstreamCalls } from './call-tracing.js';
import { ConcurrentCalls } from './concurrent-calls.js';
import { asGatewayError, GatewayError, replyWithGatewayError } from './gateway-error.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { protectedResourceMetadata } from './protected-resource-metadata.js';
import { upstreamRequestHeaders } from './upstream-headers.js';
import { UpstreamProxy } from './upstream-proxy.js';

export interface GatewayContext extends Omit<CallChecks, 'concurrent'> {
  readonly config: Config;
  readonly routes: readonly ApiRoute[];
  /** Upstream base URL of each API. */
  readonly upstreams: ReadonlyMap<string, string>;
  readonly usage: UsageRecorder;
  readonly metrics: GatewayMetrics;
  /** Where tracing is on (call-tracing.ts); the checks' verifier and counters come traced too. */
  readonly tracing?: Tracing | undefined;
}

/** The gateway's connections per upstream; each plan's `concurrentCalls` stays below it. */
const CONNECTIONS_PER_UPSTREAM = 128;

/**
 * The regional API gateway: each declared operation is checked (admit-call.ts), then proxied to its
 * API with what was checked (upstream-proxy.ts). Anything not declared is 404.
 */
export async function gatewayPlugin(app: FastifyInstance, context: GatewayContext): Promise<void> {
  const proxy = new UpstreamProxy({
    timeoutMs: context.config.upstreamTimeoutMs,
    callerStallTimeoutMs: context.config.callerStallTimeoutMs,
    connections: CONNECTIONS_PER_UPSTREAM,
  });
  // The upstream connections belong to this listener; the request counters belong to the process
  // (closed with its shared services).
  app.addHook('onClose', () => proxy.close());
  // Wrapped here once where tracing is on, as is each route's handler below: with it off, a call
  // runs exactly the code it ran before tracing existed.
  const upstreamCalls = traceUpstreamCalls(context.tracing, proxy);
  // Bodies pass through untouched, whatever their type, but are read whole before the call is
  // dispatched: a body that arrives slowly holds no upstream connection (requestTimeoutMs bounds it).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: context.config.maxRequestBodyBytes },
    (_request, body, done) => done(null, body),
  );
  const checks: CallChecks = { ...context, concurrent: new ConcurrentCalls() };

  app.setErrorHandler((error, request, reply) =>
    replyWithGatewayError(asGatewayError(error, request.log), reply),
  );
  const unrouted = context.metrics.forApi('none');
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    unrouted.observe(404, 'none', 0);
    replyWithGatewayError(new GatewayError('not_found', 404, `No API at ${request.method} ${path}`), reply);
  });

  const metadata = protectedResourceMetadata(context.config, context.routes);
  app.get('/.well-known/oauth-protected-resource', async () => metadata);

  for (const route of context.routes) {
    const upstream = context.upstreams.get(route.api);
    if (!upstream) throw new Error(`no upstream configured for the ${route.api} API`);
    try {
      proxy.prepare(upstream);
    } catch (error) {
      throw new Error(`the upstream of the ${route.api} API, ${upstream}, is not an origin undici can call`, {
        cause: error,
      });
    }
    const metrics = context.metrics.forApi(route.api);
    app.route({
      method: route.method as 'GET',
      url: route.routerPath,
      handler: traceGatewayCalls(
        context.tracing,
        route,
      )(async (request, reply) => {
        const started = performance.now();
        let scope = 'none';
        try {
          const admission = await admitCall(
            checks,
            route,
            {
              method: request.method,
              address: request.ip,
              url: request.url,
              authorization: request.headers.authorization,
              accept: request.headers.accept,
              dpop: dpopHeader(request.raw),
              certificate: presentedCertificate(request.headers, request.socket.remoteAddress, checks),
              connection: request.socket,
            },
            (admitting) => {
              scope = admitting;
            },
          );
          try {
            context.usage.apiCalled(admission.token.credentialId, scope, Date.now());
            const headers = upstreamRequestHeaders(
              request.headers,
              request,
              admission.token,
              context.config.forwardBearerToken,
            );
            const answer = await upstreamCalls.forward(
              upstream,
              admission.target,
              request,
              reply,
              headers,
              admission.answerHeaders,
            );
            metrics.observe(
              answer.status,
              scope,
              (performance.now() - started) / 1000,
              answer.upstreamSeconds,
            );
            return reply;
          } finally {
            admission.release();
          }
        } catch (error) {
          const status = error instanceof GatewayError ? error.status : 500;
          metrics.observe(status, scope, (performance.now() - started) / 1000);
          throw error;
        }
      }),
    });
  }
}
