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

/**
 * A client's public key from its JWK, of a kind Keygate verifies: EC P-256, RSA of 2048 bits or
 * more, Ed25519. Undefined for anything else, a private key (`d`) included.
 */
export function clientKeyFromJwk(jwk: Readonly<Record<string, unknown>>): KeyObject | undefined {
  if ('d' in jwk || jwkThumbprint(jwk) === undefined) return undefined;
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
  if (key.asymmetricKeyType === 'rsa') return (details.modulusLength ?? 0) >= 2048 ? key : undefined;
  return key.asymmetricKeyType === 'ed25519' ? key : undefined;
}
