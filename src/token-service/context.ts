import type { Config } from '../config/schema.js';
import type { ClientSecretHasher } from '../core/client-secret.js';
import type { Clock } from '../core/clock.js';
import type { ScopeCatalogue } from '../core/scopes.js';
import type { LoadingCache } from '../services/caches/loading-cache.js';
import type { AccountCache } from '../services/limits/account-cache.js';
import type { RequestCounter } from '../services/limits/rate-limiter.js';
import type { UsageRecorder } from '../services/limits/usage-recorder.js';
import type { Tracing } from '../services/observability/tracing.js';
import type { AccessTokenVerifier } from '../services/verification/access-token-verifier.js';
import type { DpopNonces } from '../services/verification/dpop-nonces.js';
import type { RevocationList } from '../services/verification/revocation-list.js';
import type { CredentialWithSecrets, Store } from '../store/store.js';
import type { FailedAuthenticationAudit } from './failed-authentication-audit.js';
import type { FailedAuthenticationLimiter } from './failed-authentication-limiter.js';
import type { Keyring } from './keyring.js';

/** What the token service's steps need, built once at start by the composition root. */
export interface TokenServiceContext {
  readonly config: Config;
  readonly store: Store;
  /** Credentials with their secret hashes, by client ID. */
  readonly credentials: LoadingCache<CredentialWithSecrets | undefined>;
  /** The one token verifier: introspection and revocation judge a token as the gateway does. */
  readonly verifier: AccessTokenVerifier;
  /** The verifier's revocation list: a revocation made here is refused at once, not after a poll. */
  readonly revocations: RevocationList;
  readonly accounts: AccountCache;
  readonly keyring: Keyring;
  readonly hasher: ClientSecretHasher;
  readonly limiter: FailedAuthenticationLimiter;
  /** Counts each credential's tokens against its quota (Redis when configured, so across instances). */
  readonly quotas: RequestCounter;
  readonly failureAudit: FailedAuthenticationAudit;
  readonly usage: UsageRecorder;
  /** Where DPoP proofs must carry a server nonce (`dpopNonces`). */
  readonly dpopNonces: DpopNonces | undefined;
  /** The scopes tokens may carry: a credential's scope whose API document is gone is not issued. */
  readonly catalogue: ScopeCatalogue;
  /** What tokens are issued at, and secrets, certificates and credentials are judged unexpired by. */
  readonly clock: Clock;
  /** Where tracing is on (docs/operations.md#traces): a span for each token request and its steps. */
  readonly tracing?: Tracing | undefined;
}
