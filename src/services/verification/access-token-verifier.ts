import { hash, type KeyObject } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import { type Clock, systemClock } from '../../core/clock.js';
import { METADATA_CLAIM } from '../../core/credential-metadata.js';
import {
  type CallLimit,
  type CredentialStatus,
  firstAdmittedIssuedAt,
  isCredentialExpired,
} from '../../core/model.js';
import { JwsRefused, verifyCompactJws } from '../../crypto/compact-jws.js';
import { constantTimeEqual } from '../../crypto/constant-time-equal.js';
import { TOKEN_SIGNING_ALGORITHMS } from '../../crypto/token-signing-algorithms.js';
import { boundedCache } from '../caches/bounded-cache.js';

/** Where verification keys come from: the keyring, the issuer's JWKS, or the store (the CLI). */
export interface VerificationKeySource {
  key(kid: string | undefined): Promise<KeyObject | undefined>;
  /** Whether `kid` is held now, asked without waiting; false where the source cannot tell. */
  holds(kid: string | undefined): boolean;
}

/** Why a token is refused: for logs and `keygate explain`; a caller only ever learns invalid_token. */
export type TokenRefusal =
  | 'malformed'
  | 'signature'
  | 'unknown_key'
  | 'type'
  | 'issuer'
  | 'audience'
  | 'region'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'revoked'
  | 'credential_gone'
  | 'credential_disabled'
  | 'credential_expired'
  | 'scope_removed'
  | 'dpop_required';

/** A token admitted now: who it speaks for, and the scopes its credential still holds. */
export interface AdmittedToken {
  jti: string;
  /** The credential's internal id (usage is counted per credential). */
  credentialId: string;
  clientId: string;
  accountId: string;
  subject: string;
  /** The token's scopes that its credential still holds: never more than the token was issued. */
  scopes: readonly string[];
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** The thumbprint of the key a DPoP-bound token is bound to (RFC 9449 `cnf.jkt`). */
  jkt: string | undefined;
  /** The thumbprint of the TLS client certificate a token is bound to (RFC 8705 `cnf.x5t#S256`). */
  x5t: string | undefined;
  /** The one API the token is for (RFC 8707 `resource`, its `aud`); undefined: every API of the gateway. */
  resource: string | undefined;
  /** Where its credential may be used from (CIDR ranges; empty: anywhere), as the credential says now. */
  allowedCidrs: readonly string[];
  /** The credential's metadata as the token carries it (`keygate_metadata`); empty when none. */
  metadata: Readonly<Record<string, string>>;
  /** The credential's own API call limit, which only lowers its plan's; null: the plan's alone. */
  callLimit: CallLimit | null;
}

/** A token this issuer signed, judged on its signature, claims and times alone (`checkIssued`). */
export interface IssuedToken {
  jti: string;
  clientId: string;
  /** Epoch seconds. */
  issuedAt: number;
  /** Until when the gateway would take it: `exp` plus the clock leeway, in epoch milliseconds. */
  admittedUntilMs: number;
}

export type TokenVerdict =
  | { admitted: true; token: AdmittedToken }
  | { admitted: false; reason: TokenRefusal };

export interface AccessTokenVerifierOptions {
  issuer: string;
  /** The gateway's own audience: a token for it is admitted by every route. */
  audience: string;
  /** The APIs' own audiences (RFC 8707 resources): a token for one is admitted by its routes only. */
  resources?: readonly string[];
  region: string;
  /** Seconds of clock skew tolerated on exp, nbf and iat. */
  leewaySeconds: number;
  /** Most tokens whose signature and claims are remembered as checked. */
  maxCachedTokens: number;
  /** What `exp`, `nbf` and `iat` are checked against, and remembered tokens expire by (default: the system's). */
  clock?: Clock;
}

export interface AccessTokenVerifierDependencies {
  keys: VerificationKeySource;
  revocations: { has(jti: string): boolean };
  /**
   * The credential behind a client ID: `peek` answers from memory when it can, `get` reads the
   * store (a failure rejects, and the caller answers 503).
   */
  credentials: {
    peek?(clientId: string): { value: CredentialStatus | undefined } | undefined;
    get(clientId: string): Promise<CredentialStatus | undefined>;
  };
}

/**
 * What many tokens have in common: the key, client, account, subject and scope claim. One copy is
 * shared by every remembered token that carries it, so 100,000 remembered tokens are 100,000 small
 * entries, not 100,000 copies of each string and scope list for the garbage collector to mark.
 */
