import type { AdminErrorCode } from './error-registry.js';

/**
 * Errors of the admin side (CLI, admin API): stable codes that callers switch on, each in the
 * error registry's admin table. OAuth endpoints use OAuthError instead.
 */
export type DomainErrorCode = Extract<
  AdminErrorCode,
  | 'validation_failed'
  | 'scope_unknown'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'no_licence'
  | 'scope_not_grantable'
  | 'last_active_secret'
  | 'invalid_login'
  | 'login_locked'
  | 'rate_limited'
  | 'unauthenticated'
>;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
    /** For `login_locked` and `rate_limited`: seconds until trying again makes sense. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
