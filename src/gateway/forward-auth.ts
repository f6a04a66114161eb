import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFromTrustedProxy } from '../config/trusted-proxies.js';
import { asciiJson } from '../core/printable-text.js';
import { sentValues } from '../core/sent-values.js';
import type { UsageRecorder } from '../services/limits/usage-recorder.js';
import type { Tracing } from '../services/observability/tracing.js';
import type { AdmittedToken } from '../services/verification/access-token-verifier.js';
import { dpopHeader } from '../services/verification/dpop-proof.js';
import { admitCall, type CallChecks, presentedCertificate } from './admit-call.js';
import type { ApiRoute } from './api-document.js';
import { traceForwardAuth } from './call-tracing.js';
import { asGatewayError, GatewayError, gatewayErrorBody } from './gateway-error.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { refusedByForwardAuth } from './reserved-headers.js';
import { RouteTable } from './route-table.js';
import { identityHeaders } from './upstream-headers.js';

export interface ForwardAuthContext {
  /** The gateway's own checks, shared with it: one rate limit, one verifier. */
  readonly checks: CallChecks;
  readonly routes: readonly ApiRoute[];
  readonly usage: UsageRecorder;
  readonly metrics: GatewayMetrics;
  /** Where tracing is on (call-tracing.ts): the checks' verifier and counters come traced too. */
  readonly tracing?: Tracing | undefined;
}

/**
 * Forward-auth: the gateway's whole check of a call (admit-call.ts), answered to a proxy that
 * forwards the call itself. The call asked about is `X-Forwarded-Method` and `X-Forwarded-Uri`
 * (nginx `auth_request` as configured in docs/forward-auth.md, Caddy `forward_auth`, Traefik
 * `ForwardAuth`), or without them the request line itself (Envoy `ext_authz`); its other headers
 * (Authorization, Accept) are the caller's, which every one of these proxies passes on.
 *
 * Admitted: 200 with the caller's identity in `x-keygate-*` headers for the proxy to copy upstream.
 * Refused: the status, JSON body and headers (`WWW-Authenticate`, `Retry-After`) the gateway itself
 * would answer, which Caddy, Traefik and Envoy pass to the caller as they are. nginx passes only
 * the status of a 401 or 403 and reads headers, so the refusal also names its status in
 * `x-keygate-status` and carries its body in `x-keygate-error`, ASCII-only.
 *
 * The proxy holds the calls, so the account's calls in progress are bounded by the proxy's own
 * limits, not counted here.
 */
export async function forwardAuthPlugin(app: FastifyInstance, context: ForwardAuthContext): Promise<void> {
  const routes = new RouteTable(context.routes);
  // A proxy sends no body with its question (nginx is told not to); one that does is not read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { bodyLimit: 64 * 1024 }, (_request, _payload, done) => done(null));
  const unrouted = context.metrics.forJudgedApi('none');
  app.setErrorHandler((error, request, reply) => refuse(reply, asGatewayError(error, request.log)));

  app.all(
    '*',
    traceForwardAuth(
      context.tracing,
      routes,
    )(async (request, reply) => {
      const started = performance.now();
      // Whether the peer is a proxy that may name the call and its caller's origin: asked once.
      const vouched = context.checks.proxies.vouches(request.socket.remoteAddress);
      const asked = askedCall(request, vouched);
      const override = refusedByForwardAuth(Object.keys(request.headers));
      if (override !== undefined) {
        unrouted.observe(400, 'none', (performance.now() - started) / 1000);
        return refuse(
          reply,
          new GatewayError('invalid_request', 400, `The ${override} header is not accepted`),
        );
      }
      const route = routes.find(asked.method, asked.url);
      if (!route) {
        unrouted.observe(404, 'none', (performance.now() - started) / 1000);
        const path = asked.url.split('?')[0];
        return refuse(reply, new GatewayError('not_found', 404, `No API at ${asked.method} ${path}`));
      }
      const metrics = context.metrics.forJudgedApi(route.api);
      let scope = 'none';
      try {
        const admission = await admitCall(
          context.checks,
          route,
          {
            method: asked.method,
            // The proxy's caller, from its X-Forwarded-For when trustProxy names the proxy.
            address: request.ip,
            url: asked.url,
            authorization: request.headers.authorization,
            accept: request.headers.accept,
            dpop: dpopHeader(request.raw),
            certificate: presentedCertificate(request.headers, request.socket.remoteAddress, context.checks),
            origin: vouched ? callersOrigin(request) : undefined,
            connection: request.socket,
          },
          (admitting) => {
            scope = admitting;
          },
        );
        admission.release();
        context.usage.apiCalled(admission.token.credentialId, scope, Date.now());
        metrics.observe(200, scope, (performance.now() - started) / 1000);
        // Written to the socket as they are, as the gateway writes the answers it forwards: Fastify's
        // reply would lower-case and store each header again before node checks it (7 k a decision).
        reply.hijack();
        try {
          reply.raw.writeHead(200, admittedHeaders(admission.answerHeaders, admission.token)).end();
        } catch (error) {
          // Past hijack() Fastify answers nothing: a header node refuses ends the connection, so
          // the proxy sees a failure instead of waiting.
          request.log.error({ err: error }, 'the admitted answer could not be written');
          reply.raw.destroy();
        }
        return reply;
      } catch (error) {
        const status = error instanceof GatewayError ? error.status : 500;
        metrics.observe(status, scope, (performance.now() - started) / 1000);
        throw error;
      }
    }),
  );
}