interface Grant {
  readonly kid: string | undefined;
  readonly clientId: string;
  readonly accountId: string;
  readonly subject: string;
  readonly scopes: readonly string[];
}

/** A token whose signature and claims have been checked: what does not change until it expires. */
interface CheckedClaims {
  /** The token's header and claims as signed: remembered under its signature's digest, with it. */
  readonly signed: string;
  readonly grant: Grant;
  readonly jti: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly jkt: string | undefined;
  readonly x5t: string | undefined;
  readonly resource: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  /** The last verdict given, reused while its credential is the same record. */
  last?: { credential: CredentialStatus; verdict: TokenVerdict };
}

/**
 * The one answer Keygate gives about an access token: the gateway, forward-auth, introspection,
 * revocation and `keygate explain` all ask here, so none admits a token another refuses. The checks, in order:
 *
 * 1. the signature (ES256 or RS256, crypto/compact-jws.ts) by a key the issuer publishes, of the
 *    kind its `alg` needs;
 * 2. `typ` at+jwt, our `iss`, our `aud`, our `region`;
 * 3. `exp`, `nbf` and `iat` with one clock leeway;
 * 4. the token is not revoked, alone or with all its credential's tokens;
 * 5. its credential exists in the token's account, is enabled and unexpired, and still holds at
 *    least one of the token's scopes — the token is admitted with only those.
 *
 * Steps 1–2 are done once per token and remembered until it expires, under the SHA-256 of its
 * signature beside its signed part, so the cache holds no usable token; 3–5 run on every check, from
 * memory that the change log keeps current, so a revocation or a credential change is seen within
 * one poll interval.
 */
export class AccessTokenVerifier {
  readonly #checked: LRUCache<string, CheckedClaims>;
  readonly #grants: LRUCache<string, Grant> = boundedCache(10_000);
  /**
   * The token last checked on each connection, with its checked claims; an entry goes with its
   * connection, or gives way to the next token checked on it. The one place a usable token is held
   * beyond its request: on a proxy's connection, the last caller's that the proxy sent on it.
   */
  readonly #lastOnConnection = new WeakMap<object, LastToken>();
  readonly #clock: Clock;

  constructor(
    private readonly deps: AccessTokenVerifierDependencies,
    private readonly options: AccessTokenVerifierOptions,
  ) {
    this.#clock = options.clock ?? systemClock;
    this.#checked = boundedCache(options.maxCachedTokens, undefined, this.#clock);
  }

  /**
   * Whether `token` has been verified before and its checked claims are still held (on
   * `connection`, or in the cache), so `verify` will not check its signature again. For tracing
   * (cache hit or miss): never on a call's way.
   */
  holds(token: string, connection?: object): boolean {
    return this.#found(token, this.#lastOn(connection)) !== undefined;
  }

