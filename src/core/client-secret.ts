import { createHmac, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { constantTimeEqual } from '../crypto/constant-time-equal.js';
import { BASE62_PATTERN, bytesToBigInt, decodeBase62, encodeBase62 } from './base62.js';

/**
 * Keygate's secrets: a prefix + 256 random bits in base62 (43 chars) + CRC32 of those chars (6
 * chars). The prefix lets secret scanners recognise a leaked Keygate secret (`kgs_` a client
 * secret, `kgp_` a personal admin API token); the checksum lets them, and Keygate, reject a
 * mistyped or made-up one without a store lookup.
 */
export const CLIENT_SECRET_PREFIX = 'kgs_';
export const API_TOKEN_PREFIX = 'kgp_';
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const shapeOf = (prefix: string) =>
  new RegExp(`^${prefix}(${BASE62_PATTERN}{${BODY_LENGTH}})(${BASE62_PATTERN}{${CHECKSUM_LENGTH}})$`);
const CLIENT_SECRET_SHAPE = shapeOf(CLIENT_SECRET_PREFIX);
const API_TOKEN_SHAPE = shapeOf(API_TOKEN_PREFIX);

function generatePrefixedSecret(prefix: string): string {
  const body = encodeBase62(bytesToBigInt(randomBytes(32)), BODY_LENGTH);
  return prefix + body + checksum(body);
}

function hasShapeAndChecksum(shape: RegExp, candidate: string): boolean {
  const match = shape.exec(candidate);
  return match !== null && decodeBase62(match[2]!) === crc32(match[1]!);
}

export function generateClientSecret(): string {
  return generatePrefixedSecret(CLIENT_SECRET_PREFIX);
}

/** True when `candidate` has the shape and checksum of a Keygate client secret. */
export function isWellFormedClientSecret(candidate: string): boolean {
  return hasShapeAndChecksum(CLIENT_SECRET_SHAPE, candidate);
}

export function generateApiToken(): string {
  return generatePrefixedSecret(API_TOKEN_PREFIX);
}

export function isWellFormedApiToken(candidate: string): boolean {
  return hasShapeAndChecksum(API_TOKEN_SHAPE, candidate);
}

function checksum(body: string): string {
  return encodeBase62(BigInt(crc32(body)), CHECKSUM_LENGTH);
}

/**
 * Secrets are machine-generated with 256 bits of entropy, so a keyed hash (HMAC-SHA-256 with a
 * server-side pepper) is enough: a slow password hash would only slow the token endpoint down.
 */
export class ClientSecretHasher {
  readonly #pepper: Buffer;

  constructor(pepper: Buffer) {
    if (pepper.length < 32) throw new TypeError('the client-secret pepper must be at least 32 bytes');
    this.#pepper = pepper;
  }

  hash(secret: string): Buffer {
    return createHmac('sha256', this.#pepper).update(secret).digest();
  }

  /** Constant-time comparison of a presented secret's hash against a stored one. */
  static matches(presentedHash: Buffer, storedHash: Buffer): boolean {
    return constantTimeEqual(presentedHash, storedHash);
  }
}
