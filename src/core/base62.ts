const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Encodes a non-negative integer as base62, left-padded with '0' to `width` characters. */
export function encodeBase62(value: bigint, width: number): string {
  let out = '';
  let n = value;
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, '0');
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** Decodes a short base62 string (at most 8 characters, so the value stays exact) to a number. */
export function decodeBase62(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) n = n * 62 + ALPHABET.indexOf(text[i]!);
  return n;
}

export const BASE62_PATTERN = '[0-9A-Za-z]';