  #lastOn(connection: object | undefined): LastToken | undefined {
    return connection === undefined ? undefined : this.#lastOnConnection.get(connection);
  }

  /**
   * The checked claims of `token`, if held: as its connection's last token, else in the cache. A
   * signature is valid for one signed part: a token that borrows a remembered one is not it.
   */
  #found(token: string, last: LastToken | undefined): CheckedClaims | undefined {
    if (last !== undefined && isLastToken(last, token)) return last.claims;
    const claims = this.#checked.get(rememberedAs(token));
    return claims !== undefined && claims.signed === signedPart(token) ? claims : undefined;
  }

  /**
   * The verdict on `token` now. `connection`, where given, is the one the token came over (the
   * caller's socket): a client sends one token on its connection call after call, and the token
   * last checked on a connection is compared there (`isLastToken`), which costs a fraction of its
   * digest (ADR 0014). Only steps 1–2 are remembered either way.
   */
  async verify(token: string, nowMs = this.#clock.now(), connection?: object): Promise<TokenVerdict> {
    const last = this.#lastOn(connection);
    let claims = this.#found(token, last);
    const seenBefore = claims !== undefined;
    if (claims === undefined) {
      const checked = await this.#checkSignatureAndClaims(token, nowMs);
      if (typeof checked === 'string') return refused(checked);
      claims = checked;
      const admittedForMs = this.#admittedUntilMs(claims) - nowMs;
      if (admittedForMs > 0) this.#checked.set(rememberedAs(token), claims, { ttl: admittedForMs });
    } else if (!this.deps.keys.holds(claims.grant.kid) && !(await this.deps.keys.key(claims.grant.kid))) {
      // Its key has left the issuer's key set since: the token goes with it.
      this.#checked.delete(rememberedAs(token));
      if (connection !== undefined) this.#lastOnConnection.delete(connection);
      return refused('unknown_key');
    }
    if (connection !== undefined && last?.claims !== claims) {
      this.#lastOnConnection.set(connection, { signature: Buffer.from(signaturePart(token)), claims });
    }
    const untimely = this.#untimely(claims, nowMs);
    if (untimely !== undefined) return refused(untimely);
    if (this.deps.revocations.has(claims.jti)) return refused('revoked');
    // From memory when it is there, as it is for a credential in use: no wait on the hot path.
    const held = this.deps.credentials.peek?.(claims.grant.clientId);
    const credential = held ? held.value : await this.deps.credentials.get(claims.grant.clientId);
    return this.#withCredential(claims, credential, nowMs, seenBefore);
  }

  #withCredential(
    claims: CheckedClaims,
    credential: CredentialStatus | undefined,
    nowMs: number,
    seenBefore: boolean,
  ): TokenVerdict {
    const { grant } = claims;
    if (!credential || credential.accountId !== grant.accountId) return refused('credential_gone');
    if (credential.disabled) return refused('credential_disabled');
    if (isCredentialExpired(credential, nowMs)) return refused('credential_expired');
    if (claims.issuedAt < firstAdmittedIssuedAt(credential)) return refused('revoked');
    // A bearer token issued before its credential came to require DPoP goes with that change.
    if (credential.requireDpop && claims.jkt === undefined) return refused('dpop_required');
    // The record is replaced whenever the store changes it, so the same record means the same answer.
    if (claims.last?.credential === credential) return claims.last.verdict;
    const scopes = grant.scopes.every((s) => credential.scopes.includes(s))
      ? grant.scopes
      : grant.scopes.filter((s) => credential.scopes.includes(s));
    if (scopes.length === 0) return refused('scope_removed');
    const { clientId, accountId, subject } = grant;
    const { jti, issuedAt, expiresAt, jkt, x5t, resource } = claims;
    const verdict: TokenVerdict = {
      admitted: true,
      token: {
        jti,
        credentialId: credential.id,
        clientId,
        accountId,
        subject,
        scopes,
        issuedAt,
        expiresAt,
        jkt,
        x5t,
        resource,
        allowedCidrs: credential.allowedCidrs,
        metadata: claims.metadata,
        callLimit: credential.callLimit,
      },
    };
    // Kept for a token in use only: one seen once (a flood of fresh tokens) would hold it for nothing.
    if (seenBefore) claims.last = { credential, verdict };
    return verdict;
  }

  /**
   * Steps 1–3 alone: a token this issuer signed for this region that the gateway still takes on
   * its times, whatever its credential's state now. What revocation needs: a token refused today
   * for its credential (disabled, a scope removed) is admitted again when that is undone, so its
   * holder must still be able to revoke it.
   */
  async checkIssued(token: string, nowMs = this.#clock.now()): Promise<IssuedToken | TokenRefusal> {
    const claims = await this.#checkSignatureAndClaims(token, nowMs);
    if (typeof claims === 'string') return claims;
    const untimely = this.#untimely(claims, nowMs);
    if (untimely !== undefined) return untimely;
    return {
      jti: claims.jti,
      clientId: claims.grant.clientId,
      issuedAt: claims.issuedAt,
      admittedUntilMs: this.#admittedUntilMs(claims),
    };
  }

  /** Until when a token is taken: `exp` plus the leeway, in epoch milliseconds. */
  #admittedUntilMs(claims: CheckedClaims): number {
    return (claims.expiresAt + this.options.leewaySeconds) * 1000;
  }

  /** Step 3's times, with one leeway: past `exp`, or issued in the future. */
  #untimely(claims: CheckedClaims, nowMs: number): 'expired' | 'issued_in_future' | undefined {
    if (this.#admittedUntilMs(claims) <= nowMs) return 'expired';
    if (claims.issuedAt - this.options.leewaySeconds > nowMs / 1000) return 'issued_in_future';
    return undefined;
  }

  /** Steps 1 and 2, and the claims the later steps need present and of the right type. */
  async #checkSignatureAndClaims(token: string, nowMs: number): Promise<CheckedClaims | TokenRefusal> {
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      ({ header, payload } = await verifyCompactJws(
        token,
        (h) => this.deps.keys.key(typeof h.kid === 'string' ? h.kid : undefined),
        TOKEN_SIGNING_ALGORITHMS,
      ));
    } catch (error) {
      if (!(error instanceof JwsRefused)) throw error;
      return error.reason === 'unknown_key' || error.reason === 'malformed' ? error.reason : 'signature';
    }
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
    if (typ !== 'at+jwt' && typ !== 'application/at+jwt') return 'type';
    const { iss, aud, exp, nbf, iat, jti, sub, client_id: clientId, account_id: accountId, scope } = payload;
    if (!isTime(exp) || !isTime(iat) || (nbf !== undefined && !isTime(nbf))) return 'malformed';
    if (iss !== this.options.issuer) return 'issuer';
    const audiences = Array.isArray(aud) ? aud : [aud];
    let resource: string | undefined;
    if (!audiences.includes(this.options.audience)) {
      // Exactly one of the APIs' own audiences: a token for two APIs is for neither.
      const named = this.options.resources?.filter((r) => audiences.includes(r)) ?? [];
      if (named.length !== 1) return 'audience';
      resource = named[0];
    }
    if (payload.region !== this.options.region) return 'region';
    if (typeof nbf === 'number' && nbf - this.options.leewaySeconds > nowMs / 1000) {
      return 'not_yet_valid';
    }
    if (
      typeof jti !== 'string' ||
      typeof clientId !== 'string' ||
      typeof accountId !== 'string' ||
      typeof scope !== 'string'
    ) {
      return 'malformed';
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const subject = typeof sub === 'string' ? sub : clientId;
    const grantKey = JSON.stringify([kid ?? null, clientId, accountId, subject, scope]);
    let grant = this.#grants.get(grantKey);
    if (!grant) {
      grant = { kid, clientId, accountId, subject, scopes: Object.freeze(scope.split(' ').filter(Boolean)) };
      this.#grants.set(grantKey, grant);
    }
    const { cnf } = payload as { cnf?: { jkt?: unknown; 'x5t#S256'?: unknown } };
    if (!isConfirmation(cnf)) {
      return 'malformed';
    }
    const metadata = payload[METADATA_CLAIM] ?? NO_METADATA;
    if (
      typeof metadata !== 'object' ||
      metadata === null ||
      Object.values(metadata).some((v) => typeof v !== 'string')
    ) {
      return 'malformed';
    }
    return {
      signed: signedPart(token),
      grant,
      jti,
      issuedAt: iat,
      expiresAt: exp,
      jkt: cnf?.jkt,
      x5t: cnf?.['x5t#S256'],
      resource,
      metadata: metadata as Record<string, string>,
    };
  }

  /**
   * Forgets the checked tokens that have expired since (each is refused as expired anyway, and
   * would otherwise wait for the size bound to push it out). Called every minute.
   */
  forgetExpired(): void {
    this.#checked.purgeStale();
  }

  /** How many checked tokens are remembered. */
  get cachedTokens(): number {
    return this.#checked.size;
  }
}

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

