/**
 * Errors of the admin side (CLI, admin API): stable codes that callers switch on.
 * OAuth endpoints use OAuthError instead.
 */
export type DomainErrorCode = 'validation_failed' | 'not_found' | 'conflict' | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
