/** The admin API's resources, as docs/admin-api.md describes them. Times are ISO 8601 strings in UTC. */

export type Licence = 'admin' | 'supervisor';

export interface User {
  id: string;
  email: string;
  licence: Licence | null;
  accountId: string;
  accountName: string;
  region: string;
  createdAt: string;
}

export interface Scope {
  value: string;
  description: string;
  api: string;
  /** Whether this user's licence may grant it. */
  grantable: boolean;
}

export type SecretStatus = 'active' | 'expired' | 'revoked';

export interface Secret {
  id: string;
  /** The first 8 characters of the secret, e.g. `kgs_AbCd`. */
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: SecretStatus;
}

export interface Credential {
  id: string;
  clientId: string;
  name: string;
  scopes: string[];
  /** Null when the credential was made by the CLI. */
  ownerUserId: string | null;
  ownerEmail: string | null;
  disabled: boolean;
  expiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  /** When all its tokens were last revoked at once. */
  tokensRevokedAt: string | null;
  /** Its tokens must be DPoP-bound (RFC 9449). */
  requireDpop: boolean;
  secrets: Secret[];
  /** Public keys for private_key_jwt; a credential created with keys has no secret. */
  keys: CredentialKey[];
  /** CIDR ranges it may be used from; empty: anywhere. */
  allowedCidrs: string[];
  tokenQuota: TokenQuota | null;
  /** Its own API call limit; it only lowers its plan's per-credential one. */
  callLimit: { limit: number; windowSeconds: number } | null;
  /** Copied into its tokens; never secrets. */
  metadata: Record<string, string>;
}

export interface TokenQuota {
  limit: number;
  period: 'hour' | 'day';
}

export interface CredentialKey {
  id: string;
  thumbprint: string;
  algorithms: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorUserId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  ip: string | null;
  details: unknown;
}

export interface ApiToken {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** A refusal by the credential's own policies, counted per day and reason. */
export interface Refusal {
  day: string;
  reason: 'address' | 'token_quota';
  count: number;
}

export interface UsageRow {
  /** A UTC day, `YYYY-MM-DD`. */
  day: string;
  scope: string;
  tokensIssued: number;
  apiCalls: number;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
}

export type OwnerFilter = 'all' | 'mine';
