import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ClientSecretHasher } from '../core/client-secret.js';
import type { Clock } from '../core/clock.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import type { DerivedKeys } from '../crypto/master-key.js';
import { LoadingCache } from '../services/caches/loading-cache.js';
import type { Tracing } from '../services/observability/tracing.js';
import type { CredentialWithSecrets, Store } from '../store/store.js';
import type { TokenServiceContext } from '../token-service/context.js';
import { FailedAuthenticationAudit } from '../token-service/failed-authentication-audit.js';
import { FailedAuthenticationLimiter } from '../token-service/failed-authentication-limiter.js';
import { Keyring } from '../token-service/keyring.js';
import type { ChangeFeed } from './change-feed.js';
import type { Limits } from './limits.js';
import type { TokenChecks } from './token-checks.js';

/**
 * The token service's signing keys, unsealed with the master key, reloaded whenever the change log
 * says they were rotated (by `keygate keys rotate` or another instance).
 */
export async function loadKeyring(
  config: Config,
  store: Store,
  logger: Logger,
  feed: ChangeFeed,
  keys: DerivedKeys,
): Promise<Keyring> {
  const keyring = new Keyring(store, keys.keyEncryptionKey, config.region);
  await keyring.reload();
  feed.onChanges(async (changes) => {
    if (!changes.some((c) => c.topic === 'keys.rotated')) return;
    await keyring.reload();
    logger.info({ kid: keyring.active.kid }, 'signing keys reloaded');
  });
  feed.onResync(() => keyring.reload());
  const signing = keyring.active;
  if (signing.alg !== config.tokenSigningAlgorithm) {
    logger.warn(
      { kid: signing.kid, alg: signing.alg, next: config.tokenSigningAlgorithm },
      `tokens are signed with ${signing.alg} until \`keygate keys rotate\`; the ${config.tokenSigningAlgorithm} key that signs after it is published now`,
    );
  }
  return keyring;
}

export interface TokenServiceParts {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly feed: ChangeFeed;
  readonly keyring: Keyring;
  readonly hasher: ClientSecretHasher;
  readonly checks: TokenChecks;
  readonly limits: Limits;
  readonly catalogue: ScopeCatalogue;
  readonly clock: Clock;
  /** Where tracing is on: a span for each token request and its steps. */
  readonly tracing?: Tracing | undefined;
}

/**
 * What the token service's steps need. Its credentials are held with their secret hashes, which
 * only client authentication reads, and dropped when the change log names them.
 */
export function tokenServiceContext({
  config,
  store,
  logger,
  feed,
  keyring,
  hasher,
  checks,
  limits,
  catalogue,
  clock,
  tracing,
}: TokenServiceParts): TokenServiceContext {
  const credentials = new LoadingCache<CredentialWithSecrets | undefined>(
    (clientId) => store.credentials.findForAuthentication(clientId),
    { maxEntries: 100_000, maxAgeMs: 300_000 },
  );
  feed.onChanges((changes) => {
    for (const change of changes) {
      if (change.topic.startsWith('credential.')) credentials.invalidate(change.ref);
    }
  });
  feed.onResync(() => credentials.clear());
  return {
    config,
    store,
    credentials,
    verifier: checks.verifier,
    revocations: checks.revocations,
    accounts: limits.accounts,
    keyring,
    hasher,
    limiter: new FailedAuthenticationLimiter(config.authFailureLimit),
    quotas: limits.counters,
    failureAudit: new FailedAuthenticationAudit(store, (err) =>
      logger.warn({ err }, 'auditing a failed client authentication failed'),
    ),
    usage: limits.usage,
    dpopNonces: checks.dpopNonces,
    catalogue,
    clock,
    tracing,
  };
}
