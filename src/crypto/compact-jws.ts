import { constants, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * JWS compact serialisation (RFC 7515 §7.1), signed (ES256 or RS256) and verified synchronously by
 * node:crypto. Written by hand because signing is the token endpoint's hot path and verifying the
 * gateway's, for tokens it has not seen and for DPoP proofs; ADRs 0001, 0003 and 0006 hold the
 * measurements against jose. Each caller names the algorithms it takes (access tokens: ES256 and
 * RS256), and a key must be of the kind its algorithm needs, so there is none to confuse.
 */
export function signCompactJws(
  header: Readonly<Record<string, unknown>>,
  payload: object,
  privateKey: KeyObject,
): string {
  const kind = SIGNING_KEY_KIND[String(header.alg)];
  if (kind === undefined) throw new TypeError(`unsupported JWS algorithm ${String(header.alg)}`);
  if (privateKey.asymmetricKeyType !== kind) {
    throw new TypeError(`a ${String(header.alg)} signature needs an ${kind} key`);
  }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  // ES256 signatures are the raw r||s pair (RFC 7518 §3.4), not DER; RS256 is RSASSA-PKCS1-v1_5
  // (§3.3), node:crypto's padding for an RSA key.
  const signature = sign(
    'sha256',
    Buffer.from(signingInput),
    kind === 'ec' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey,
  );
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** The algorithms Keygate signs with, and the kind of key each needs. */
const SIGNING_KEY_KIND: Readonly<Record<string, 'ec' | 'rsa'>> = { ES256: 'ec', RS256: 'rsa' };

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

export type JwsRefusal = 'malformed' | 'algorithm' | 'unknown_key' | 'signature';

export class JwsRefused extends Error {
  constructor(readonly reason: JwsRefusal) {
    super(`JWS refused: ${reason}`);
    this.name = 'JwsRefused';
  }
}

const PART = /^[A-Za-z0-9_-]+$/;

/** The algorithms Keygate verifies: its own tokens (ES256) and its clients' keys (RFC 7523, 9449). */
export type JwsAlgorithm = 'ES256' | 'RS256' | 'PS256' | 'EdDSA' | 'Ed25519';

/** ES256 signatures are r||s, 32 bytes each; Ed25519 ones 64 bytes; RSA ones the modulus' length. */
const FIXED_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64, EdDSA: 64, Ed25519: 64 };

/**
 * Verifies a compact JWS signed with one of `algorithms` (ES256 unless named) and returns its
 * protected header and JSON payload. Refuses (JwsRefused) anything else: not three base64url parts,
 * a header or payload that is not a JSON object, another `alg`, a `crit` header (no extension is
 * understood), a key the resolver does not know or of another kind than the `alg` needs, a
 * signature of the wrong length, in a non-canonical spelling, or that does not verify.
 */
export async function verifyCompactJws(
  token: string,
  keyFor: (header: Readonly<Record<string, unknown>>) => Promise<KeyObject | undefined>,
  algorithms: readonly JwsAlgorithm[] = ['ES256'],
): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => PART.test(part))) throw new JwsRefused('malformed');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = jsonObject(encodedHeader);
  const alg = header.alg as JwsAlgorithm;
  if (typeof alg !== 'string' || !algorithms.includes(alg)) throw new JwsRefused('algorithm');
  if ('crit' in header) throw new JwsRefused('malformed');
  // Checked before any key lookup, so garbage never makes the gateway refetch its JWKS; and only the
  // canonical encoding, so one signature has one spelling.
  const signature = Buffer.from(encodedSignature, 'base64url');
  const fixedLength = FIXED_SIGNATURE_BYTES[alg];
  if (
    signature.toString('base64url') !== encodedSignature ||
    (fixedLength !== undefined && signature.length !== fixedLength)
  ) {
    throw new JwsRefused('signature');
  }
  const key = await keyFor(header);
  if (!key) throw new JwsRefused('unknown_key');
  if (!keyFits(key, alg, signature.length)) throw new JwsRefused('signature');
  if (!verifySignature(alg, Buffer.from(`${encodedHeader}.${encodedPayload}`), key, signature)) {
    throw new JwsRefused('signature');
  }
  return { header, payload: jsonObject(encodedPayload) };
}

/** A key of the kind `alg` needs; for RSA, with a modulus as long as the signature. */
function keyFits(key: KeyObject, alg: JwsAlgorithm, signatureBytes: number): boolean {
  const details = key.asymmetricKeyDetails ?? {};
  switch (alg) {
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1';
    // RFC 9864 §2: `Ed25519` is the fully specified name of what `EdDSA` means with an Ed25519 key.
    case 'EdDSA':
    case 'Ed25519':
      return key.asymmetricKeyType === 'ed25519';
    default:
      return (
        key.asymmetricKeyType === 'rsa' && Math.ceil((details.modulusLength ?? 0) / 8) === signatureBytes
      );
  }
}

function verifySignature(alg: JwsAlgorithm, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  switch (alg) {
    case 'ES256':
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'RS256':
      return verify('sha256', data, key, signature);
    case 'PS256':
      // RFC 7518 §3.5: MGF1 with SHA-256 and a salt as long as the hash.
      return verify(
        'sha256',
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        signature,
      );
    case 'EdDSA':
    case 'Ed25519':
      return verify(null, data, key, signature);
  }
}

/** A public EC P-256 key from its JWK, for verifyCompactJws; undefined for any other kind of key. */
export function publicKeyFromJwk(jwk: Readonly<Record<string, unknown>>): KeyObject | undefined {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk) return undefined;
  // Coordinates of P-256 are 32 bytes: 43 base64url characters, nothing else.
  if (![jwk.x, jwk.y].every((c) => typeof c === 'string' && /^[A-Za-z0-9_-]{43}$/.test(c))) return undefined;
  try {
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as never, format: 'jwk' });
  } catch {
    return undefined;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function jsonObject(encoded: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(Buffer.from(encoded, 'base64url')));
  } catch {
    throw new JwsRefused('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsRefused('malformed');
  return value as Record<string, unknown>;
}
