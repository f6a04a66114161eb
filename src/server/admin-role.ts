import type { Logger } from 'pino';
import type { AdminApiContext } from '../admin-api/context.js';
import type { Config } from '../config/schema.js';
import type { ClientSecretHasher } from '../core/client-secret.js';
import type { Clock } from '../core/clock.js';
import type { CredentialService } from '../services/credentials/credentials.js';
import type { PortalUserService } from '../services/credentials/portal-users.js';
import { ApiTokenService } from '../services/sign-in/api-tokens.js';
import { PortalSessions } from '../services/sign-in/portal-sessions.js';
import type { Store } from '../store/store.js';

export interface AdminParts {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  /** Where login waits and session ends take the time from. */
  readonly clock: Clock;
  readonly credentials: CredentialService;
  readonly users: PortalUserService;
  /** Personal API tokens are hashed as client secrets are, with the master key's pepper. */
  readonly hasher: ClientSecretHasher;
}

/** The admin API's context, with the hourly sweep of ended sessions that it owns. */
export interface AdminRole {
  readonly context: AdminApiContext;
  close(): Promise<void>;
}

/** Builds the admin API's context and starts sweeping ended sessions every hour. */
export function startAdminRole({
  config,
  store,
  logger,
  clock,
  credentials,
  users,
  hasher,
}: AdminParts): AdminRole {
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
    context: {
      config,
      store,
      credentials,
      users,
      sessions,
      apiTokens: new ApiTokenService(store, hasher),
      clock,
    },
    close: async () => clearInterval(sweep),
  };
}
