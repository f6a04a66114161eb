import { statusOf, TOKEN_SERVICE_ERRORS, type TokenServiceErrorCode } from './error-registry.js';

/**
 * OAuth 2.0 errors raised by the domain. Each carries its code from the error registry, and the
 * status the registry gives it; the HTTP layer serialises them (RFC 6749 §5.2 envelope) and never
 * inspects messages.
 */
export type OAuthErrorCode = TokenServiceErrorCode;

export abstract class OAuthError extends Error {
  abstract readonly code: OAuthErrorCode;
  /** Extra response headers the error requires (e.g. WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string> = {};
  #status: number | undefined;

  constructor(
    readonly description: string,
    /** One of the statuses the registry lists for the code; its usual one when omitted. */
    status?: number,
  ) {
    super(description);
    this.name = new.target.name;
    this.#status = status;
  }

  get status(): number {
    return statusOf(TOKEN_SERVICE_ERRORS, this.code, this.#status);
  }
}

export class InvalidRequest extends OAuthError {
  readonly code = 'invalid_request';
}

export class InvalidClient extends OAuthError {
  readonly code = 'invalid_client';
  constructor(description: string, usedBasicAuth: boolean) {
    super(description);
    // RFC 6749 §5.2: a 401 after Basic authentication must name the scheme the client used.
    if (usedBasicAuth) this.headers['www-authenticate'] = 'Basic realm="keygate", charset="UTF-8"';
  }
}

export class InvalidDpopProof extends OAuthError {
  readonly code = 'invalid_dpop_proof';
}

/** RFC 9449 §8: the proof lacks the server's nonce, which is in the `DPoP-Nonce` header. */
export class UseDpopNonce extends OAuthError {
  readonly code = 'use_dpop_nonce';
  constructor(nonce: string) {
    super('Authorization server requires nonce in DPoP proof');
    this.headers['dpop-nonce'] = nonce;
  }
}

export class UnauthorizedClient extends OAuthError {
  readonly code = 'unauthorized_client';
}

export class UnsupportedGrantType extends OAuthError {
  readonly code = 'unsupported_grant_type';
}

export class InvalidScope extends OAuthError {
  readonly code = 'invalid_scope';
}

/** RFC 8707 §2: the `resource` asked for is not one the server issues tokens for. */
export class InvalidTarget extends OAuthError {
  readonly code = 'invalid_target';
}

/** Too many failed authentications from one address (not an RFC 6749 code; an extension). */
export class TooManyRequests extends OAuthError {
  readonly code = 'too_many_requests';
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
}

/** No endpoint at that method and path: the envelope every unknown path of the public origin gets. */
export class NotFound extends OAuthError {
  readonly code = 'not_found';
}

/** A fault in Keygate: the details go to the log, never to the caller. */
export class ServerError extends OAuthError {
  readonly code = 'server_error';
  constructor() {
    super('The server could not complete the request');
  }
}
