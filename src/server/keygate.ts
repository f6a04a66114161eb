import type { DestinationStream, Logger } from 'pino';
import { type Config, needsMasterKey } from '../config/schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import { deriveKeys, loadMasterKey } from '../crypto/master-key.js';
import { type BootstrapResult, bootstrap } from '../services/bootstrap.js';
import { OperatorCredentials } from '../services/operator-credentials.js';
import type { PortalUserService } from '../services/portal-users.js';
import type { PrunedCounts } from '../services/store-pruner.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { createLogger } from './logger.js';
import { buildSharedServices } from './shared-services.js';
import {
  adminContext,
  type Surface,
  startAdminSurface,
  startGatewaySurface,
  startMainSurface,
  startSampleApis,
} from './surfaces.js';

export interface StartOptions {
  /** Where logs go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /**
   * Where login waits, session ends, token expiry and rate-limit windows take the time from; the
   * system's by default.
   */
  clock?: Clock;
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
  /** The forward-auth listener's origin, when `forwardAuthPort` is set on a gateway process. */
  readonly forwardAuthUrl: string | undefined;
  /** The sample APIs' internal origin, when this process serves them. */
  readonly samplesUrl: string | undefined;
  readonly store: Store;
  readonly logger: Logger;
  /** What this start did to an empty store; undefined in a gateway-only process, which does not. */
  readonly bootstrap: BootstrapResult | undefined;
  /** Where the master key came from; undefined in a gateway-only process, which reads none. */
  readonly masterKeyOrigin: 'config' | 'file' | 'generated' | undefined;
  /**
   * Credential use cases on this process's store as the operator, who may act in every account
   * (what the CLI does; for a program that embeds Keygate); needs the master key.
   */
  readonly credentials: OperatorCredentials | undefined;
  readonly users: PortalUserService;
  /** Writes buffered last-used times and usage counts now instead of at the next interval. */
  flushUsage(): Promise<void>;
  /** Reads the change log now instead of waiting for the next poll. */
  syncChanges(): Promise<void>;
  /** Drops expired store entries and revocations now, as of `at`, as the minute's pruner does. */
  pruneExpired(at?: Date): Promise<PrunedCounts>;
  close(): Promise<void>;
}

/**
 * The composition root: builds the services the configured roles need, once, then starts the
 * surfaces this process serves, each of which knows how to stop. Only the token service and the
 * admin API need the master key (to hash secrets and to unseal signing keys); a gateway-only
 * process neither reads it nor bootstraps.
 */
export async function startKeygate(config: Config, options: StartOptions = {}): Promise<RunningKeygate> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const roles = new Set(config.roles);
  const master = needsMasterKey(config.roles) ? loadMasterKey(config) : undefined;
  const keys = master ? deriveKeys(master.key) : undefined;
  const store = openStore(config, (message) => logger.warn(message));
  // Stopped in reverse order of starting: listeners first, then the services, the store last.
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    await store.migrate();
    const bootstrapResult = keys ? await bootstrap(store, config, keys.keyEncryptionKey) : undefined;
    const clock = options.clock ?? systemClock;
    const services = await buildSharedServices(config, store, keys, logger, clock);
    stops.push(() => services.close());
    const signing = services.keyring?.active;
    if (signing && signing.alg !== config.tokenSigningAlgorithm) {
      logger.warn(
        { kid: signing.kid, alg: signing.alg, next: config.tokenSigningAlgorithm },
        `tokens are signed with ${signing.alg} until \`keygate keys rotate\`; the ${config.tokenSigningAlgorithm} key that signs after it is published now`,
      );
    }
    const deps = { config, store, logger, services, clock };
    const admin = adminContext(deps);
    if (admin) stops.push(async () => admin.stopSweeping());
    const started = async <T extends Surface>(surface: Promise<T>): Promise<T> => {
      const running = await surface;
      stops.push(() => running.close());
      return running;
    };

    const adminOnMain = admin !== undefined && config.adminPort === undefined;
    const main =
      roles.has('token-service') || adminOnMain ? await started(startMainSurface(deps, admin)) : undefined;
    const ownAdmin =
      admin && config.adminPort !== undefined ? await started(startAdminSurface(deps, admin)) : undefined;
    const samples =
      roles.has('gateway') && config.samplesEnabled ? await started(startSampleApis(deps)) : undefined;
    const gateway = roles.has('gateway') ? await started(startGatewaySurface(deps, samples?.url)) : undefined;
    // Fetched once every listener is up: the issuer named by jwksUrl may be this very process.
    await services.jwks?.start();

    return {
      config,
      url: roles.has('token-service') ? main?.url : undefined,
      adminUrl: adminOnMain ? main?.url : ownAdmin?.url,
      gatewayUrl: gateway?.url,
      metricsUrl: gateway?.metricsUrl,
      forwardAuthUrl: gateway?.forwardAuthUrl,
      samplesUrl: samples?.url,
      store,
      logger,
      bootstrap: bootstrapResult,
      masterKeyOrigin: master?.origin,
      credentials: services.credentials && new OperatorCredentials(services.credentials),
      users: services.users,
      flushUsage: () => services.usage.flush(),
      syncChanges: () => services.feed.poll(),
      pruneExpired: (at) => services.pruner.run(at),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
