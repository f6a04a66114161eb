import type { Logger } from 'pino';
import { apiResources } from '../config/api-resources.js';
import type { Config } from '../config/schema.js';
import { ClientSecretHasher } from '../core/client-secret.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { CredentialStatus } from '../core/model.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import type { DerivedKeys } from '../crypto/master-key.js';
import { apiDocumentVersion } from '../gateway/api-document-version.js';
import { type ConfiguredApiDocument, readApiDocuments } from '../gateway/api-documents.js';
import { JwksCache } from '../gateway/jwks-cache.js';
import { scopeCatalogueFrom } from '../gateway/scope-declarations.js';
import { AccessTokenVerifier, type VerificationKeySource } from '../services/access-token-verifier.js';
import { AccountCache } from '../services/account-cache.js';
import { CatalogueAgreement } from '../services/catalogue-agreement.js';
import { CredentialService } from '../services/credentials.js';
import { DpopNonces } from '../services/dpop-nonces.js';
import { LoadingCache } from '../services/loading-cache.js';
import { PortalUserService } from '../services/portal-users.js';
import { RateLimiter, type RequestCounter } from '../services/rate-limiter.js';
import { RedisRateLimiter } from '../services/redis-rate-limiter.js';
import { RevocationList } from '../services/revocation-list.js';
import { StorePruner } from '../services/store-pruner.js';
import { UsageRecorder } from '../services/usage-recorder.js';
import type { CredentialWithSecrets, Store } from '../store/store.js';
import { Keyring } from '../token-service/keyring.js';
import { endpointUrl, JWKS_PATH } from '../token-service/metadata.js';
import { ChangeFeed } from './change-feed.js';

/** What the surfaces of one process share, built once for the roles it serves. */
export interface SharedServices {
  /** The operator's API documents, read once at start: the catalogue's and the gateway's routes' source. */
  readonly apiDocuments: readonly ConfiguredApiDocument[];
  /** The scopes credentials may hold: VCC's and those the configured API documents declare. */
  readonly catalogue: ScopeCatalogue;
  readonly usage: UsageRecorder;
  readonly feed: ChangeFeed;
  readonly accounts: AccountCache;
  readonly users: PortalUserService;
  /** With the master key (token service, admin API): secrets are hashed with its pepper. */
  readonly hasher: ClientSecretHasher | undefined;
  readonly credentials: CredentialService | undefined;
  /** The token service's: it signs with the active key and verifies with every published one. */
  readonly keyring: Keyring | undefined;
  /** Credentials with their secret hashes, for client authentication (token service only). */
  readonly credentialsWithSecrets: LoadingCache<CredentialWithSecrets | undefined> | undefined;
  /** The one token verifier (gateway, introspection), where a role checks tokens. */
  readonly verifier: AccessTokenVerifier | undefined;
  /** Revoked token IDs, fed by the change log and by this process's own revocations. */
  readonly revocations: RevocationList | undefined;
  /** The issuer's keys fetched over HTTP, where this process holds no keyring or jwksUrl says so. */
  readonly jwks: JwksCache | undefined;
  /**
   * The one set of request counters (the gateway's fair usage, the token service's quotas): in
   * Redis when `redisUrl` is set, so every instance shares them, in this process otherwise.
   */
  readonly counters: RequestCounter;
  /** Where `dpopNonces` is on: the nonces every instance gives and accepts (RFC 9449 §8, §9). */
  readonly dpopNonces: DpopNonces | undefined;
  /** Drops what has expired from the store and the revocation list; runs every minute. */
  readonly pruner: StorePruner;
  close(): Promise<void>;
}

/** Where the gateway fetches keys: `jwksUrl`, else the JWKS under `publicUrl` (the issuer's). */
export function gatewayJwksUrl(config: Config): string {
  return config.jwksUrl ?? endpointUrl(config, JWKS_PATH);
}

/**
 * Builds the services the configured roles need and follows the store's change log, so every
 * cache here drops what a write (by this process, the CLI or another instance) has made stale.
 */
