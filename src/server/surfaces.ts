import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ADMIN_PREFIX, type AdminApiContext } from '../admin-api/context.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { directoryStorage, type ExportStorage, s3Storage } from '../sample-apis/export-storage.js';
import { buildSampleApisApp } from '../sample-apis/index.js';
import { ApiTokenService } from '../services/api-tokens.js';
import { PortalSessions } from '../services/portal-sessions.js';
import type { Store } from '../store/store.js';
import type { TokenServiceContext } from '../token-service/context.js';
import { FailedAuthenticationAudit } from '../token-service/failed-authentication-audit.js';
import { FailedAuthenticationLimiter } from '../token-service/failed-authentication-limiter.js';
import { isKeygateClusterWorker, reportToClusterPrimary } from './cluster-metrics.js';
import { buildForwardAuth, buildGateway, gatewayContext } from './gateway-surface.js';
import { healthPlugin } from './health.js';
import { buildHttpApp, closeServer, listen, notFoundInEnvelope } from './http-app.js';
import { listenForMetrics } from './metrics-listener.js';
import type { SharedServices } from './shared-services.js';

/** One listener of this process: where it listens and how to stop it. */
export interface Surface {
  url: string;
  close(): Promise<void>;
}

export interface SurfaceDependencies {
  config: Config;
  store: Store;
  logger: Logger;
  services: SharedServices;
  clock: Clock;
}

/**
 * The admin API's context, where this process serves it, with the hourly sweep of ended sessions.
 * Its routes and schemas load only here: a gateway-only process holds less for each GC to mark.
 */
export function adminContext({
  config,
  store,
  logger,
  services,
  clock,
}: SurfaceDependencies): (AdminApiContext & { stopSweeping(): void }) | undefined {
  if (!config.roles.includes('admin') || !services.hasher || !services.credentials) return undefined;
  const sessions = new PortalSessions(
    store,
    config.portalSession,
    config.loginLimits,
    (err) => logger.warn({ err }, 'auditing a login failed'),
    clock,
  );
  const sweep = setInterval(() => {
    sessions.sweep().catch((err: unknown) => logger.warn({ err }, 'dropping ended sessions failed'));
  }, 3_600_000).unref();
  return {
    config,
    store,
    credentials: services.credentials,
    users: services.users,
    sessions,
    apiTokens: new ApiTokenService(store, services.hasher),
    clock,
    stopSweeping: () => clearInterval(sweep),
  };
}

async function registerAdmin(app: FastifyInstance, context: AdminApiContext): Promise<void> {
  const [{ adminApiPlugin }, { portalPlugin }] = await Promise.all([
    import('../admin-api/plugin.js'),
    import('./portal.js'),
  ]);
  await app.register(async (scope) => adminApiPlugin(scope, context), { prefix: ADMIN_PREFIX });
  await app.register(portalPlugin);
}

/**
 * The public origin: the token service's endpoints and, unless it has a port of its own, the admin
 * API and the portal (then the public origin serves OAuth only, and the admin port can stay private).
 */
