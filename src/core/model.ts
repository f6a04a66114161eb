import type { AuditAction } from './audit-actions.js';
import type { Licence } from './scopes.js';

/** Records as the domain sees them; timestamps are ISO 8601 strings in UTC. */

export interface Account {
  readonly id: string;
  readonly name: string;
  /** The region whose token endpoint and gateway serve this account (e.g. `emea`). */
  readonly region: string;
  /** The rate-limit plan; null means the configured default plan. */
  readonly plan: string | null;
  readonly createdAt: string;
}

export interface Credential {
  readonly id: string;
  readonly accountId: string;
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  /** The portal user who created it; null when made by the CLI. */
  readonly ownerUserId: string | null;
  readonly disabled: boolean;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastUsedAt: string | null;
  /** When all its tokens were last revoked at once; tokens issued before are refused. */
  readonly tokensRevokedAt: string | null;
  /** Its tokens must be bound to the client's key (DPoP, RFC 9449); bearer requests are refused. */
  readonly requireDpop: boolean;
  /** The CIDR ranges it may be used from (token requests and API calls); empty: anywhere. */
  readonly allowedCidrs: readonly string[];
  /** At most this many tokens a period (as Auth0's token quotas); null: no quota. */
  readonly tokenQuota: TokenQuota | null;
  /** Its API calls a window, which only lowers its plan's per-credential limit; null: the plan's alone. */
  readonly callLimit: CallLimit | null;
  /** Key/value pairs its tokens carry in `keygate_metadata`, for upstreams to route or attribute by. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface CallLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface TokenQuota {
  readonly limit: number;
  readonly period: 'hour' | 'day';
}

/**
 * What a token check needs of a credential: whether it stands, in which account, with which scopes.
 * The gateway sees credentials only through this view, never their secrets.
 */
export type CredentialStatus = Pick<
  Credential,
  | 'id'
  | 'accountId'
  | 'clientId'
  | 'scopes'
  | 'disabled'
  | 'expiresAt'
  | 'tokensRevokedAt'
  | 'requireDpop'
  | 'allowedCidrs'
  | 'callLimit'
>;

/**
 * The first `iat` (epoch seconds) a credential's tokens may carry: tokens issued before its last
 * revoke-all are refused. `iat` has whole seconds, so the bound is the second after the revocation,
 * and the token endpoint dates a token issued in that same second at the bound itself.
 */
export function firstAdmittedIssuedAt(credential: Pick<Credential, 'tokensRevokedAt'>): number {
  return credential.tokensRevokedAt === null
    ? Number.NEGATIVE_INFINITY
    : Math.floor(Date.parse(credential.tokensRevokedAt) / 1000) + 1;
}

export interface CredentialSecret {
  readonly id: string;
  readonly credentialId: string;
  /** HMAC-SHA-256 of the secret; the secret itself is never stored. */
  readonly hash: Buffer;
  /** First characters of the secret, enough for a person to tell secrets apart. */
  readonly hint: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** A public key a credential authenticates with (private_key_jwt, RFC 7523), in place of a secret. */
export interface CredentialKey {
  readonly id: string;
  readonly credentialId: string;
  /** RFC 7638 thumbprint: how a person and the CLI name the key. */
  readonly thumbprint: string;
  readonly jwk: Readonly<Record<string, string>>;
  readonly algorithms: readonly string[];
  readonly createdAt: string;
  /** When it last authenticated its client; null until then. */
  readonly lastUsedAt: string | null;
}

export interface PortalUser {
  readonly id: string;
  readonly accountId: string;
  readonly email: string;
  readonly licence: Licence | null;
  readonly createdAt: string;
}

export type SigningKeyStatus = 'next' | 'active' | 'retired';

export interface SigningKey {
  readonly kid: string;
  /** The region whose tokens this key signs. */
  readonly region: string;
  readonly alg: string;
  readonly status: SigningKeyStatus;
  readonly publicJwk: Readonly<Record<string, unknown>>;
  /** The private JWK, encrypted with the key-encryption key (AES-256-GCM). */
  readonly privateJwkEncrypted: string;
  readonly createdAt: string;
  readonly activatedAt: string | null;
  /** For a retired key: when its last token has expired and it may leave the JWKS. */
  readonly retireAfter: string | null;
}

export interface RevokedToken {
  readonly jti: string;
  readonly clientId: string;
  /** Until when the gateway could admit the token: its `exp` plus the clock leeway. */
  readonly expiresAt: string;
  readonly revokedAt: string;
}

/** A secret is usable when neither revoked nor past its expiry. */
export function isSecretUsable(secret: CredentialSecret, now: Date): boolean {
  if (secret.revokedAt !== null) return false;
  return secret.expiresAt === null || Date.parse(secret.expiresAt) > now.getTime();
}

/** Past its expiry at `nowMs` (epoch ms: the gateway asks on every call, so no Date is made for it). */
export function isCredentialExpired(credential: Pick<Credential, 'expiresAt'>, nowMs: number): boolean {
  return credential.expiresAt !== null && Date.parse(credential.expiresAt) <= nowMs;
}

/** A portal session; the store keeps only a hash of its ID. */
export interface PortalSession {
  readonly userId: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  /** Absolute end, whatever the activity. */
  readonly expiresAt: string;
  readonly lastSeenAt: string;
}

/** A personal API token for the admin API; the store keeps only its keyed hash. */
export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly hint: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
}

/** One line of the audit log: who did what to what, from where. Never a secret. */
export interface AuditEntry {
  readonly id: string;
  readonly accountId: string;
  readonly at: string;
  readonly actorUserId: string | null;
  /** The user's email, `cli` for the command line, or the email typed at a failed login. */
  readonly actorEmail: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly targetName: string | null;
  readonly ip: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** An entry about to be written: its action one of the registry's. */
export type AuditDraft = Omit<AuditEntry, 'id' | 'at' | 'action'> & { readonly action: AuditAction };

/** One API document as a process serves it: enough to tell two copies apart and to name each. */
export interface ApiDocumentVersion {
  /** The API's name within Keygate: the document's `x-keygate-api`. */
  readonly name: string;
  /** `info.version`, as the document states it. */
  readonly version: string | null;
  /** SHA-256 of the document's content, keys sorted: equal for equal documents, however formatted. */
  readonly fingerprint: string;
  /** The file it was read from. */
  readonly source: string;
}

/**
 * A Keygate process that serves a region, as it last reported itself to the shared store: which
 * API documents it serves, so that every region can be held to one catalogue.
 */
export interface RunningInstance {
  readonly id: string;
  readonly region: string;
  /** Host name and process ID, for the messages. */
  readonly host: string;
  readonly apiDocuments: readonly ApiDocumentVersion[];
  readonly startedAt: string;
  readonly seenAt: string;
}
