import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Logger } from 'pino';
import { sendAdminError } from '../admin-api/admin-error-reply.js';
import { ADMIN_PREFIX } from '../admin-api/context.js';
import type { Config } from '../config/schema.js';
import { settingOf } from '../config/settings.js';
import { trustedProxies } from '../config/trusted-proxies.js';
import { InvalidRequest, NotFound } from '../core/errors.js';
import { ROUTER_OPTIONS } from '../gateway/route-table.js';
import { sendOAuthError } from '../token-service/oauth-error-reply.js';
import { isHealthCheck } from './health.js';

/** A Fastify app with the settings every listener of Keygate shares. */
export function buildHttpApp(
  logger: Logger,
  { trustProxy, requestTimeoutMs }: Pick<Config, 'trustProxy' | 'requestTimeoutMs'>,
  /** The gateway refuses fragments in request-target.ts, with every other target it will not forward. */
  { refuseFragments = true }: { refuseFragments?: boolean } = {},
): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // Fastify reads X-Forwarded-For/-Proto/-Host only from these proxies (trusted-proxies.ts).
    trustProxy: trustProxy === false ? false : trustedProxies(trustProxy).trust,
    // A caller that sends its request slowly (slowloris, a trickled body) is cut after
    // requestTimeoutMs; Node checks every connection this often, so the cut comes at most 1 s late.
    requestTimeout: requestTimeoutMs,
    http: { connectionsCheckingInterval: 1000, headersTimeout: Math.min(requestTimeoutMs, 60_000) },
    // Health checks log at debug (health.ts), not with every request at info.
    logController: new LogController({ disableRequestLogging: isHealthCheck }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // Header and URL limits are deliberate: nothing Keygate serves needs more.
    routerOptions: ROUTER_OPTIONS,
    // Errors Fastify raises before any route runs (a URL that does not decode) keep the envelope too.
    frameworkErrors: (error, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 400;
      replyBadTarget(request.url, reply as FastifyReply, status);
    },
  }) as unknown as FastifyInstance;
  // No client sends a fragment; one in the target is an attempt to be read differently downstream.
  if (refuseFragments) {
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url.includes('#')) replyBadTarget(request.url, reply, 400);
      else done();
    });
  }
  return app;
}

function replyBadTarget(url: string, reply: FastifyReply, status: number): void {
  const message = 'The request URL or headers are not valid';
  // The admin API has its own error shape; everything else speaks the OAuth envelope.
  if (url.startsWith(`${ADMIN_PREFIX}/`)) void sendAdminError(reply, 'validation_failed', message);
  else sendOAuthError(new InvalidRequest(message, status === 413 ? 413 : 400), reply);
}

/** Unknown paths of the token service answer in the same envelope as everything else. */
export function notFoundInEnvelope(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    sendOAuthError(new NotFound(`No endpoint at ${request.method} ${path}`), reply);
  });
}

/**
 * Listens and returns the origin, with the port chosen when `port` is 0. An address another program
 * holds is refused with the listener's setting named, so the operator knows which one to change.
 */
export async function listen(
  app: FastifyInstance,
  host: string,
  port: number,
  setting: keyof Config,
): Promise<string> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const variable = settingOf(setting)?.variable;
    const named = variable ? `${setting} (${variable})` : setting;
    throw Object.assign(
      new Error(
        `${host}:${port}, the ${named} listener's address, is in use by another program: stop it, or set ${named} to a free port`,
      ),
      { code: 'EADDRINUSE' },
    );
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
}

/**
 * Fastify's close waits for the requests in flight, but a keep-alive connection whose request ends
 * after the close began then stays open until its client, or the 72 s keep-alive timeout, ends it:
 * a SIGTERM during a slow API call left Keygate running. Idle connections are closed again every
 * 100 ms until the server has closed.
 */
export async function closeServer(app: FastifyInstance): Promise<void> {
  const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await app.close();
  } finally {
    clearInterval(closeIdle);
  }
}
