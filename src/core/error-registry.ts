/**
 * Every error code Keygate puts on the wire, in one place, as Fastify's `lib/errors.js` keeps its
 * own: the surface and envelope it travels in, the statuses it may carry (the first is the usual
 * one) and when it is sent. Each surface builds its answers from these tables, and
 * `test/docs/errors-documented.test.ts` fails when docs/errors.md misses a code or a status.
 */
export interface WireError {
  readonly statuses: readonly number[];
  readonly when: string;
}

/** The token service (`/Auth/connect/*`, discovery): RFC 6749 §5.2 `{error, error_description}`. */
export const TOKEN_SERVICE_ERRORS = {
  invalid_request: { statuses: [400, 413], when: 'a malformed request, or a body over 16 KiB (413)' },
  invalid_client: { statuses: [401], when: 'client authentication failed' },
  invalid_grant: { statuses: [400], when: 'reserved: no grant in Keygate produces it' },
  unauthorized_client: { statuses: [400], when: 'the credential is disabled or expired' },
  unsupported_grant_type: { statuses: [400], when: 'a grant_type other than client_credentials' },
  invalid_scope: { statuses: [400], when: 'no scope, or one not granted to the credential' },
  invalid_target: {
    statuses: [400],
    when: 'a `resource` (RFC 8707) that names no API of this gateway, or more than one',
  },
  invalid_dpop_proof: {
    statuses: [400],
    when: 'a DPoP proof that fails RFC 9449 §4.3, or none from a client that must send one',
  },
  use_dpop_nonce: {
    statuses: [400],
    when: 'with `dpopNonces` on, a DPoP proof without the nonce of the `DPoP-Nonce` header, or a stale one',
  },
  not_found: { statuses: [404], when: 'no endpoint at that method and path' },
  too_many_requests: {
    statuses: [429],
    when: 'too many failed authentications from an address, or the credential’s token quota used up',
  },
  temporarily_unavailable: { statuses: [503], when: 'the store does not answer' },
  server_error: { statuses: [500], when: 'a fault in Keygate' },
} as const satisfies Record<string, WireError>;

/** The API gateway: the same envelope, with RFC 6750 `WWW-Authenticate` on 401 and 403. */
export const GATEWAY_ERRORS = {
  invalid_request: {
    statuses: [401, 400, 413],
    when: 'no bearer token (401), a malformed Bearer header or request target (400), a body too large (413)',
  },
  invalid_token: { statuses: [401], when: 'the token is not admitted, or a DPoP-bound one sent as Bearer' },
  invalid_dpop_proof: { statuses: [401], when: 'a DPoP-bound call whose proof fails RFC 9449 §4.3' },
  use_dpop_nonce: {
    statuses: [401],
    when: 'with `dpopNonces` on, a DPoP proof without the nonce of the `DPoP-Nonce` header, or a stale one',
  },
  insufficient_scope: { statuses: [403], when: 'the token holds none of the scopes the route accepts' },
  not_found: { statuses: [404], when: 'no API declares the method and path' },
  not_acceptable: { statuses: [406], when: 'the versioned Accept names a version the API does not serve' },
  too_many_requests: { statuses: [429], when: 'a fair-usage limit, or the calls in progress, reached' },
  bad_gateway: { statuses: [502], when: 'the upstream is unreachable or broke the answer' },
  gateway_timeout: { statuses: [504], when: 'the upstream did not answer in time' },
  temporarily_unavailable: { statuses: [503], when: 'the store cannot say whether the credential stands' },
  server_error: { statuses: [500], when: 'a fault in Keygate' },
} as const satisfies Record<string, WireError>;

/** The admin API (`{code, message, field?}`); the CLI reports the same codes in one line. */
export const ADMIN_ERRORS = {
  validation_failed: { statuses: [400], when: 'input breaks a rule' },
  scope_unknown: { statuses: [400], when: 'a scope that is not in the catalogue' },
  unauthenticated: { statuses: [401], when: 'no session, an ended one, or an unknown personal token' },
  invalid_login: { statuses: [401], when: 'wrong email or password' },
  no_licence: { statuses: [403], when: 'the user holds neither licence' },
  forbidden: { statuses: [403], when: "the caller's licence does not allow it" },
  scope_not_grantable: { statuses: [403], when: 'a scope the licence may not grant' },
  csrf_failed: { statuses: [403], when: 'a write with the session cookie but without its CSRF token' },
  not_found: { statuses: [404], when: 'no such record visible to the caller, or no such endpoint' },
  conflict: { statuses: [409], when: 'the name or email is taken' },
  last_active_secret: {
    statuses: [409],
    when: "revoking a credential's only usable secret, or removing its only key, with no other way in",
  },
  method_not_allowed: { statuses: [405], when: 'a method other than GET or HEAD on the portal' },
  body_too_large: { statuses: [413], when: 'a body over 64 KiB' },
  unsupported_media_type: { statuses: [415], when: 'a body that is not application/json' },
  login_locked: { statuses: [429], when: 'too many failed logins for this email from this address' },
  rate_limited: { statuses: [429], when: 'too many login attempts from this address' },
  internal_error: { statuses: [500], when: 'a fault in Keygate' },
  portal_not_built: { statuses: [503], when: 'the portal was not built before Keygate started' },
} as const satisfies Record<string, WireError>;

/** The health routes (`/healthz`, `/readyz`), read by load balancers: `{status, reason?}`. */
export const HEALTH_ERRORS = {
  unavailable: { statuses: [503], when: '`/readyz` while the store does not answer' },
} as const satisfies Record<string, WireError>;

export type TokenServiceErrorCode = keyof typeof TOKEN_SERVICE_ERRORS;
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;
export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

/**
 * The status to answer `code` with: its usual one, or `status` when the registry lists it for that
 * code. A status the registry does not list is a programming error, refused at once.
 */
export function statusOf<T extends Record<string, WireError>>(
  registry: T,
  code: keyof T & string,
  status?: number,
): number {
  const { statuses } = registry[code]!;
  if (status === undefined) return statuses[0]!;
  if (!statuses.includes(status)) throw new TypeError(`${code} is not sent with status ${status}`);
  return status;
}
