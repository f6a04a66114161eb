import type { Logger } from 'pino';
import { apiResources } from '../config/api-resources.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { CredentialStatus } from '../core/model.js';
import { LoadingCache } from '../services/caches/loading-cache.js';
import {
  AccessTokenVerifier,
  type VerificationKeySource,
} from '../services/verification/access-token-verifier.js';
import { DpopNonces } from '../services/verification/dpop-nonces.js';
import { JwksCache } from '../services/verification/jwks-cache.js';
import { RevocationList } from '../services/verification/revocation-list.js';
import type { Store } from '../store/store.js';
import type { Keyring } from '../token-service/keyring.js';
import { endpointUrl, JWKS_PATH } from '../token-service/metadata.js';
import type { ChangeFeed } from './change-feed.js';

/**
 * How a process judges tokens: one verifier, one revocation list and one set of server nonces,
 * shared by the token service and the gateway where one process runs both, so a token revoked at
 * the revocation endpoint is refused by the gateway at once, not after a poll.
 */
export interface TokenChecks {
  readonly verifier: AccessTokenVerifier;
  /** Revoked token IDs, fed by the change log and by this process's own revocations. */
  readonly revocations: RevocationList;
  /** Where `dpopNonces` is on: the nonces every instance gives and accepts (RFC 9449 §8, §9). */
  readonly dpopNonces: DpopNonces | undefined;
  /** Fetches the issuer's keys, where they come over HTTP: once every listener is up. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface TokenCheckParts {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly feed: ChangeFeed;
  /** The token service's keyring, where this process runs it: its keys verify without a fetch. */
  readonly keyring: Keyring | undefined;
  /** What token expiry is judged by: the system's, or a test's. */
  readonly clock: Clock;
}

/** Where the gateway fetches keys: `jwksUrl`, else the JWKS under `publicUrl` (the issuer's). */
export function gatewayJwksUrl(config: Config): string {
  return config.jwksUrl ?? endpointUrl(config, JWKS_PATH);
}

/**
 * Builds the verifier over the credentials' status, the revocation list and the keys (the
 * keyring's, or the JWKS over HTTP where `jwksUrl` says so or there is no keyring), and keeps them
 * following the change log. Its timers: the verified-token cache's minute sweep, and the JWKS
 * refresh.
 */
export async function buildTokenChecks({
  config,
  store,
  logger,
  feed,
  keyring,
  clock,
}: TokenCheckParts): Promise<TokenChecks> {
  // The verifier sees a credential only through its status, never its secret hashes.
  const credentialStatus = new LoadingCache<CredentialStatus | undefined>(
    (clientId) => store.credentials.findByClientId(clientId),
    { maxEntries: 100_000, maxAgeMs: 300_000 },
  );
  const revocations = new RevocationList(store);
  await revocations.load();
  feed.onChanges((changes) => {
    for (const change of changes) {
      if (change.topic.startsWith('credential.')) credentialStatus.invalidate(change.ref);
      else if (change.topic === 'token.revoked') revocations.add(change.ref);
    }
  });
  feed.onResync(async () => {
    credentialStatus.clear();
    await revocations.load();
  });
  const { keys, jwks } = keySource(config, logger, keyring);
  const verifier = new AccessTokenVerifier(
    { keys, revocations, credentials: credentialStatus },
    {
      issuer: config.publicUrl,
      audience: config.audience,
      resources: apiResources(config),
      region: config.region,
      leewaySeconds: config.clockLeewaySeconds,
      maxCachedTokens: 100_000,
      clock,
    },
  );
  const forgetExpiredTokens = setInterval(() => verifier.forgetExpired(), 60_000).unref();
  const dpopNonces = config.dpopNonces ? await DpopNonces.shared(store.sharedKeys) : undefined;
  return {
    verifier,
    revocations,
    dpopNonces,
    start: async () => {
      await jwks?.start();
    },
    close: async () => {
      clearInterval(forgetExpiredTokens);
      jwks?.stop();
    },
  };
}

/** The keyring where this process holds one and `jwksUrl` is not set; the JWKS over HTTP otherwise. */
function keySource(
  config: Config,
  logger: Logger,
  keyring: Keyring | undefined,
): { keys: VerificationKeySource; jwks: JwksCache | undefined } {
  if (keyring && config.jwksUrl === undefined) return { keys: keyring, jwks: undefined };
  const jwks = new JwksCache({
    url: gatewayJwksUrl(config),
    cooldownMs: config.jwksCooldownSeconds * 1000,
    refreshMs: 5 * 60_000,
    onError: (error) =>
      logger.warn({ err: error }, 'fetching the JWKS failed; keeping the keys already held'),
  });
  return { keys: jwks, jwks };
}
