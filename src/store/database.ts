import type { Generated } from 'kysely';

/**
 * Table shapes shared by every SQL dialect. Timestamps are ISO 8601 UTC text and booleans are
 * 0/1 integers, so SQLite and PostgreSQL store the same values and compare them the same way.
 */
export interface Database {
  accounts: { id: string; name: string; region: string; plan: string | null; created_at: string };
  users: {
    id: string;
    account_id: string;
    email: string;
    password_hash: string;
    licence: string | null;
    created_at: string;
  };
  credentials: {
    id: string;
    account_id: string;
    client_id: string;
    name: string;
    /** JSON array of scope values. */
    scopes: string;
    owner_user_id: string | null;
    disabled: number;
    expires_at: string | null;
    created_at: string;
    updated_at: string;
    last_used_at: string | null;
    tokens_revoked_at: string | null;
    /** 1: its tokens must be bound to a key (DPoP); bearer requests are refused. */
    require_dpop: number;
    /** JSON array of CIDR ranges the credential may be used from; empty: anywhere. */
    allowed_cidrs: string;
    /** JSON `{limit, period}` of its token quota, or null for none. */
    token_quota: string | null;
    /** JSON `{limit, windowSeconds}` of its API call limit (only ever lowering its plan's), or null. */
    call_limit: string | null;
    /** JSON object of strings copied into its tokens (`keygate_metadata`). */
    metadata: string;
  };
  credential_secrets: {
    id: string;
    credential_id: string;
    /** Hex HMAC-SHA-256 of the secret. */
    hash: string;
    hint: string;
    created_at: string;
    expires_at: string | null;
    revoked_at: string | null;
    last_used_at: string | null;
  };
  credential_keys: {
    id: string;
    credential_id: string;
    /** RFC 7638 thumbprint of the public key. */
    thumbprint: string;
    /** The public JWK, as JSON. */
    jwk: string;
    /** JSON array of the signature algorithms accepted with it. */
    algorithms: string;
    created_at: string;
    last_used_at: string | null;
  };
  managed_objects: {
    /** `credential`, `user` or `account`: the kinds `apply --prune` deletes. */
    object_type: string;
    object_id: string;
    manager: string;
    created_at: string;
  };
  running_instances: {
    id: string;
    region: string;
    host: string;
    /** JSON array of ApiDocumentVersion. */
    api_documents: string;
    started_at: string;
    seen_at: string;
  };
  shared_keys: {
    name: string;
    value: string;
    created_at: string;
  };
  used_proofs: {
    /** Whose proof: a client ID (assertions) or a key thumbprint (DPoP). */
    owner: string;
    jti: string;
    expires_at: string;
  };
  signing_keys: {
    kid: string;
    region: string;
    alg: string;
    status: string;
    public_jwk: string;
    private_jwk_encrypted: string;
    created_at: string;
    activated_at: string | null;
    retire_after: string | null;
  };
  revoked_tokens: { jti: string; client_id: string; expires_at: string; revoked_at: string };
  /** Every write appends here; servers poll it to drop caches and reload keys. */
  changes: { seq: Generated<number>; topic: string; ref: string; at: string };
  login_throttle: { key: string; failures: number; locked_until: string | null; updated_at: string };
  sessions: {
    /** SHA-256 of the session ID: a reader of the store cannot use a session. */
    id_hash: string;
    user_id: string;
    csrf_token: string;
    created_at: string;
    expires_at: string;
    last_seen_at: string;
  };
  api_tokens: {
    id: string;
    user_id: string;
    name: string;
    /** Hex HMAC-SHA-256 of the token, with the same pepper as client secrets. */
    hash: string;
    hint: string;
    created_at: string;
    expires_at: string | null;
    last_used_at: string | null;
  };
  audit_log: {
    /** Time-ordered, so newest-first paging is an index scan. */
    id: string;
    account_id: string;
    at: string;
    actor_user_id: string | null;
    actor_email: string;
    action: string;
    target_type: string;
    target_id: string | null;
    target_name: string | null;
    ip: string | null;
    /** JSON object: names, scopes, IDs — never a secret. */
    details: string;
  };
  usage_daily: {
    credential_id: string;
    day: string;
    scope: string;
    tokens_issued: number;
    api_calls: number;
  };
  usage_refusals: {
    credential_id: string;
    day: string;
    /** `address` (outside its allowed ranges) or `token_quota`. */
    reason: string;
    count: number;
  };
}
