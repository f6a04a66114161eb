import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/schema.js';
import { andThen, type MaybeAsync } from '../core/maybe-async.js';
import type { UsageRecorder } from '../token-service/usage-recorder.js';
import type { AccessTokenVerifier, AdmittedCaller } from './access-token-verifier.js';
import type { AccountPlans, PlanLimits } from './account-plans.js';
import type { ApiRoute } from './api-document.js';
import { readBearerToken } from './bearer-token.js';
import { ConcurrentCalls } from './concurrent-calls.js';
import { GatewayError, insufficientScope } from './gateway-error.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { protectedResourceMetadata } from './protected-resource-metadata.js';
import type { RateLimitDecision, RequestCounter } from './rate-limiter.js';
import { forwardedTarget } from './request-target.js';
import { upstreamRequestHeaders } from './upstream-headers.js';
import { UpstreamProxy } from './upstream-proxy.js';

export interface GatewayContext {
  readonly config: Config;
  readonly routes: readonly ApiRoute[];
  /** Upstream base URL of each API. */
  readonly upstreams: ReadonlyMap<string, string>;
  readonly verifier: AccessTokenVerifier;
  readonly limiter: RequestCounter;
  readonly plans: AccountPlans;
  readonly usage: UsageRecorder;
  readonly metrics: GatewayMetrics;
}

const VERSIONED_ACCEPT = /application\/vnd\.newvoicemedia\.v(\d+)\+json/i;

/**
 * The regional API gateway: for each declared operation, check the bearer token, the scope, the
 * version and the fair-usage limit, then proxy to the API. Anything not declared is 404.
 */
export async function gatewayPlugin(app: FastifyInstance, context: GatewayContext): Promise<void> {
  const proxy = new UpstreamProxy({
    timeoutMs: context.config.upstreamTimeoutMs,
    callerStallTimeoutMs: context.config.callerStallTimeoutMs,
    connections: 128,
  });
  app.addHook('onClose', async () => {
    await proxy.close();
    await context.limiter.close?.();
  });
  // Bodies pass through untouched, whatever their type, but are read whole before the call is
  // dispatched: a body that arrives slowly holds no upstream connection (requestTimeoutMs bounds it).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: context.config.maxRequestBodyBytes },
    (_request, body, done) => done(null, body),
  );
  const concurrent = new ConcurrentCalls();

  app.setErrorHandler((error, request, reply) => replyWithGatewayError(error, request, reply));
  const unrouted = context.metrics.forApi('none');
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    unrouted.observe(404, 'none', 0);
    replyWithGatewayError(
      new GatewayError('not_found', 404, `No API at ${request.method} ${path}`),
      request,
      reply,
    );
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
      handler: async (request, reply) => {
        const started = performance.now();
        let scope = 'none';
        let holding: string | undefined;
        try {
          const target = forwardedTarget(request.url);
          // Each check answers synchronously when what it needs is in memory (the common case),
          // so a call with a token in use waits on nothing but the upstream.
          const verifying = context.verifier.verify(readBearerToken(request.headers.authorization));
          const token = verifying instanceof Promise ? await verifying : verifying;
          const admitting = route.scopes.find((s) => token.scopes.includes(s));
          if (admitting === undefined) throw insufficientScope(route.scopes);
          scope = admitting;
          checkVersion(route, request.headers.accept);
          const planning = context.plans.limitsFor(token.accountId);
          const limits = planning instanceof Promise ? await planning : planning;
          const limiting = rateLimitHeaders(context, token, limits);
          const limitHeaders = limiting instanceof Promise ? await limiting : limiting;
          if (!concurrent.tryEnter(token.accountId, limits.concurrentCalls)) {
            throw tooManyConcurrentCalls(limitHeaders);
          }
          holding = token.accountId;
          context.usage.apiCalled(token.credentialId, scope, Date.now());
          const { status, upstreamSeconds } = await proxy.forward(
            upstream,
            target,
            request,
            reply,
            upstreamRequestHeaders(request.headers, request, token, context.config.forwardBearerToken),
            limitHeaders,
          );
          const seconds = (performance.now() - started) / 1000;
          metrics.observe(status, scope, seconds, upstreamSeconds);
          return reply;
        } catch (error) {
          const status = error instanceof GatewayError ? error.status : 500;
          metrics.observe(status, scope, (performance.now() - started) / 1000);
          throw error;
        } finally {
          if (holding !== undefined) concurrent.leave(holding);
        }
      },
    });
  }
}

function checkVersion(route: ApiRoute, accept: string | undefined): void {
  if (route.versions.length === 0 || accept === undefined) return;
  const match = VERSIONED_ACCEPT.exec(accept);
  if (!match) return;
  if (!route.versions.includes(Number(match[1]))) {
    const offered = route.versions.map((v) => `application/vnd.newvoicemedia.v${v}+json`).join(', ');
    throw new GatewayError('not_acceptable', 406, `This API serves ${offered}`);
  }
}

/**
 * Takes one request from the account's fair-usage limit (and the credential's, where its plan has
 * one) and returns the RateLimit headers for the answer (draft-ietf-httpapi-ratelimit-headers);
 * over a limit, a 429 that carries them too.
 */
function rateLimitHeaders(
  context: GatewayContext,
  token: AdmittedCaller,
  limits: PlanLimits,
): MaybeAsync<Record<string, string>> {
  return andThen(context.limiter.take(`account:${token.accountId}`, limits.perAccount), (perAccount) => {
    if (!perAccount.allowed || !limits.perCredential) return decide(perAccount, 'account');
    const { perCredential } = limits;
    return andThen(context.limiter.take(`credential:${token.clientId}`, perCredential), (decision) =>
      !decision.allowed || decision.remaining < perAccount.remaining
        ? decide(decision, 'credential')
        : decide(perAccount, 'account'),
    );
  });
}

/** The account's plan allows this many calls at once; the next may start as soon as one ends. */
function tooManyConcurrentCalls(limitHeaders: Record<string, string>): GatewayError {
  return new GatewayError(
    'too_many_requests',
    429,
    'This account has as many calls in progress as its plan allows; retry when one has ended',
    { ...limitHeaders, 'retry-after': '1' },
  );
}

function decide(decision: RateLimitDecision, scope: 'account' | 'credential'): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
  if (decision.allowed) return headers;
  headers['retry-after'] = String(decision.resetSeconds);
  throw new GatewayError(
    'too_many_requests',
    429,
    `The fair-usage limit of this ${scope} is exceeded; retry after ${decision.resetSeconds} seconds`,
    headers,
  );
}

function replyWithGatewayError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  let gatewayError: GatewayError;
  if (error instanceof GatewayError) gatewayError = error;
  else if ((error as { statusCode?: number }).statusCode === 413) {
    gatewayError = new GatewayError('invalid_request', 413, 'The request body is too large');
  } else {
    request.log.error({ err: error }, 'unexpected error in the gateway');
    gatewayError = new GatewayError('bad_gateway', 502, 'The gateway could not complete the request');
  }
  void reply
    .code(gatewayError.status)
    .headers(gatewayError.headers)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ error: gatewayError.code, error_description: gatewayError.description }));
}
