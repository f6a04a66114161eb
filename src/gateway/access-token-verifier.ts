import { type CryptoKey, errors as joseErrors, jwtVerify } from 'jose';
import { isCredentialExpired } from '../core/model.js';
import type { CredentialCache } from '../token-service/credential-cache.js';
import { accessTokenInvalid, GatewayError } from './gateway-error.js';
import type { RevocationList } from './revocation-list.js';

/** Where verification keys come from: the JWKS cache in the gateway, the store in the CLI. */
export interface VerificationKeySource {
  key(kid: string | undefined): Promise<CryptoKey | undefined>;
}

export interface VerifiedAccessToken {
  jti: string;
  /** The credential's internal id (usage is counted per credential). */
  credentialId: string;
  clientId: string;
  accountId: string;
  scopes: string[];
  /** Expiry, epoch seconds. */
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
 * the result is remembered until the token expires, so a reused token costs a map lookup; the
 * revocation list and the credential's state are checked on every call.
 */
export class AccessTokenVerifier {
  readonly #verified = new Map<string, Omit<VerifiedAccessToken, 'credentialId'>>();

  constructor(
    private readonly keys: VerificationKeySource,
    private readonly revocations: RevocationList,
    private readonly credentials: CredentialCache,
    private readonly options: AccessTokenVerifierOptions,
  ) {}

  /** The verified token, or a 401 invalid_token (503 when the store cannot say). */
  async verify(token: string): Promise<VerifiedAccessToken> {
    try {
      return await this.check(token);
    } catch (error) {
      if (error instanceof TokenRefused) throw accessTokenInvalid();
      throw error;
    }
  }

  /** Like verify, but says why a token is refused (TokenRefused.reason). */
  async check(token: string): Promise<VerifiedAccessToken> {
    const now = Date.now() / 1000;
    let verified = this.#verified.get(token);
    if (verified === undefined) {
      verified = await this.#verifySignatureAndClaims(token);
      this.#remember(token, verified);
    }
    if (verified.exp + this.options.leewaySeconds <= now) {
      this.#verified.delete(token);
      throw new TokenRefused('expired');
    }
    if (this.revocations.has(verified.jti)) throw new TokenRefused('revoked');
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
    if (!found || found.credential.accountId !== verified.accountId)
      throw new TokenRefused('credential_gone');
    if (found.credential.disabled || isCredentialExpired(found.credential, new Date())) {
      throw new TokenRefused('credential_disabled');
    }
    return { ...verified, credentialId: found.credential.id };
  }

  async #verifySignatureAndClaims(token: string): Promise<Omit<VerifiedAccessToken, 'credentialId'>> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header) => {
          const key = await this.keys.key(header.kid);
          if (!key) throw new TokenRefused('unknown_key');
          return key;
        },
        {
          issuer: this.options.issuer,
          audience: this.options.audience,
          typ: 'at+jwt',
          algorithms: ['ES256'],
          clockTolerance: this.options.leewaySeconds,
          requiredClaims: ['exp', 'iat', 'jti', 'client_id', 'scope'],
        },
      ));
    } catch (error) {
      throw new TokenRefused(reasonOf(error));
    }
    if (payload.region !== this.options.region) throw new TokenRefused('region');
    const { jti, client_id: clientId, account_id: accountId, scope, exp } = payload;
    if (typeof jti !== 'string' || typeof clientId !== 'string' || typeof accountId !== 'string') {
      throw new TokenRefused('malformed');
    }
    if (typeof scope !== 'string' || typeof exp !== 'number') throw new TokenRefused('malformed');
    return { jti, clientId, accountId, scopes: scope.split(' ').filter(Boolean), exp };
  }

  #remember(token: string, verified: Omit<VerifiedAccessToken, 'credentialId'>): void {
    this.#verified.set(token, verified);
    if (this.#verified.size > this.options.maxCachedTokens) {
      this.#verified.delete(this.#verified.keys().next().value as string);
    }
  }
}

function reasonOf(error: unknown): RefusalReason {
  if (error instanceof TokenRefused) return error.reason;
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'issuer';
    if (error.claim === 'aud') return 'audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not_yet_valid';
    if (error.claim === 'typ') return 'type';
    return 'malformed';
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'signature';
  return 'malformed';
}
