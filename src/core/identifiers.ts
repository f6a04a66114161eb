import { randomBytes, randomUUID } from 'node:crypto';
import { bytesToBigInt, encodeBase62 } from './base62.js';

/** A client ID identifies a credential publicly (like a user name): 128 random bits, base62. */
export function generateClientId(): string {
  return encodeBase62(bytesToBigInt(randomBytes(16)), 22);
}

export const CLIENT_ID_PATTERN = /^[0-9A-Za-z]{22}$/;

/** Internal, stable identifiers of stored records. */
export function newId(): string {
  return randomUUID();
}

let lastMillis = 0;
let sequence = 0;

/**
 * An ID that sorts by creation time — milliseconds and a per-process sequence in base 36, then 64
 * random bits — so lists kept newest-first, like the audit log, page by ID alone, and entries one
 * process writes in the same millisecond keep their order.
 */
export function newTimeOrderedId(at: Date = new Date()): string {
  const millis = Math.max(at.getTime(), lastMillis);
  sequence = millis === lastMillis ? sequence + 1 : 0;
  lastMillis = millis;
  return (
    millis.toString(36).padStart(10, '0') +
    sequence.toString(36).padStart(4, '0') +
    randomBytes(8).toString('hex')
  );
}
