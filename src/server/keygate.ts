import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { ADMIN_PREFIX, type AdminApiContext } from '../admin-api/context.js';
import { type Config, needsMasterKey } from '../config/schema.js';
import { ClientSecretHasher } from '../core/client-secret.js';
import { deriveKeys, loadMasterKey } from '../crypto/master-key.js';
import type { JwksCache } from '../gateway/jwks-cache.js';
import { RevocationList } from '../gateway/revocation-list.js';
import { buildSampleApisApp } from '../sample-apis/index.js';
import { AccountCache } from '../services/account-cache.js';
import { ApiTokenService } from '../services/api-tokens.js';
import { type BootstrapResult, bootstrap } from '../services/bootstrap.js';
import { CredentialService } from '../services/credentials.js';
import { PortalSessions } from '../services/portal-sessions.js';
import { PortalUserService } from '../services/portal-users.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { TokenServiceContext } from '../token-service/context.js';
import { CredentialCache } from '../token-service/credential-cache.js';
import { FailedAuthenticationAudit } from '../token-service/failed-authentication-audit.js';
import { FailedAuthenticationLimiter } from '../token-service/failed-authentication-limiter.js';
import { Keyring } from '../token-service/keyring.js';
import { UsageRecorder } from '../token-service/usage-recorder.js';
import { ChangeFeed } from './change-feed.js';
import { isKeygateClusterWorker, reportToClusterPrimary } from './cluster-metrics.js';
import { buildGateway } from './gateway-surface.js';
import { healthPlugin } from './health.js';
import { lazyChildLogger } from './lazy-child-logger.js';
import { createLogger } from './logger.js';
import { listenForMetrics, type MetricsListener } from './metrics-listener.js';