function refused(reason: TokenRefusal): TokenVerdict {
  return { admitted: false, reason };
}

/** RFC 7800 `cnf`: absent, or naming a DPoP key (`jkt`), a certificate (`x5t#S256`) or both, as strings. */
function isConfirmation(cnf: unknown): cnf is { jkt?: string; 'x5t#S256'?: string } | undefined {
  if (cnf === undefined) return true;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return false;
  const { jkt, 'x5t#S256': x5t } = cnf as Record<string, unknown>;
  if (jkt === undefined && x5t === undefined) return false;
  return (jkt === undefined || typeof jkt === 'string') && (x5t === undefined || typeof x5t === 'string');
}

/** A NumericDate (RFC 7519 §2): a finite number — `1e400` parses as Infinity and would never expire. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The verified-token cache's key: the SHA-256 of the token's signature, not of the whole token.
 * The 86 characters of an ES256 signature, instead of a 580-character token, cost 8.6 k
 * instructions instead of 21.1 k (bench/instructions/functions.ts); the signed part, compared in
 * full, keeps the key to exactly one token.
 */
function rememberedAs(token: string): string {
  return hash('sha256', signaturePart(token), 'binary');
}

/** The token last checked on a connection: its signature, and its claims with its signed part. */
interface LastToken {
  readonly signature: Buffer;
  readonly claims: CheckedClaims;
}

/**
 * Whether `token` is the one last checked on a connection: its signature in constant time, since
 * the connection may be a proxy's, shared by many callers, and only then its signed part as text,
 * so that no caller learns another's claims from the time a comparison takes.
 */
function isLastToken(last: LastToken, token: string): boolean {
  return constantTimeEqual(signaturePart(token), last.signature) && signedPart(token) === last.claims.signed;
}

function signaturePart(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}

/** The token's header and claims: what its signature signs. */
function signedPart(token: string): string {
  return token.slice(0, Math.max(0, token.lastIndexOf('.')));
}
