import type { Config } from '../config/schema.js';
import type { ClientSecretHasher } from '../core/client-secret.js';
import type { AccountCache } from '../services/account-cache.js';
import type { Store } from '../store/store.js';
import type { CredentialCache } from './credential-cache.js';
import type { FailedAuthenticationAudit } from './failed-authentication-audit.js';
import type { FailedAuthenticationLimiter } from './failed-authentication-limiter.js';
import type { Keyring } from './keyring.js';
import type { UsageRecorder } from './usage-recorder.js';

/** What the token service's steps need, built once at start by the composition root. */
export interface TokenServiceContext {
  readonly config: Config;
  readonly store: Store;
  readonly credentials: CredentialCache;
  readonly accounts: AccountCache;
  readonly keyring: Keyring;
  readonly hasher: ClientSecretHasher;
  readonly limiter: FailedAuthenticationLimiter;
  readonly failureAudit: FailedAuthenticationAudit;
  readonly usage: UsageRecorder;
}
