import type { KeyObject } from 'node:crypto';
import { publicKeyFromJwk } from './compact-jws.js';
import { clientKeyFromJwk } from './jwk.js';

/**
 * What a region may sign its access tokens with (`tokenSigningAlgorithm`): ES256, the fastest to
 * sign, or RS256 for verifiers that take RSA only (go-oidc's default verifier, AWS API Gateway's JWT
 * authorizer). Verification takes both, so tokens of a region that changed its choice keep
 * verifying until they expire.
 */
export const TOKEN_SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type TokenSigningAlgorithm = (typeof TOKEN_SIGNING_ALGORITHMS)[number];

/** RSA signing keys Keygate makes: RFC 7518 §3.3's minimum, the cheapest to sign with. */
export const RSA_SIGNING_KEY_BITS = 2048;

/**
 * The public key of a published token signing key, from its JWK, for verifyCompactJws: EC P-256
 * for `alg` ES256, RSA of 2048 to 4096 bits with exponent 65537 for RS256. Undefined for any other
 * `alg`, a key of another kind than its `alg` needs, or a private key.
 */
export function tokenVerificationKey(jwk: Readonly<Record<string, unknown>>): KeyObject | undefined {
  switch (jwk.alg) {
    case 'ES256':
      return publicKeyFromJwk(jwk);
    case 'RS256': {
      if (jwk.kty !== 'RSA') return undefined;
      const key = clientKeyFromJwk(jwk);
      return key?.asymmetricKeyType === 'rsa' ? key : undefined;
    }
    default:
      return undefined;
  }
}