export interface StartOptions {
  /** Where logs go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
}

export interface RunningKeygate {
  readonly config: Config;
  /** The token service's origin, when this process runs it (role `token-service`). */
  readonly url: string | undefined;
  /** The admin API's and portal's origin (role `admin`): `url` unless they have a port of their own. */
  readonly adminUrl: string | undefined;
  /** The API gateway's origin, when this process runs it. */
  readonly gatewayUrl: string | undefined;
  /**
   * The ops listener's origin (`GET /metrics`), beside the gateway; undefined in a worker of
   * `keygate start --workers N`, whose primary serves the cluster's metrics.
   */
  readonly metricsUrl: string | undefined;
  /** The sample APIs' internal origin, when this process serves them. */
  readonly samplesUrl: string | undefined;
  readonly store: Store;
  readonly logger: Logger;
  /** What this start did to an empty store; undefined in a gateway-only process, which does not. */
  readonly bootstrap: BootstrapResult | undefined;
  /** Where the master key came from; undefined in a gateway-only process, which reads none. */
  readonly masterKeyOrigin: 'config' | 'file' | 'generated' | undefined;
  /** Credential use cases on this process's store (the admin API's and tests' entry point); needs the master key. */
  readonly credentials: CredentialService | undefined;
  readonly users: PortalUserService;
  /** Writes buffered last-used times and usage counts now instead of at the next interval. */
  flushUsage(): Promise<void>;
  /** Reads the change log now instead of waiting for the next poll. */
  syncChanges(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The composition root: builds the services the configured roles need, once, and wires the surfaces
 * this process serves. Only the token service and the admin API need the master key (to hash
 * secrets and to unseal signing keys); a gateway-only process neither reads it nor bootstraps.
 */
export async function startKeygate(config: Config, options: StartOptions = {}): Promise<RunningKeygate> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const roles = new Set(config.roles);
  const servesTokens = roles.has('token-service');
  const servesAdmin = roles.has('admin');
  const servesGateway = roles.has('gateway');
  const master = needsMasterKey(config.roles) ? loadMasterKey(config) : undefined;
  const keys = master ? deriveKeys(master.key) : undefined;
  const store = openStore(config, (message) => logger.warn(message));
  try {
    await store.migrate();
    const bootstrapResult = keys ? await bootstrap(store, config, keys.keyEncryptionKey) : undefined;

    const keyring =
      servesTokens && keys ? new Keyring(store, keys.keyEncryptionKey, config.region) : undefined;
    await keyring?.reload();
    const usage = new UsageRecorder(store, (err) => logger.warn({ err }, 'usage flush failed'));
    usage.start(config.usageFlushMs);
    const feed = new ChangeFeed(store, (err) => logger.warn({ err }, 'reading the change log failed'));
    const credentialCache = new CredentialCache(store, { maxEntries: 100_000, maxAgeMs: 300_000 });
    const revocations = servesGateway ? new RevocationList(store) : undefined;
    await revocations?.load();
    feed.onChanges(async (changes) => {
      for (const change of changes) {
        if (change.topic.startsWith('credential.')) credentialCache.invalidate(change.ref);
        else if (change.topic === 'token.revoked') revocations?.add(change.ref);
      }
      if (keyring && changes.some((c) => c.topic === 'keys.rotated')) {
        await keyring.reload();
        logger.info({ kid: keyring.active.kid }, 'signing keys reloaded');
      }
    });
    await feed.start(config.changePollMs);
    // Where the database pushes (PostgreSQL), read the log as soon as anything is appended; the
    // poll stays as the reconciliation that heals a missed notification.
    const stopWatching = await store
      .watchChanges?.(() => void feed.poll())
      .catch((err: unknown) => {
        logger.warn({ err }, 'listening for change notifications failed; relying on polling');
        return undefined;
      });

    const accounts = new AccountCache(store);
    const hasher = keys ? new ClientSecretHasher(keys.secretPepper) : undefined;
    const credentials = hasher ? new CredentialService(store, hasher, () => feed.poll()) : undefined;
    const users = new PortalUserService(store);
    const admin =
      servesAdmin && hasher && credentials
        ? {
            config,
            store,
            credentials,
            users,
            sessions: new PortalSessions(store, config.portalSession, config.loginLimits, (err) =>
              logger.warn({ err }, 'auditing a login failed'),
            ),
            apiTokens: new ApiTokenService(store, hasher),
          }
        : undefined;
    const sweepSessions =
      admin &&
      setInterval(() => {
        admin.sessions
          .sweep()
          .catch((err: unknown) => logger.warn({ err }, 'dropping ended sessions failed'));
      }, 3_600_000).unref();
    const refreshRevocations =
      revocations &&
      setInterval(() => {
        revocations.refresh().catch((err: unknown) => logger.warn({ err }, 'refreshing revocations failed'));
      }, 600_000).unref();

    const servers: FastifyInstance[] = [];
    const closeAll = async () => {
      clearInterval(sweepSessions);
      clearInterval(refreshRevocations);
      feed.stop();
      await stopWatching?.();
      jwks?.stop();
      await metricsListener?.close();
      for (const server of servers.reverse()) await closeServer(server);
      await usage.stop();
      await store.close();
    };
    let jwks: JwksCache | undefined;
    let metricsListener: MetricsListener | undefined;
    try {
      // Each surface's routes and schemas are loaded only where a role serves them: a gateway-only
      // process holds less for every major garbage collection to mark.
      const adminSurface = async (server: FastifyInstance, deps: AdminApiContext) => {
        const [{ adminApiPlugin }, { portalPlugin }] = await Promise.all([
          import('../admin-api/plugin.js'),
          import('./portal.js'),
        ]);
        await server.register(async (scope) => adminApiPlugin(scope, deps), { prefix: ADMIN_PREFIX });
        await server.register(portalPlugin);
      };
      // The token service's origin; the admin API and portal share it unless given a port of their
      // own (then the public origin serves OAuth only, and the admin port can stay on a private network).
      const adminOnMain = admin !== undefined && config.adminPort === undefined;
      let mainUrl: string | undefined;
      if (servesTokens || adminOnMain) {
        const app = buildHttpApp(logger, config);
        notFoundInEnvelope(app);
        servers.push(app);
        await app.register(healthPlugin, store);
        if (keyring && hasher) {
          const context: TokenServiceContext = {
            config,
            store,
            credentials: credentialCache,
            accounts,
            keyring,
            hasher,
            limiter: new FailedAuthenticationLimiter(config.authFailureLimit),
            failureAudit: new FailedAuthenticationAudit(store, (err) =>
              logger.warn({ err }, 'auditing a failed client authentication failed'),
            ),
            usage,
          };
          const { tokenServicePlugin } = await import('../token-service/plugin.js');
          await app.register(async (scope) => tokenServicePlugin(scope, context));
        }
        if (admin && adminOnMain) await adminSurface(app, admin);
        mainUrl = await listen(app, config.host, config.port);
      }
      const url = servesTokens ? mainUrl : undefined;
      let adminUrl = adminOnMain ? mainUrl : undefined;
      if (admin && config.adminPort !== undefined) {
        const adminApp = buildHttpApp(logger.child({ surface: 'admin' }), config);
        servers.push(adminApp);
        await adminApp.register(healthPlugin, store);
        await adminSurface(adminApp, admin);
        adminUrl = await listen(adminApp, config.adminHost ?? config.host, config.adminPort);
      }

      let samplesUrl: string | undefined;
      if (config.samplesEnabled && servesGateway) {
        const samples = buildSampleApisApp(logger);
        servers.push(samples);
        samplesUrl = await listen(samples, '127.0.0.1', config.samplesPort);
      }

      let gatewayUrl: string | undefined;
      if (revocations) {
        const gateway = buildHttpApp(logger.child({ surface: 'gateway' }), config);
        servers.push(gateway);
        await gateway.register(healthPlugin, store);
        let metrics: Awaited<ReturnType<typeof buildGateway>>['metrics'];
        ({ jwks, metrics } = await buildGateway(gateway, {
          config,
          store,
          credentials: credentialCache,
          accounts,
          revocations,
          usage,
          ownTokenServiceUrl: url,
          samplesUrl,
          onError: (message, err) => logger.warn({ err }, message),
          onInfo: (message) => logger.info(message),
        }));
        gatewayUrl = await listen(gateway, config.host, config.gatewayPort);
        await jwks.start();
        if (isKeygateClusterWorker()) reportToClusterPrimary([metrics.page]);
        else {
          metricsListener = await listenForMetrics(
            { host: config.metricsHost, port: config.metricsPort },
            () => metrics.text(),
            metrics.page.contentType,
          );
        }
      }

      return {
        config,
        url,
        adminUrl,
        gatewayUrl,
        metricsUrl: metricsListener?.url,
        samplesUrl,
        store,
        logger,
        bootstrap: bootstrapResult,
        masterKeyOrigin: master?.origin,
        credentials,
        users,
        flushUsage: () => usage.flush(),
        syncChanges: () => feed.poll(),
        close: closeAll,
      };
    } catch (error) {
      await closeAll().catch(() => {});
      throw error;
    }
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ port, host });
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
async function closeServer(app: FastifyInstance): Promise<void> {
  const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await app.close();
  } finally {
    clearInterval(closeIdle);
  }
}

