import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  JwsRefused,
  publicKeyFromJwk,
  signCompactJws,
  verifyCompactJws,
} from '../../src/crypto/compact-jws.js';
import { clientKeyFromJwk, jwkThumbprint } from '../../src/crypto/jwk.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const keyFor = (key: KeyObject | undefined) => async () => key;

async function reason(token: string, key: KeyObject | null = publicKey): Promise<string> {
  try {
    await verifyCompactJws(token, keyFor(key ?? undefined));
    return 'verified';
  } catch (error) {
    if (error instanceof JwsRefused) return error.reason;
    throw error;
  }
}

describe('verifyCompactJws (ES256, node:crypto)', () => {
  const token = signCompactJws({ alg: 'ES256', typ: 'at+jwt', kid: 'k' }, { sub: 'x', n: 1 }, privateKey);
  const [h, p, s] = token.split('.') as [string, string, string];

  it('verifies what signCompactJws signed, and returns header and payload', async () => {
    await expect(verifyCompactJws(token, keyFor(publicKey))).resolves.toEqual({
      header: { alg: 'ES256', typ: 'at+jwt', kid: 'k' },
      payload: { sub: 'x', n: 1 },
    });
  });

  it.each([
    ['another key', () => reason(token, other.publicKey), 'signature'],
    ['no key for the kid', () => reason(token, null), 'unknown_key'],
    ['alg none', () => reason(`${b64({ alg: 'none', kid: 'k' })}.${p}.${s}`), 'algorithm'],
    ['alg es256 in lower case', () => reason(`${b64({ alg: 'es256', kid: 'k' })}.${p}.${s}`), 'algorithm'],
    ['alg as a list', () => reason(`${b64({ alg: ['ES256'], kid: 'k' })}.${p}.${s}`), 'algorithm'],
    ['alg HS256', () => reason(`${b64({ alg: 'HS256', kid: 'k' })}.${p}.${s}`), 'algorithm'],
    ['a crit header, even empty', () => reason(`${b64({ alg: 'ES256', crit: [] })}.${p}.${s}`), 'malformed'],
    ['a header that is a list', () => reason(`${b64(['ES256'])}.${p}.${s}`), 'malformed'],
    [
      'a payload that is not JSON',
      () => reason(`${h}.${Buffer.from('nope').toString('base64url')}.${s}`),
      'signature',
    ],
    ['two parts', () => reason(`${h}.${p}`), 'malformed'],
    ['an empty signature', () => reason(`${h}.${p}.`), 'malformed'],
    ['padding', () => reason(`${h}.${p}.${s}=`), 'malformed'],
    [
      'a 65-byte signature',
      () => reason(`${h}.${p}.${Buffer.alloc(65, 1).toString('base64url')}`),
      'signature',
    ],
    ['a DER signature', () => reason(`${h}.${p}.${Buffer.alloc(70, 1).toString('base64url')}`), 'signature'],
    ['r = s = 0', () => reason(`${h}.${p}.${Buffer.alloc(64).toString('base64url')}`), 'signature'],
  ])('refuses %s', async (_name, attempt, expected) => {
    expect(await attempt()).toBe(expected);
  });

  it('accepts one spelling of a signature only (its unused low bits must be zero)', async () => {
    const last = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const variants = [...alphabet].filter(
      (c) => c !== last && Buffer.from(s.slice(0, -1) + c, 'base64url').equals(Buffer.from(s, 'base64url')),
    );
    expect(variants.length).toBeGreaterThan(0);
    for (const c of variants) expect(await reason(`${h}.${p}.${s.slice(0, -1)}${c}`)).toBe('signature');
  });

  it('refuses a header of invalid UTF-8', async () => {
    const bad = Buffer.concat([Buffer.from('{"alg":"ES256","x":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(await reason(`${bad.toString('base64url')}.${p}.${s}`)).toBe('malformed');
  });

  it('never asks for a key when the signature cannot be ES256 anyway', async () => {
    let asked = 0;
    await expect(
      verifyCompactJws(`${h}.${p}.AAAA`, async () => {
        asked++;
        return publicKey;
      }),
    ).rejects.toThrow(JwsRefused);
    expect(asked).toBe(0);
  });
});

describe('publicKeyFromJwk', () => {
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;

  it('builds P-256 public keys only', () => {
    expect(publicKeyFromJwk(jwk)?.asymmetricKeyType).toBe('ec');
    expect(publicKeyFromJwk({ ...jwk, d: undefined })).toBeUndefined();
    expect(publicKeyFromJwk(privateKey.export({ format: 'jwk' }) as Record<string, unknown>)).toBeUndefined();
    expect(publicKeyFromJwk({ ...jwk, crv: 'P-384' })).toBeUndefined();
    expect(publicKeyFromJwk({ ...jwk, kty: 'RSA' })).toBeUndefined();
    expect(publicKeyFromJwk({ ...jwk, x: `${jwk.x}=` })).toBeUndefined();
    expect(publicKeyFromJwk({ ...jwk, x: `A${jwk.x}` })).toBeUndefined();
    expect(publicKeyFromJwk({ ...jwk, y: 'A'.repeat(43) })).toBeUndefined(); // not on the curve
  });
});

describe('verifyCompactJws with the algorithms of clients’ keys (RS256, PS256, EdDSA, Ed25519)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const ALL = ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'] as const;
  // Signed by jose, the outside reference: what a client library sends.
  const signed = (alg: string, key: KeyObject) =>
    new SignJWT({ sub: 'c' }).setProtectedHeader({ alg }).sign(key);

  it.each([
    ['RS256', rsa],
    ['PS256', rsa],
    ['EdDSA', ed],
    ['Ed25519', ed],
    ['ES256', { privateKey, publicKey }],
  ] as const)('verifies %s signed by jose, where the caller takes it', async (alg, pair) => {
    const jws = await signed(alg, pair.privateKey);
    await expect(verifyCompactJws(jws, keyFor(pair.publicKey), ALL)).resolves.toMatchObject({
      header: { alg },
      payload: { sub: 'c' },
    });
    // Only ES256 where the caller names nothing (access tokens).
    if (alg !== 'ES256')
      await expect(verifyCompactJws(jws, keyFor(pair.publicKey))).rejects.toThrow('algorithm');
  });

  it.each([
    ['RS256 with an Ed25519 key', 'RS256', rsa.privateKey, ed.publicKey],
    ['EdDSA with an RSA key', 'EdDSA', ed.privateKey, rsa.publicKey],
    ['Ed25519 with an RSA key', 'Ed25519', ed.privateKey, rsa.publicKey],
    ['ES256 with an RSA key', 'ES256', privateKey, rsa.publicKey],
    [
      'PS256 checked as RS256 would be',
      'PS256',
      rsa.privateKey,
      generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey,
    ],
  ] as const)('refuses %s', async (_name, alg, signingKey, verifyingKey) => {
    const jws = await signed(alg, signingKey);
    await expect(verifyCompactJws(jws, keyFor(verifyingKey), ALL)).rejects.toMatchObject({
      reason: 'signature',
    });
  });

  it('verifies with an RSA key whose length is not a multiple of 8 bits', async () => {
    const odd = generateKeyPairSync('rsa', { modulusLength: 3070 });
    const jws = await signed('RS256', odd.privateKey);
    await expect(verifyCompactJws(jws, keyFor(odd.publicKey), ALL)).resolves.toMatchObject({
      header: { alg: 'RS256' },
    });
  });

  it('refuses an RS256 signature whose header says PS256', async () => {
    const jws = await signed('RS256', rsa.privateKey);
    const [, payload, signature] = jws.split('.');
    const relabelled = `${b64({ alg: 'PS256' })}.${payload}.${signature}`;
    await expect(verifyCompactJws(relabelled, keyFor(rsa.publicKey), ALL)).rejects.toMatchObject({
      reason: 'signature',
    });
  });
});

describe('jwkThumbprint and clientKeyFromJwk', () => {
  it('gives RFC 7638’s own example thumbprint', () => {
    const rfcExample = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(rfcExample)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each([
    ['EC P-256', publicKey],
    ['RSA', generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey],
    ['Ed25519', generateKeyPairSync('ed25519').publicKey],
  ])('agrees with jose for %s keys, and builds the key', async (_kind, key) => {
    const jwk = key.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk as never));
    expect(clientKeyFromJwk(jwk)?.equals(key)).toBe(true);
  });

  it.each([
    ['a private key', privateKey.export({ format: 'jwk' })],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' })],
    [
      'RSA of 1024 bits',
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }),
    ],
    ['a point off the curve', { ...publicKey.export({ format: 'jwk' }), y: 'A'.repeat(43) }],
    ['a symmetric key', { kty: 'oct', k: 'c2VjcmV0' }],
    [
      'RSA with the public exponent 3',
      generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).publicKey.export({
        format: 'jwk',
      }),
    ],
    [
      'RSA with the public exponent 1 (any message its own signature)',
      { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), e: 'AQ' },
    ],
  ])('takes no %s', (_what, jwk) => {
    expect(clientKeyFromJwk(jwk as Record<string, unknown>)).toBeUndefined();
  });
});
