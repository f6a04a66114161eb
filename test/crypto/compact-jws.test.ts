import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  JwsRefused,
  publicKeyFromJwk,
  signCompactJws,
  verifyCompactJws,
} from '../../src/crypto/compact-jws.js';

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