export async function buildSharedServices(
  config: Config,
  store: Store,
  keys: DerivedKeys | undefined,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<SharedServices> {
  // First, so that an API document's mistake stops the start before anything is opened.
  const apiDocuments = readApiDocuments(config);
  const catalogue = scopeCatalogueFrom(apiDocuments);
  // Then, before anything is opened, the same documents as every other region's live processes.
  const agreement = new CatalogueAgreement(store, {
    region: config.region,
    apiDocuments: apiDocuments.map(apiDocumentVersion),
    rollout: config.apiDocumentRollout,
    warn: (message) => logger.warn(message),
  });
  await agreement.join();
  agreement.start((err) => logger.warn({ err }, 'reporting this process to the store failed'));
  const roles = new Set(config.roles);
  const checksTokens = roles.has('token-service') || roles.has('gateway');
  const keyring =
    roles.has('token-service') && keys ? new Keyring(store, keys.keyEncryptionKey, config.region) : undefined;
  await keyring?.reload();
  const usage = new UsageRecorder(store, (err) => logger.warn({ err }, 'usage flush failed'));
  usage.start(config.usageFlushMs);
  const feed = new ChangeFeed(store, (err) => logger.warn({ err }, 'reading the change log failed'));
  const cacheOptions = { maxEntries: 100_000, maxAgeMs: 300_000 };
  const credentialsWithSecrets = keyring
    ? new LoadingCache((clientId) => store.credentials.findForAuthentication(clientId), cacheOptions)
    : undefined;
  // The gateway sees a credential only through its status, never its secret hashes.
  const credentialStatus = checksTokens
    ? new LoadingCache<CredentialStatus | undefined>(
        (clientId) => store.credentials.findByClientId(clientId),
        cacheOptions,
      )
    : undefined;
  const revocations = checksTokens ? new RevocationList(store) : undefined;
  await revocations?.load();
  feed.onChanges(async (changes) => {
    for (const change of changes) {
      if (change.topic.startsWith('credential.')) {
        credentialsWithSecrets?.invalidate(change.ref);
        credentialStatus?.invalidate(change.ref);
      } else if (change.topic === 'token.revoked') revocations?.add(change.ref);
    }
    if (keyring && changes.some((c) => c.topic === 'keys.rotated')) {
      await keyring.reload();
      logger.info({ kid: keyring.active.kid }, 'signing keys reloaded');
    }
  });
  feed.onResync(async () => {
    credentialsWithSecrets?.clear();
    credentialStatus?.clear();
    await revocations?.load();
    await keyring?.reload();
    logger.warn('the change log was not read for minutes; caches reloaded from the store');
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
  // Every minute: expired entries leave the store, and the revocation list follows the store.
  const pruner = new StorePruner(
    store,
    (err) => logger.warn({ err }, 'dropping expired store entries failed'),
    revocations,
  );
  pruner.start();

  const jwks =
    checksTokens && (config.jwksUrl !== undefined || !keyring)
      ? new JwksCache({
          url: gatewayJwksUrl(config),
          cooldownMs: config.jwksCooldownSeconds * 1000,
          refreshMs: 5 * 60_000,
          onError: (error) =>
            logger.warn({ err: error }, 'fetching the JWKS failed; keeping the keys already held'),
        })
      : undefined;
  const verificationKeys: VerificationKeySource | undefined = jwks ?? keyring;
  const verifier =
    revocations && credentialStatus && verificationKeys
      ? new AccessTokenVerifier(
          { keys: verificationKeys, revocations, credentials: credentialStatus },
          {
            issuer: config.publicUrl,
            audience: config.audience,
            resources: apiResources(config),
            region: config.region,
            leewaySeconds: config.clockLeewaySeconds,
            maxCachedTokens: 100_000,
            clock,
          },
        )
      : undefined;
  const forgetExpiredTokens = verifier && setInterval(() => verifier.forgetExpired(), 60_000).unref();
  const hasher = keys ? new ClientSecretHasher(keys.secretPepper) : undefined;
  const counters: RequestCounter = config.redisUrl
    ? new RedisRateLimiter(config.redisUrl, new RateLimiter({}, clock), {
        warn: (message) => logger.warn(message),
        info: (message) => logger.info(message),
      })
    : new RateLimiter({}, clock);
  const dpopNonces = config.dpopNonces ? await DpopNonces.shared(store.sharedKeys) : undefined;
  return {
    apiDocuments,
    catalogue,
    usage,
    feed,
    accounts: new AccountCache(store),
    users: new PortalUserService(store),
    hasher,
    credentials: hasher ? new CredentialService(store, hasher, catalogue, () => feed.poll()) : undefined,
    keyring,
    credentialsWithSecrets,
    verifier,
    revocations,
    jwks,
    counters,
    dpopNonces,
    pruner,
    async close() {
      await agreement
        .leave()
        .catch((err: unknown) => logger.warn({ err }, 'removing this process’s report failed'));
      await pruner.stop();
      clearInterval(forgetExpiredTokens);
      feed.stop();
      await stopWatching?.();
      jwks?.stop();
      await usage.stop();
      await counters.close?.();
    },
  };
}
