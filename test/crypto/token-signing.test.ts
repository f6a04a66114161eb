import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCompactJws, verifyCompactJws } from '../../src/crypto/compact-jws.js';
import { generateSigningKey, openPrivateKey } from '../../src/crypto/signing-key-material.js';
import { TOKEN_SIGNING_ALGORITHMS, tokenVerificationKey } from '../../src/crypto/token-signing-algorithms.js';

const kek = Buffer.alloc(32, 7);

describe('token signing keys, ES256 and RS256', () => {
  it.each(TOKEN_SIGNING_ALGORITHMS)('makes %s keys that sign tokens jose verifies', async (alg) => {
    const key = await generateSigningKey(kek, alg);
    expect(key.alg).toBe(alg);
    expect(key.publicJwk).toMatchObject({
      alg,
      use: 'sig',
      kid: key.kid,
      kty: alg === 'RS256' ? 'RSA' : 'EC',
    });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key.publicJwk).not.toHaveProperty(member);
    const token = signCompactJws(
      { alg, typ: 'at+jwt', kid: key.kid },
      { sub: 'x' },
      openPrivateKey(kek, key.kid, key.privateJwkEncrypted),
    );
    const verified = await compactVerify(token, await importJWK(key.publicJwk, alg), { algorithms: [alg] });
    expect(verified.protectedHeader.alg).toBe(alg);
    const publicKey = tokenVerificationKey(key.publicJwk as Record<string, unknown>);
    await expect(
      verifyCompactJws(token, async () => publicKey, TOKEN_SIGNING_ALGORITHMS),
    ).resolves.toMatchObject({
      payload: { sub: 'x' },
    });
  });

  it('makes RSA keys of 2048 bits with exponent 65537', async () => {
    const key = await generateSigningKey(kek, 'RS256');
    const details = tokenVerificationKey(key.publicJwk as Record<string, unknown>)?.asymmetricKeyDetails;
    expect(details).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(Buffer.from(String(key.publicJwk.n), 'base64url')).toHaveLength(256);
  });

  it('signs with RSASSA-PKCS1-v1_5 only with an RSA key, and ES256 only with a P-256 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => signCompactJws({ alg: 'ES256' }, {}, rsa)).toThrow(TypeError);
    expect(() => signCompactJws({ alg: 'RS256' }, {}, ec)).toThrow(TypeError);
    for (const alg of ['PS256', 'HS256', 'none'])
      expect(() => signCompactJws({ alg }, {}, rsa)).toThrow(TypeError);
    // PKCS#1 v1.5 is deterministic: one message, one signature (PSS would differ each time).
    expect(signCompactJws({ alg: 'RS256' }, { a: 1 }, rsa)).toBe(
      signCompactJws({ alg: 'RS256' }, { a: 1 }, rsa),
    );
  });

  it('reads a published key only as the algorithm it names, public and of an accepted size', async () => {
    const rsa = (await generateSigningKey(kek, 'RS256')).publicJwk as Record<string, unknown>;
    const ec = (await generateSigningKey(kek, 'ES256')).publicJwk as Record<string, unknown>;
    expect(tokenVerificationKey(rsa)?.asymmetricKeyType).toBe('rsa');
    expect(tokenVerificationKey(ec)?.asymmetricKeyType).toBe('ec');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const privateRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'jwk',
    });
    for (const jwk of [
      { ...rsa, alg: 'ES256' },
      { ...ec, alg: 'RS256' },
      { ...rsa, alg: 'PS256' },
      { ...rsa, alg: undefined },
      { ...small, alg: 'RS256' },
      { ...privateRsa, alg: 'RS256' },
    ]) {
      expect(tokenVerificationKey(jwk as Record<string, unknown>)).toBeUndefined();
    }
  });
});