export async function startMainSurface(
  deps: SurfaceDependencies,
  admin: AdminApiContext | undefined,
): Promise<Surface> {
  const { config, store, logger, services } = deps;
  const app = buildHttpApp(logger, config);
  try {
    notFoundInEnvelope(app);
    await app.register(healthPlugin, store);
    const { keyring, hasher, credentialsWithSecrets, verifier, revocations } = services;
    if (config.roles.includes('token-service')) {
      if (!keyring || !hasher || !credentialsWithSecrets || !verifier || !revocations) {
        throw new Error('the token-service role needs the keyring, the secret hasher and the verifier');
      }
      const context: TokenServiceContext = {
        config,
        store,
        credentials: credentialsWithSecrets,
        verifier,
        revocations,
        accounts: services.accounts,
        keyring,
        hasher,
        limiter: new FailedAuthenticationLimiter(config.authFailureLimit),
        quotas: services.counters,
        failureAudit: new FailedAuthenticationAudit(store, (err) =>
          logger.warn({ err }, 'auditing a failed client authentication failed'),
        ),
        usage: services.usage,
        dpopNonces: services.dpopNonces,
        catalogue: services.catalogue,
        clock: deps.clock,
      };
      const { tokenServicePlugin } = await import('../token-service/plugin.js');
      await app.register(async (scope) => tokenServicePlugin(scope, context));
    }
    if (admin && config.adminPort === undefined) await registerAdmin(app, admin);
    return { url: await listen(app, config.host, config.port, 'port'), close: () => closeServer(app) };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/** The admin API and the portal on `adminPort`, apart from the public origin. */
export async function startAdminSurface(deps: SurfaceDependencies, admin: AdminApiContext): Promise<Surface> {
  const app = buildHttpApp(deps.logger.child({ surface: 'admin' }), deps.config);
  try {
    await app.register(healthPlugin, deps.store);
    await registerAdmin(app, admin);
    const url = await listen(
      app,
      deps.config.adminHost ?? deps.config.host,
      deps.config.adminPort ?? 0,
      'adminPort',
    );
    return { url, close: () => closeServer(app) };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/** Where the Interaction Content Export sample writes: the configured S3 endpoint, else a local directory. */
export function sampleExportStorage(config: Config): ExportStorage {
  return config.sampleExportS3Endpoint
    ? s3Storage(config.sampleExportS3Endpoint)
    : directoryStorage(config.sampleExportDirectory ?? join(config.dataDir, 'sample-exports'));
}

/** The sample VCC APIs, on loopback: reached only through the gateway. */
export async function startSampleApis(deps: SurfaceDependencies): Promise<Surface> {
  const app = buildSampleApisApp(deps.logger, { exportStorage: sampleExportStorage(deps.config) });
  const url = await listen(app, '127.0.0.1', deps.config.samplesPort, 'samplesPort');
  return { url, close: () => closeServer(app) };
}

/**
 * The API gateway; forward-auth on its own listener when `forwardAuthPort` is set, sharing the
 * gateway's checks; and their metrics on the ops listener (in a worker of `keygate start --workers
 * N`, reported to the primary, which serves the cluster's page instead).
 */
export async function startGatewaySurface(
  deps: SurfaceDependencies,
  samplesUrl: string | undefined,
): Promise<Surface & { metricsUrl: string | undefined; forwardAuthUrl: string | undefined }> {
  const { config, store, logger, services } = deps;
  if (!services.verifier) throw new Error('the gateway role needs the token verifier');
  const context = gatewayContext({
    config,
    verifier: services.verifier,
    accounts: services.accounts,
    usage: services.usage,
    counters: services.counters,
    proofs: store.usedProofs,
    nonces: services.dpopNonces,
    samplesUrl,
    apiDocuments: services.apiDocuments,
  });
  const { metrics } = context;
  const closes: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of closes.splice(0).reverse()) await stop();
  };
  try {
    const app = buildHttpApp(logger.child({ surface: 'gateway' }), config, { refuseFragments: false });
    closes.push(() => closeServer(app));
    await app.register(healthPlugin, store);
    await buildGateway(app, context);
    const url = await listen(app, config.host, config.gatewayPort, 'gatewayPort');
    let forwardAuthUrl: string | undefined;
    if (config.forwardAuthPort !== undefined) {
      const judge = buildHttpApp(logger.child({ surface: 'forward-auth' }), config, {
        refuseFragments: false,
      });
      closes.push(() => closeServer(judge));
      await buildForwardAuth(judge, context);
      forwardAuthUrl = await listen(judge, config.forwardAuthHost, config.forwardAuthPort, 'forwardAuthPort');
    }
    if (isKeygateClusterWorker()) {
      reportToClusterPrimary([metrics.page]);
      return { url, metricsUrl: undefined, forwardAuthUrl, close };
    }
    const ops = await listenForMetrics(
      { host: config.metricsHost, port: config.metricsPort },
      () => metrics.text(),
      metrics.page.contentType,
    );
    closes.push(() => ops.close());
    return { url, metricsUrl: ops.url, forwardAuthUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}
