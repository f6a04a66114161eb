/**
 * OAuth 2.0 errors raised by the domain. Each carries the RFC error code and the HTTP status;
 * the HTTP layer serialises them (RFC 6749 §5.2 envelope) and never inspects messages.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'too_many_requests'
  | 'temporarily_unavailable'
  | 'server_error';

export abstract class OAuthError extends Error {
  abstract readonly code: OAuthErrorCode;
  abstract readonly status: number;
  /** Extra response headers the error requires (e.g. WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(readonly description: string) {
    super(description);
    this.name = new.target.name;
  }
}

export class InvalidRequest extends OAuthError {
  readonly code = 'invalid_request';
  readonly status = 400;
}

export class InvalidClient extends OAuthError {
  readonly code = 'invalid_client';
  readonly status = 401;
  constructor(description: string, usedBasicAuth: boolean) {
    super(description);
    // RFC 6749 §5.2: a 401 after Basic authentication must name the scheme the client used.
    if (usedBasicAuth) this.headers['www-authenticate'] = 'Basic realm="keygate", charset="UTF-8"';
  }
}

export class UnauthorizedClient extends OAuthError {
  readonly code = 'unauthorized_client';
  readonly status = 400;
}

export class UnsupportedGrantType extends OAuthError {
  readonly code = 'unsupported_grant_type';
  readonly status = 400;
}

export class InvalidScope extends OAuthError {
  readonly code = 'invalid_scope';
  readonly status = 400;
}

export class UnsupportedTokenType extends OAuthError {
  readonly code = 'unsupported_token_type';
  readonly status = 400;
}

/** Too many failed authentications from one client ID or address (not an RFC 6749 code; an extension). */
export class TooManyRequests extends OAuthError {
  readonly code = 'too_many_requests';
  readonly status = 429;
  constructor(
    description: string,
    readonly retryAfterSeconds: number,
  ) {
    super(description);
    this.headers['retry-after'] = String(retryAfterSeconds);
  }
}

/** The store or another dependency is unreachable; the client may retry. */
export class TemporarilyUnavailable extends OAuthError {
  readonly code = 'temporarily_unavailable';
  readonly status = 503;
}
