import { hash, type KeyObject } from 'node:crypto';
import { Interner } from '../core/interner.js';
import type { MaybeAsync } from '../core/maybe-async.js';
import { isCredentialExpired } from '../core/model.js';
import { JwsRefused, verifyCompactJws } from '../crypto/compact-jws.js';
import type { CredentialWithSecrets } from '../store/store.js';
import type { CredentialCache } from '../token-service/credential-cache.js';
import { accessTokenInvalid, GatewayError } from './gateway-error.js';
import type { RevocationList } from './revocation-list.js';

/** Where verification keys come from: the JWKS cache in the gateway, the store in the CLI. */
export interface VerificationKeySource {
  key(kid: string | undefined): Promise<KeyObject | undefined>;
  /** Whether `kid` is held right now, without fetching; sources that cannot tell omit it. */
  holds?(kid: string | undefined): boolean;
}

export interface VerifiedAccessToken {
  jti: string;
  /** The credential's internal id (usage is counted per credential). */
  credentialId: string;
  clientId: string;
  accountId: string;
  scopes: readonly string[];
  /** Expiry, epoch seconds. */
  exp: number;
}

/**
 * What a verified token says, the key that signed it (a token must not outlive its key), and the
 * answer last given for it, reused while its credential stands (no new object per request).
 */
type VerifiedClaims = Omit<VerifiedAccessToken, 'credentialId'> & {
  kid: string | undefined;
  admitted: VerifiedAccessToken | undefined;
};

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
 * the result is remembered until the token expires, so a reused token costs a map lookup; the
 * revocation list and the credential's state are checked on every call.
 */
export class AccessTokenVerifier {
  /**
   * Verified tokens with the key ID that signed them (a token must not outlive its key), keyed by
   * the token's SHA-256, not the token: a tenth of the memory per entry (a 700-byte JWT
   * against a 43-character digest), and a heap snapshot of the gateway holds no usable bearer token.
   */
  readonly #verified = new Map<string, VerifiedClaims>();
  /** Client, account and key IDs shared by the cached tokens (one copy each, not one per token). */
  readonly #ids = new Interner<string>(10_000);
  /** Scope lists by their `scope` claim, shared the same way. */
  readonly #scopeLists = new Interner<readonly string[]>(10_000);

  constructor(
    private readonly keys: VerificationKeySource,
    private readonly revocations: RevocationList,
    private readonly credentials: CredentialCache,
    private readonly options: AccessTokenVerifierOptions,
  ) {}

  /**
   * The verified token, or a 401 invalid_token (503 when the store cannot say). Answered
   * synchronously when the token, its key and its credential are all held in memory, as they are
   * for a token in use; a promise otherwise.
   */
  verify(token: string): MaybeAsync<VerifiedAccessToken> {
    try {
      const key = cacheKey(token);
      return this.#fromMemory(key) ?? this.#check(token, key).catch(refusedAsInvalidToken);
    } catch (error) {
      return refusedAsInvalidToken(error);
    }
  }

  /** Like verify, but says why a token is refused (TokenRefused.reason). */
  check(token: string): Promise<VerifiedAccessToken> {
    return this.#check(token, cacheKey(token));
  }

  /** The path that may wait: a first sight (signature), a key or a credential not held in memory. */
  async #check(token: string, key: string): Promise<VerifiedAccessToken> {
    let verified = this.#verified.get(key);
    if (verified === undefined) {
      verified = await this.#verifySignatureAndClaims(token);
      this.#remember(key, verified);
    } else if (!(await this.keys.key(verified.kid))) {
      // Its key has left the key set since: the token goes with it.
      this.#verified.delete(key);
      throw new TokenRefused('unknown_key');
    }
    this.#checkStillValid(key, verified);
    let found: Awaited<ReturnType<CredentialCache['get']>>;
    try {
      found = await this.credentials.get(verified.clientId);
    } catch {
      throw new GatewayError(
        'temporarily_unavailable',
        503,
        'The credential store is unavailable; retry shortly',
      );
    }
    return this.#withCredential(verified, found);
  }

  /**
   * The gateway's hot path: a token verified before, whose key and credential are both held in
   * memory, is answered without waiting on anything (no promise, no store). Undefined when any
   * of the three is not at hand; refusals throw as in check().
   */
  #fromMemory(key: string): VerifiedAccessToken | undefined {
    const verified = this.#verified.get(key);
    if (verified === undefined || this.keys.holds?.(verified.kid) !== true) return undefined;
    const held = this.credentials.peek(verified.clientId);
    if (held === undefined) return undefined;
    this.#checkStillValid(key, verified);
    return this.#withCredential(verified, held.value);
  }

  /** What can change after a token was verified: its expiry passing, and a revocation. */
  #checkStillValid(key: string, verified: VerifiedClaims): void {
    if (this.#pastExpiry(verified.exp)) {
      this.#verified.delete(key);
      throw new TokenRefused('expired');
    }
    if (this.revocations.has(verified.jti)) throw new TokenRefused('revoked');
  }

  /** The credential behind a token must still exist, in the same account, enabled and unexpired. */
  #withCredential(verified: VerifiedClaims, found: CredentialWithSecrets | undefined): VerifiedAccessToken {
    if (!found || found.credential.accountId !== verified.accountId)
      throw new TokenRefused('credential_gone');
    const { credential } = found;
    if (credential.disabled || isCredentialExpired(credential, Date.now())) {
      throw new TokenRefused('credential_disabled');
    }
    // Made once per token and credential: an object per request outlived V8's young generation
    // often enough to be most of what the gateway promoted to the old one.
    let admitted = verified.admitted;
    if (admitted?.credentialId !== credential.id) {
      const { jti, clientId, accountId, scopes, exp } = verified;
      admitted = Object.freeze({ jti, credentialId: credential.id, clientId, accountId, scopes, exp });
      verified.admitted = admitted;
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
    const kid = typeof header.kid === 'string' ? this.#ids.intern(header.kid, same) : undefined;
    return {
      jti,
      clientId: this.#ids.intern(clientId, same),
      accountId: this.#ids.intern(accountId, same),
      scopes: this.#scopeLists.intern(scope, (s) => Object.freeze(s.split(' ').filter(Boolean))),
      exp,
      kid,
      admitted: undefined,
    };
  }

  /**
   * Oldest first, entries go when past their expiry (they would be refused anyway) or over the cap,
   * so a gateway that runs for days holds the tokens in use, not the last 100,000 it ever saw.
   * Verification order is close to expiry order (one lifetime for all), so the walk stops at the
   * first live entry; one that expires out of order goes when it is next presented, or by the cap.
   */
  #remember(key: string, verified: VerifiedClaims): void {
    this.#verified.set(key, verified);
    const now = Date.now() / 1000;
    for (const [oldest, claims] of this.#verified) {
      if (this.#verified.size <= this.options.maxCachedTokens && !this.#pastExpiry(claims.exp, now)) break;
      this.#verified.delete(oldest);
    }
  }

  /** Whether a token that expires at `exp` (epoch seconds) is past it by more than the clock leeway. */
  #pastExpiry(exp: number, nowSeconds = Date.now() / 1000): boolean {
    return exp <= nowSeconds - this.options.leewaySeconds;
  }

  /** How many verified tokens are remembered. */
  get cachedTokens(): number {
    return this.#verified.size;
  }
}

const same = (id: string) => id;

function cacheKey(token: string): string {
  return hash('sha256', token, 'base64url');
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
