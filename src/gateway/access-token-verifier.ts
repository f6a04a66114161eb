import { hash, type KeyObject } from 'node:crypto';
import { Interner } from '../core/interner.js';
import type { MaybeAsync } from '../core/maybe-async.js';
import { isCredentialExpired } from '../core/model.js';
import { JwsRefused, verifyCompactJws } from '../crypto/compact-jws.js';
import type { CredentialWithSecrets } from '../store/store.js';
import type { CredentialCache } from '../token-service/credential-cache.js';
import { accessTokenInvalid, GatewayError } from './gateway-error.js';
import type { RevocationList } from './revocation-list.js';
import { VerifiedTokenTable } from './verified-token-table.js';

/** Where verification keys come from: the JWKS cache in the gateway, the store in the CLI. */
export interface VerificationKeySource {
  key(kid: string | undefined): Promise<KeyObject | undefined>;
  /** Whether `kid` is held right now, without fetching; sources that cannot tell omit it. */
  holds?(kid: string | undefined): boolean;
}

/** Who a verified token speaks for: what the gateway checks and forwards on each call. */
export interface AdmittedCaller {
  /** The credential's internal id (usage is counted per credential). */
  credentialId: string;
  clientId: string;
  accountId: string;
  scopes: readonly string[];
}

/** All the gateway knows of a verified token, as `keygate explain` reports it. */
export interface VerifiedAccessToken extends AdmittedCaller {
  jti: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/**
 * What many tokens have in common: the same key, client, account and scope claim. One copy is
 * shared by all the remembered tokens that carry it, with the answer last given for it, reused
 * while its credential stands (no new object per request).
 */
interface Grant {
  readonly kid: string | undefined;
  readonly clientId: string;
  readonly accountId: string;
  readonly scopes: readonly string[];
  admitted: AdmittedCaller | undefined;
}

/** A token whose signature and claims were checked. */
interface VerifiedClaims {
  grant: Grant;
  jti: string;
  exp: number;
}

export interface AccessTokenVerifierOptions {
  issuer: string;
  audience: string;
  region: string;
  leewaySeconds: number;
  /** Most verified tokens remembered; the oldest go first. */
  maxCachedTokens: number;
}

/** Why a token was refused, for logs and `keygate explain`; the caller only ever sees invalid_token. */
export type RefusalReason =
  | 'malformed'
  | 'signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'type'
  | 'region'
  | 'revoked'
  | 'credential_gone'
  | 'credential_disabled';

export class TokenRefused extends Error {
  constructor(readonly reason: RefusalReason) {
    super(reason);
    this.name = 'TokenRefused';
  }
}

/**
 * Validates bearer tokens for the gateway. A token's signature and claims are checked once, then
 * the result is remembered until the token expires, so a reused token costs a table lookup; the
 * revocation list and the credential's state are checked on every call.
 */
export class AccessTokenVerifier {
  /**
   * Verified tokens, keyed by the token's SHA-256, not the token: a heap snapshot of the gateway
   * holds no usable bearer token. Typed arrays, not a Map: see verified-token-table.ts.
   */
  readonly #tokens: VerifiedTokenTable<Grant>;
  /** Grants by key, client, account and scope claim (one copy each, not one per token). */
  readonly #grants = new Interner<Grant>(10_000);
  /** Scope lists by their `scope` claim, shared among grants the same way. */
  readonly #scopeLists = new Interner<readonly string[]>(10_000);

  constructor(
    private readonly keys: VerificationKeySource,
    private readonly revocations: RevocationList,
    private readonly credentials: CredentialCache,
    private readonly options: AccessTokenVerifierOptions,
  ) {
    this.#tokens = new VerifiedTokenTable(options.maxCachedTokens);
  }

  /**
   * The caller the token speaks for, or a 401 invalid_token (503 when the store cannot say).
   * Answered synchronously when the token, its key and its credential are all held in memory, as
   * they are for a token in use; a promise otherwise.
   */
  verify(token: string): MaybeAsync<AdmittedCaller> {
    try {
      const digest = digestOf(token);
      return this.#fromMemory(digest) ?? this.#check(token, digest).catch(refusedAsInvalidToken);
    } catch (error) {
      return refusedAsInvalidToken(error);
    }
  }

  /** Like verify, but says why a token is refused (TokenRefused.reason), and tells all it knows. */
  check(token: string): Promise<VerifiedAccessToken> {
    return this.#check(token, digestOf(token));
  }

  /** The path that may wait: a first sight (signature), a key or a credential not held in memory. */
  async #check(token: string, digest: string): Promise<VerifiedAccessToken> {
    const slot = this.#tokens.find(digest);
    let verified: VerifiedClaims;
    if (slot < 0) {
      verified = await this.#verifySignatureAndClaims(token);
      this.#tokens.add(digest, verified.jti, verified.exp, verified.grant);
      this.#tokens.forgetExpired(this.#expiredUpTo());
    } else {
      // Read before waiting: a slot may hold another token once the table has changed.
      verified = {
        grant: this.#tokens.grant(slot),
        jti: this.#tokens.jti(slot),
        exp: this.#tokens.expiry(slot),
      };
      if (!(await this.keys.key(verified.grant.kid))) {
        // Its key has left the key set since: the token goes with it.
        this.#forget(digest);
        throw new TokenRefused('unknown_key');
      }
    }
    if (this.#pastExpiry(verified.exp)) {
      this.#forget(digest);
      throw new TokenRefused('expired');
    }
    if (this.revocations.has(verified.jti)) throw new TokenRefused('revoked');
    let found: Awaited<ReturnType<CredentialCache['get']>>;
    try {
      found = await this.credentials.get(verified.grant.clientId);
    } catch {
      throw new GatewayError(
        'temporarily_unavailable',
        503,
        'The credential store is unavailable; retry shortly',
      );
    }
    return { ...this.#withCredential(verified.grant, found), jti: verified.jti, exp: verified.exp };
  }

