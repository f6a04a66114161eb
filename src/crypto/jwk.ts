import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** The members of a public JWK that make its RFC 7638 thumbprint, per key type, in their order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 thumbprint of a public JWK: base64url(SHA-256) of its required members as JSON, in
 * lexicographic order, without whitespace. Undefined for a key type without one or a member that
 * is not a string.
 */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members?.every((name) => typeof jwk[name] === 'string')) return undefined;
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Private members of any JWK kind: a JWK holding one is a private key, refused wherever a public one is asked. */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * The RSA keys Keygate verifies with: 2048 to 4096 bits (longer ones cost a verifier many times
 * more, and a client picks its own key), with the public exponent 65537 (an exponent of 1 makes
 * any message its own signature).
 */
export function isAcceptableRsaKey(key: KeyObject): boolean {
  const { modulusLength = 0, publicExponent } = key.asymmetricKeyDetails ?? {};
  return modulusLength >= 2048 && modulusLength <= 4096 && publicExponent === 65537n;
}

/**
 * A client's public key from its JWK, of a kind Keygate verifies: EC P-256, RSA as
 * isAcceptableRsaKey says, Ed25519. Undefined for anything else, a private key included.
 */
export function clientKeyFromJwk(jwk: Readonly<Record<string, unknown>>): KeyObject | undefined {
  if (PRIVATE_MEMBERS.some((m) => m in jwk) || jwkThumbprint(jwk) === undefined) return undefined;
  const members = THUMBPRINT_MEMBERS[jwk.kty as string]!;
  let key: KeyObject;
  try {
    key = createPublicKey({
      key: Object.fromEntries(members.map((m) => [m, jwk[m]])) as never,
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return details.namedCurve === 'prime256v1' ? key : undefined;
  if (key.asymmetricKeyType === 'rsa') return isAcceptableRsaKey(key) ? key : undefined;
  return key.asymmetricKeyType === 'ed25519' ? key : undefined;
}
