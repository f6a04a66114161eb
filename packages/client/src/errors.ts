/**
 * Errors of the client SDK, each with a stable `code` to switch on. Server errors keep the
 * server's `error` and `error_description`.
 */
export class KeygateClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KeygateClientError';
  }
}

/** The token endpoint refused the request (e.g. `invalid_client`, `invalid_scope`). */
export class TokenRequestError extends KeygateClientError {
  constructor(
    readonly error: string,
    readonly errorDescription: string | undefined,
    status: number,
  ) {
    super(error, `token request failed: ${error}${errorDescription ? ` (${errorDescription})` : ''}`, status);
    this.name = 'TokenRequestError';
  }
}

/** An API answered with an error status. */
export class ApiError extends KeygateClientError {
  constructor(
    status: number,
    readonly body: unknown,
    message?: string,
  ) {
    const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    super(
      typeof error === 'string' ? error : `http_${status}`,
      message ?? `the API answered ${status}`,
      status,
    );
    this.name = 'ApiError';
  }
}

/** 403: the token lacks the scope; `requiredScopes` are the scopes the API would accept. */
export class InsufficientScopeError extends ApiError {
  constructor(
    body: unknown,
    readonly requiredScopes: string[],
  ) {
    super(
      403,
      body,
      `the token lacks the scope this API needs: one of ${requiredScopes.join(', ') || '(not named)'}`,
    );
    this.name = 'InsufficientScopeError';
  }
}

/** 429: the fair-usage limit is reached; retry after `retryAfterSeconds`. */
export class RateLimitedError extends ApiError {
  constructor(
    body: unknown,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(
      429,
      body,
      `rate limited${retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`}`,
    );
    this.name = 'RateLimitedError';
  }
}