function buildHttpApp(
  logger: Logger,
  { trustProxy, requestTimeoutMs }: Pick<Config, 'trustProxy' | 'requestTimeoutMs'>,
): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    trustProxy,
    // A caller that sends its request slowly (slowloris, a trickled body) is cut after
    // requestTimeoutMs; Node checks every connection this often, so the cut comes at most 1 s late.
    requestTimeout: requestTimeoutMs,
    http: { connectionsCheckingInterval: 1000, headersTimeout: Math.min(requestTimeoutMs, 60_000) },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    childLoggerFactory: lazyChildLogger,
    return503OnClosing: true,
    // Header and URL limits are deliberate: nothing Keygate serves needs more.
    routerOptions: { maxParamLength: 200 },
    // Errors Fastify raises before any route runs (a URL that does not decode) keep the envelope too.
    frameworkErrors: (error, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 400;
      replyBadTarget(request.url, reply as FastifyReply, status);
    },
  }) as unknown as FastifyInstance;
  // No client sends a fragment; one in the target is an attempt to be read differently downstream.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.includes('#')) replyBadTarget(request.url, reply, 400);
    else done();
  });
  return app;
}

function replyBadTarget(url: string, reply: FastifyReply, status: number): void {
  const message = 'The request URL or headers are not valid';
  // The admin API has its own error shape; everything else speaks the OAuth envelope.
  const body = url.startsWith(`${ADMIN_PREFIX}/`)
    ? { code: 'validation_failed', message }
    : { error: 'invalid_request', error_description: message };
  void reply.code(status).send(body);
}

/** Unknown paths of the token service answer in the same envelope as everything else. */
function notFoundInEnvelope(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    void reply
      .code(404)
      .send({ error: 'not_found', error_description: `No endpoint at ${request.method} ${path}` });
  });
}