/** The admitted answer's headers, one list of names and values: the caller's identity for the proxy. */
function admittedHeaders(answerHeaders: Record<string, string>, token: AdmittedToken): string[] {
  const headers = ['content-length', '0', 'cache-control', 'no-store'];
  for (const name in answerHeaders) headers.push(name, answerHeaders[name]!);
  const identity = identityHeaders(token);
  for (const name in identity) headers.push(name, identity[name]!);
  if (!reusable(token)) headers.push('vary', '*');
  return headers;
}

/**
 * Whether a proxy that caches admissions (docs/forward-auth.md, keyed by the token, the call and the
 * caller's address) may give this one to a later call. Not where the decision rests on something no
 * such key holds: a DPoP proof (good for one call), a client certificate, or a count that only
 * Keygate keeps (the credential's own call limit, which the proxy's limit cannot know). Those carry
 * `Vary: *`, which nginx does not cache even where it ignores the answer's `no-store`.
 */
function reusable(token: AdmittedToken): boolean {
  return token.jkt === undefined && token.x5t === undefined && token.callLimit === null;
}

/**
 * The method and request target of the call the proxy asks about. Both headers or neither: a proxy
 * that sets only `X-Forwarded-Uri` would leave the method to whatever the caller sent. Only a
 * trusted proxy may name them: from anyone else they are refused.
 */
function askedCall(request: FastifyRequest, vouched: boolean): { method: string; url: string } {
  const uri = single(request, 'x-forwarded-uri');
  const method = single(request, 'x-forwarded-method');
  if (uri === undefined && method === undefined) return { method: request.method, url: request.url };
  if (!vouched) {
    throw new GatewayError('invalid_request', 400, notFromTrustedProxy('X-Forwarded-Uri'));
  }
  const named = method !== undefined && DECLARABLE_METHODS.has(method);
  if (uri === undefined || method === undefined || (!named && !/^[A-Za-z]{1,16}$/.test(method))) {
    throw new GatewayError(
      'invalid_request',
      400,
      'The proxy must send X-Forwarded-Method (an HTTP method) with X-Forwarded-Uri',
    );
  }
  return { method: named ? method : method.toUpperCase(), url: uri };
}

/** Methods as proxies name them: taken as they are, where any other is checked and upper-cased. */
const DECLARABLE_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

/** A header the proxy sets once: sent twice, it is refused. */
function single(request: FastifyRequest, name: `x-forwarded-${string}`): string | undefined {
  const values = sentValues(request.raw, name);
  if (values === undefined) return undefined;
  if (values.length !== 1) {
    throw new GatewayError('invalid_request', 400, `The ${name} header must appear once`);
  }
  return values[0];
}

/**
 * The origin the caller called the proxy at, from a vouched-for proxy's X-Forwarded-Proto and
 * -Host (as Fastify reads them), for a DPoP proof's `htu`; undefined where the proxy names no host
 * (Envoy), and the gateway's public origin stands.
 */
function callersOrigin(request: FastifyRequest): string | undefined {
  if (single(request, 'x-forwarded-host') === undefined) return undefined;
  return `${request.protocol}://${request.host}`;
}

function refuse(reply: FastifyReply, error: GatewayError): FastifyReply {
  const body = gatewayErrorBody(error);
  return reply
    .code(error.status)
    .headers({
      ...error.headers,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-keygate-status': String(error.status),
      'x-keygate-error': asciiJson(body),
    })
    .send(body);
}
