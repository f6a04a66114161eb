import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ClientSecretHasher,
  generateClientSecret,
  isWellFormedClientSecret,
} from '../../src/core/client-secret.js';

describe('client secrets', () => {
  it('have a prefix, 256 bits in base62 and a checksum', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateClientSecret));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) {
      expect(secret).toMatch(/^kgs_[0-9A-Za-z]{49}$/);
      expect(isWellFormedClientSecret(secret)).toBe(true);
    }
  });

  it('are recognised as malformed when any character changes', () => {
    const secret = generateClientSecret();
    let caught = 0;
    for (let i = 4; i < secret.length; i++) {
      const replacement = secret[i] === 'a' ? 'b' : 'a';
      if (!isWellFormedClientSecret(secret.slice(0, i) + replacement + secret.slice(i + 1))) caught++;
    }
    expect(caught).toBe(secret.length - 4);
    expect(isWellFormedClientSecret(`x${secret.slice(1)}`)).toBe(false);
    expect(isWellFormedClientSecret(secret.slice(0, -1))).toBe(false);
    expect(isWellFormedClientSecret('')).toBe(false);
  });

  it('hash with the pepper: same secret, same hash; other pepper, other hash', () => {
    const secret = generateClientSecret();
    const a = new ClientSecretHasher(randomBytes(32));
    const b = new ClientSecretHasher(randomBytes(32));
    expect(ClientSecretHasher.matches(a.hash(secret), a.hash(secret))).toBe(true);
    expect(ClientSecretHasher.matches(a.hash(secret), b.hash(secret))).toBe(false);
    expect(ClientSecretHasher.matches(a.hash(secret), a.hash(generateClientSecret()))).toBe(false);
    expect(ClientSecretHasher.matches(a.hash(secret), Buffer.alloc(3))).toBe(false);
    expect(() => new ClientSecretHasher(Buffer.alloc(16))).toThrow(TypeError);
  });
});
