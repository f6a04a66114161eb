import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/**
 * JWS compact serialisation (RFC 7515 §7.1) with ES256, signed and verified synchronously by
 * node:crypto. Written by hand because signing is the token endpoint's hot path and verifying the
 * gateway's, for tokens it has not seen; ADRs 0001 and 0003 hold the measurements against jose.
 * Only ES256 is accepted, so there is no algorithm to negotiate or confuse.
 */
export function signCompactJws(
  header: Readonly<Record<string, unknown>>,
  payload: object,
  privateKey: KeyObject,
): string {
  if (header.alg !== 'ES256') throw new TypeError(`unsupported JWS algorithm ${String(header.alg)}`);
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  // ES256 signatures are the raw r||s pair (RFC 7518 §3.4), not DER.
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

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
/** An ES256 signature is r||s, 32 bytes each. */
const ES256_SIGNATURE_BYTES = 64;

/**
 * Verifies a compact JWS signed with ES256 and returns its protected header and JSON payload. Refuses
 * (JwsRefused) anything else: not three base64url parts, a header or payload that is not a JSON
 * object, any `alg` but ES256, a `crit` header (no extension is understood), a key the resolver does
 * not know, a signature of the wrong length or that does not verify.
 */
export async function verifyCompactJws(
  token: string,
  keyFor: (header: Readonly<Record<string, unknown>>) => Promise<KeyObject | undefined>,
): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => PART.test(part))) throw new JwsRefused('malformed');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = jsonObject(encodedHeader);
  if (header.alg !== 'ES256') throw new JwsRefused('algorithm');
  if ('crit' in header) throw new JwsRefused('malformed');
  // Checked before any key lookup, so garbage never makes the gateway refetch its JWKS; and only the
  // canonical encoding, so one signature has one spelling.
  const signature = Buffer.from(encodedSignature, 'base64url');
  if (signature.length !== ES256_SIGNATURE_BYTES || signature.toString('base64url') !== encodedSignature) {
    throw new JwsRefused('signature');
  }
  const key = await keyFor(header);
  if (!key) throw new JwsRefused('unknown_key');
  const valid = verify(
    'sha256',
    Buffer.from(`${encodedHeader}.${encodedPayload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    signature,
  );
  if (!valid) throw new JwsRefused('signature');
  return { header, payload: jsonObject(encodedPayload) };
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
