import type { DestinationStream, Logger } from 'pino';
import { type Config, needsMasterKey } from '../config/schema.js';
import { ClientSecretHasher } from '../core/client-secret.js';
import { type Clock, systemClock } from '../core/clock.js';
import { deriveKeys, loadMasterKey } from '../crypto/master-key.js';
import { CredentialService } from '../services/credentials/credentials.js';
import { OperatorCredentials } from '../services/credentials/operator-credentials.js';
import { PortalUserService } from '../services/credentials/portal-users.js';
import { type BootstrapResult, bootstrap } from '../services/upkeep/bootstrap.js';
import type { PrunedCounts } from '../services/upkeep/store-pruner.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { startAdminRole } from './admin-role.js';
import { joinApiCatalogue } from './api-catalogue.js';
import { ChangeFeed } from './change-feed.js';
import { gatewayContext } from './gateway-role.js';
import { startLimits } from './limits.js';
import { createLogger } from './logger.js';
import { startStoreUpkeep } from './store-upkeep.js';
import {
  type Surface,
  startAdminSurface,
  startGatewaySurface,
  startMainSurface,
  startSampleApis,
} from './surfaces.js';
import { buildTokenChecks } from './token-checks.js';
import { loadKeyring, tokenServiceContext } from './token-service-role.js';
import { startTracing } from './tracing.js';

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
 * The composition root. Every process reads the API documents, follows the change log and prunes
 * the store; each configured role then gets the parts it needs, built once, and owns the periodic
 * work it needs: the token service its keyring, the token service and the gateway one verifier and
 * one set of counters and usage (shared, so that one process judges and counts alike), the admin
 * API its sessions' sweep. Only the token service and the admin API read the master key (to hash
 * secrets and to unseal signing keys); a gateway-only process neither reads it nor bootstraps.
 */
export async function startKeygate(config: Config, options: StartOptions = {}): Promise<RunningKeygate> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const roles = new Set(config.roles);
  const master = needsMasterKey(config.roles) ? loadMasterKey(config) : undefined;
  const keys = master ? deriveKeys(master.key) : undefined;
  const store = openStore(config, (message) => logger.warn(message));
  // Stopped in reverse order of starting: listeners first, then each part, the store last.
  const stops: Array<() => Promise<void>> = [() => store.close()];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  const owned = <T extends { close(): Promise<void> }>(part: T): T => {
    stops.push(() => part.close());
    return part;
  };
  try {
    await store.migrate();
    const bootstrapResult = keys ? await bootstrap(store, config, keys.keyEncryptionKey) : undefined;
    const { apiDocuments, catalogue } = owned(await joinApiCatalogue(config, store, logger));
    const feed = new ChangeFeed(store, (err) => logger.warn({ err }, 'reading the change log failed'));
    const hasher = keys && new ClientSecretHasher(keys.secretPepper);
    const credentials = hasher && new CredentialService(store, hasher, catalogue, () => feed.poll());
    const users = new PortalUserService(store);

    const clock = options.clock ?? systemClock;
    const keyring = roles.has('token-service')
      ? await loadKeyring(config, store, logger, feed, implied(keys, 'the master key'))
      : undefined;
    const checksTokens = roles.has('token-service') || roles.has('gateway');
    const checks = checksTokens
      ? owned(await buildTokenChecks({ config, store, logger, feed, keyring, clock }))
      : undefined;
    const limits = checksTokens ? owned(startLimits(config, store, logger, clock)) : undefined;
    // Stopped after the listeners, so the spans of the last calls are sent.
    const tracing = await startTracing(config, process.env, logger);
    if (tracing) stops.push(() => tracing.shutdown());
    const tokenService = roles.has('token-service')
      ? tokenServiceContext({
          config,
          store,
          logger,
          feed,
          keyring: implied(keyring, 'the keyring'),
          hasher: implied(hasher, 'the master key'),
          checks: implied(checks, 'the token checks'),
          limits: implied(limits, 'the limits'),
          catalogue,
          clock,
          tracing,
        })
      : undefined;
    const admin = roles.has('admin')
      ? owned(
          startAdminRole({
            config,
            store,
            logger,
            clock,
            credentials: implied(credentials, 'the master key'),
            users,
            hasher: implied(hasher, 'the master key'),
          }),
        )
      : undefined;

    const upkeep = owned(await startStoreUpkeep(config, store, logger, feed, checks?.revocations));

    const listeners = { config, store, logger };
    const started = async <T extends Surface>(surface: Promise<T>): Promise<T> => {
      const running = await surface;
      stops.push(() => running.close());
      return running;
    };
    const adminOnMain = admin !== undefined && config.adminPort === undefined;
    const main =
      tokenService || adminOnMain
        ? await started(startMainSurface(listeners, tokenService, admin?.context))
        : undefined;
    const ownAdmin =
      admin && config.adminPort !== undefined
        ? await started(startAdminSurface(listeners, admin.context))
        : undefined;
    const samples =
      roles.has('gateway') && config.samplesEnabled ? await started(startSampleApis(listeners)) : undefined;
    const gateway = roles.has('gateway')
      ? await started(
          startGatewaySurface(
            listeners,
            gatewayContext({
              config,
              checks: implied(checks, 'the token checks'),
              limits: implied(limits, 'the limits'),
              proofs: store.usedProofs,
              samplesUrl: samples?.url,
              apiDocuments,
              tracing,
            }),
          ),
        )
      : undefined;
    // Fetched once every listener is up: the issuer named by jwksUrl may be this very process.
    await checks?.start();

    return {
      config,
      url: tokenService ? main?.url : undefined,
      adminUrl: adminOnMain ? main?.url : ownAdmin?.url,
      gatewayUrl: gateway?.url,
      metricsUrl: gateway?.metricsUrl,
      forwardAuthUrl: gateway?.forwardAuthUrl,
      samplesUrl: samples?.url,
      store,
      logger,
      bootstrap: bootstrapResult,
      masterKeyOrigin: master?.origin,
      credentials: credentials && new OperatorCredentials(credentials),
      users,
      flushUsage: async () => limits?.usage.flush(),
      syncChanges: () => feed.poll(),
      pruneExpired: (at) => upkeep.prune(at),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** A part that the configured roles imply (`needsMasterKey` reads the key for them): never absent. */
function implied<T>(part: T | undefined, what: string): T {
  if (part === undefined) throw new Error(`the configured roles need ${what}, which was not built`);
  return part;
}