  /**
   * The gateway's hot path: a token verified before, whose key and credential are both held in
   * memory, is answered without waiting on anything (no promise, no store) and without allocating.
   * Undefined when any of the three is not at hand; refusals throw as in check().
   */
  #fromMemory(digest: string): AdmittedCaller | undefined {
    const tokens = this.#tokens;
    const slot = tokens.find(digest);
    if (slot < 0) return undefined;
    const grant = tokens.grant(slot);
    if (this.keys.holds?.(grant.kid) !== true) return undefined;
    const held = this.credentials.peek(grant.clientId);
    if (held === undefined) return undefined;
    if (this.#pastExpiry(tokens.expiry(slot))) {
      tokens.delete(slot);
      throw new TokenRefused('expired');
    }
    const revocations = this.revocations.version;
    if (tokens.revocationsSeen(slot) !== revocations) {
      if (this.revocations.has(tokens.jti(slot))) throw new TokenRefused('revoked');
      tokens.setRevocationsSeen(slot, revocations);
    }
    return this.#withCredential(grant, held.value);
  }

  #forget(digest: string): void {
    const slot = this.#tokens.find(digest);
    if (slot >= 0) this.#tokens.delete(slot);
  }

  /** The credential behind a token must still exist, in the same account, enabled and unexpired. */
  #withCredential(grant: Grant, found: CredentialWithSecrets | undefined): AdmittedCaller {
    if (!found || found.credential.accountId !== grant.accountId) throw new TokenRefused('credential_gone');
    const { credential } = found;
    if (credential.disabled || isCredentialExpired(credential, Date.now())) {
      throw new TokenRefused('credential_disabled');
    }
    // Made once per grant and credential: an object per request outlived V8's young generation
    // often enough to be most of what the gateway promoted to the old one.
    let admitted = grant.admitted;
    if (admitted?.credentialId !== credential.id) {
      const { clientId, accountId, scopes } = grant;
      admitted = Object.freeze({ credentialId: credential.id, clientId, accountId, scopes });
      grant.admitted = admitted;
    }
    return admitted;
  }

  /**
   * The signature (crypto/compact-jws.ts, ES256 only), then the claims as RFC 9068 and RFC 7519
   * want them: `typ` at+jwt, our issuer, our audience, `exp` and `nbf` with the configured leeway,
   * and the claims the gateway relies on present and of the right type.
   */
  async #verifySignatureAndClaims(token: string): Promise<VerifiedClaims> {
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      ({ header, payload } = await verifyCompactJws(token, (h) =>
        this.keys.key(typeof h.kid === 'string' ? h.kid : undefined),
      ));
    } catch (error) {
      if (error instanceof JwsRefused) {
        throw new TokenRefused(
          error.reason === 'unknown_key'
            ? 'unknown_key'
            : error.reason === 'malformed'
              ? 'malformed'
              : 'signature',
        );
      }
      throw error;
    }
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
    if (typ !== 'at+jwt' && typ !== 'application/at+jwt') throw new TokenRefused('type');
    const { iss, aud, exp, nbf, iat, jti, client_id: clientId, account_id: accountId, scope } = payload;
    if (!isTime(exp) || !isTime(iat)) throw new TokenRefused('malformed');
    if (nbf !== undefined && !isTime(nbf)) throw new TokenRefused('malformed');
    if (iss !== this.options.issuer) throw new TokenRefused('issuer');
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(this.options.audience)) throw new TokenRefused('audience');
    const now = Date.now() / 1000;
    if (this.#pastExpiry(exp, now)) throw new TokenRefused('expired');
    if (typeof nbf === 'number' && nbf > now + this.options.leewaySeconds) {
      throw new TokenRefused('not_yet_valid');
    }
    if (payload.region !== this.options.region) throw new TokenRefused('region');
    if (typeof jti !== 'string' || typeof clientId !== 'string' || typeof accountId !== 'string') {
      throw new TokenRefused('malformed');
    }
    if (typeof scope !== 'string') throw new TokenRefused('malformed');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const grant = this.#grants.intern(JSON.stringify([kid ?? null, clientId, accountId, scope]), () => ({
      kid,
      clientId,
      accountId,
      scopes: this.#scopeLists.intern(scope, (s) => Object.freeze(s.split(' ').filter(Boolean))),
      admitted: undefined,
    }));
    return { grant, jti, exp };
  }

  /** Whether a token that expires at `exp` (epoch seconds) is past it by more than the clock leeway. */
  #pastExpiry(exp: number, nowSeconds = Date.now() / 1000): boolean {
    return exp <= this.#expiredUpTo(nowSeconds);
  }

  /** The latest `exp` (epoch seconds) that is past, the clock leeway allowed for. */
  #expiredUpTo(nowSeconds = Date.now() / 1000): number {
    return nowSeconds - this.options.leewaySeconds;
  }

  /** How many verified tokens are remembered. */
  get cachedTokens(): number {
    return this.#tokens.size;
  }
}

/**
 * As a 'binary' (latin1) string, one character a byte: half the time of a Buffer, and no ArrayBuffer per
 * request for V8 to track as external memory.
 */
function digestOf(token: string): string {
  return hash('sha256', token, 'binary');
}

/** The caller only ever learns invalid_token; the reason stays for logs and `keygate explain`. */
function refusedAsInvalidToken(error: unknown): never {
  if (error instanceof TokenRefused) throw accessTokenInvalid();
  throw error;
}

/** A NumericDate (RFC 7519 §2): a finite number — `1e400` parses as Infinity and would never expire. */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
