import { createPublicKey, type JsonWebKey, type KeyObject, X509Certificate } from 'node:crypto';
import { certificateThumbprint } from '../crypto/client-certificate.js';
import { isAcceptableRsaKey, jwkThumbprint } from '../crypto/jwk.js';
import { DomainError } from './domain-error.js';

/**
 * The signature algorithms a client's key may sign assertions with (RFC 7523): `Ed25519` beside
 * `EdDSA`, as RFC 9864 names it and as openid-client 6 and oauth4webapi 3 sign by default.
 */
export const CLIENT_KEY_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'] as const;
export type ClientKeyAlgorithm = (typeof CLIENT_KEY_ALGORITHMS)[number];

export function isClientKeyAlgorithm(alg: unknown): alg is ClientKeyAlgorithm {
  return (CLIENT_KEY_ALGORITHMS as readonly unknown[]).includes(alg);
}

/**
 * Whether a key whose algorithms are `algorithms` (as stored with it) signs with `alg`. An Ed25519
 * key is stored with `EdDSA`, the name it had first; `Ed25519` is the same signature by the same
 * key (RFC 9864 §2), so the two are one here.
 */
export function keyTakesAlgorithm(algorithms: readonly string[], alg: string): boolean {
  return algorithms.includes(alg === 'Ed25519' ? 'EdDSA' : alg);
}

/** A client's public key as Keygate keeps it: the public JWK, its RFC 7638 thumbprint, its algorithms. */
export interface ClientPublicKey {
  jwk: JsonWebKey;
  thumbprint: string;
  algorithms: ClientKeyAlgorithm[];
}

/**
 * Reads a public key given as PEM (SPKI), as an X.509 certificate in PEM (its key, and its
 * `x5t#S256` thumbprint for self_signed_tls_client_auth, RFC 8705 §2.2), or as a JWK (JSON text or
 * object). Only public keys of a
 * kind Keygate verifies are taken: EC P-256 (ES256), RSA of 2048 bits or more (RS256, PS256),
 * Ed25519 (EdDSA, also taken as Ed25519). A private key is refused, so it is never stored by mistake.
 */
export async function readClientPublicKey(input: string | Record<string, unknown>): Promise<ClientPublicKey> {
  const certificate = typeof input === 'string' ? readCertificate(input) : undefined;
  const key = certificate ? certificate.publicKey : toKeyObject(input);
  if (key.type !== 'public') throw invalid('this is a private key; give its public key');
  const jwk = key.export({ format: 'jwk' });
  const algorithms = algorithmsOf(key);
  const publicJwk = Object.fromEntries(
    Object.entries(jwk).filter(([name]) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(name)),
  ) as JsonWebKey;
  const thumbprint = jwkThumbprint(publicJwk as Record<string, unknown>);
  if (thumbprint === undefined) throw invalid('the key must be EC P-256, RSA or Ed25519');
  if (certificate) (publicJwk as Record<string, unknown>)['x5t#S256'] = certificateThumbprint(certificate);
  else {
    // A JWK with a certificate's thumbprint is how Keygate shows (and `keygate export` writes) the
    // key of a certificate: kept, so that a copy binds the same certificate.
    const x5t = jwkMember(input, 'x5t#S256');
    if (typeof x5t === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x5t))
      (publicJwk as Record<string, unknown>)['x5t#S256'] = x5t;
  }
  return { jwk: publicJwk, thumbprint, algorithms };
}

function jwkMember(input: string | Record<string, unknown>, name: string): unknown {
  if (typeof input !== 'string') return input[name];
  try {
    return (JSON.parse(input) as Record<string, unknown>)[name];
  } catch {
    return undefined;
  }
}

function readCertificate(text: string): X509Certificate | undefined {
  if (!text.includes('BEGIN CERTIFICATE')) return undefined;
  try {
    return new X509Certificate(text.trim());
  } catch {
    throw invalid('not an X.509 certificate in PEM form');
  }
}

function toKeyObject(input: string | Record<string, unknown>): KeyObject {
  try {
    if (typeof input !== 'string') return fromJwk(input);
    const text = input.trim();
    if (text.startsWith('{')) return fromJwk(JSON.parse(text) as Record<string, unknown>);
    if (/PRIVATE KEY/.test(text)) throw invalid('this is a private key; give its public key');
    return createPublicKey({ key: text, format: 'pem' });
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw invalid('not a public key in PEM (SPKI) or JWK form');
  }
}

function fromJwk(jwk: Record<string, unknown>): KeyObject {
  if ('d' in jwk) throw invalid('this is a private key; give its public key');
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

function algorithmsOf(key: KeyObject): ClientKeyAlgorithm[] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details.namedCurve === 'prime256v1') return ['ES256'];
      throw invalid('an EC key must be on P-256 (ES256)');
    case 'rsa':
      if (!isAcceptableRsaKey(key)) {
        throw invalid('an RSA key must have 2048 to 4096 bits and the public exponent 65537');
      }
      return ['RS256', 'PS256'];
    case 'ed25519':
      return ['EdDSA'];
    default:
      throw invalid('the key must be EC P-256, RSA or Ed25519');
  }
}

function invalid(why: string): DomainError {
  return new DomainError('validation_failed', `publicKey: ${why}`, 'publicKey');
}

/** A list of public keys as the admin API and CLI give them (1 to 10, PEM text or JWK objects). */
export async function readClientPublicKeys(input: unknown): Promise<ClientPublicKey[]> {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || input.length > 10) {
    throw new DomainError('validation_failed', 'publicKeys must be a list of at most 10 keys', 'publicKeys');
  }
  const keys: ClientPublicKey[] = [];
  for (const key of input) {
    if (typeof key !== 'string' && (typeof key !== 'object' || key === null || Array.isArray(key))) {
      throw new DomainError('validation_failed', 'each public key is PEM text or a JWK object', 'publicKeys');
    }
    keys.push(await readClientPublicKey(key as string | Record<string, unknown>));
  }
  return keys;
}

/** A read key as the store keeps it. */
export function storedKey(key: ClientPublicKey) {
  return {
    thumbprint: key.thumbprint,
    jwk: key.jwk as Record<string, string>,
    algorithms: key.algorithms,
  };
}
