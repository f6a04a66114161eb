import type { KeyObject } from 'node:crypto';
import { clientKeyFromJwk, jwkThumbprint, PRIVATE_MEMBERS } from '../../crypto/jwk.js';
import { boundedCache } from '../caches/bounded-cache.js';

/**
 * Clients' public keys as node:crypto keys, by RFC 7638 thumbprint: building one from its JWK
 * validates the point and costs about as much as a signature check, and a client signs many proofs
 * and assertions with one key. The thumbprint covers every member the key is built from, so one
 * thumbprint is one key.
 */
const keys = boundedCache<string, KeyObject>(10_000);

/** The key of a client's public JWK and its thumbprint; undefined for a JWK Keygate does not verify. */
export function clientKey(jwk: unknown): { key: KeyObject; thumbprint: string } | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  const members = jwk as Record<string, unknown>;
  // Before the cache: a private JWK shares its public key's thumbprint.
  if (PRIVATE_MEMBERS.some((m) => m in members)) return undefined;
  const thumbprint = jwkThumbprint(members);
  if (thumbprint === undefined) return undefined;
  let key = keys.get(thumbprint);
  if (!key) {
    key = clientKeyFromJwk(members);
    if (!key) return undefined;
    keys.set(thumbprint, key);
  }
  return { key, thumbprint };
}
