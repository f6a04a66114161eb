import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { CredentialService } from '../services/credentials/credentials.js';
import type { PortalUserService } from '../services/credentials/portal-users.js';
import type { ApiTokenService } from '../services/sign-in/api-tokens.js';
import type { PortalSessions } from '../services/sign-in/portal-sessions.js';
import type { Store } from '../store/store.js';

/** What the admin API's routes need, built once in the composition root. */
export interface AdminApiContext {
  readonly config: Config;
  readonly store: Store;
  readonly credentials: CredentialService;
  readonly users: PortalUserService;
  readonly sessions: PortalSessions;
  readonly apiTokens: ApiTokenService;
  /** What a secret's or a credential's status (active, expired) is shown as of. */
  readonly clock: Clock;
}

export const SESSION_COOKIE = 'keygate_session';
export const ADMIN_PREFIX = '/admin/v1';
export const CSRF_HEADER = 'x-csrf-token';
