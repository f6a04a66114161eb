import { generateSigningKey, openPrivateKey } from '../../crypto/signing-key-material.js';
import type { TokenSigningAlgorithm } from '../../crypto/token-signing-algorithms.js';
import type { Store } from '../../store/store.js';

/**
 * Ensures an active and a pre-published next key exist (first start, or a store from before), and
 * that this process's master key opens the active one: an instance given another master key than
 * the store's first must stop at start (every role and CLI command that holds a key comes here),
 * before it hashes client secrets with a pepper no other instance shares. Keys it makes are of
 * `algorithm`, the region's configured one.
 */
export async function ensureSigningKeys(
  store: Store,
  keyEncryptionKey: Buffer,
  region: string,
  algorithm: TokenSigningAlgorithm,
): Promise<void> {
  await store.signingKeys.claimUnassigned(region);
  const keys = await store.signingKeys.list(region);
  const active = keys.find((k) => k.status === 'active');
  if (active) openPrivateKey(keyEncryptionKey, active.kid, active.privateJwkEncrypted);
  for (const status of ['active', 'next'] as const) {
    if (keys.some((k) => k.status === status)) continue;
    const key = await generateSigningKey(keyEncryptionKey, algorithm);
    try {
      await store.signingKeys.insert({
        ...key,
        region,
        status,
        activatedAt: status === 'active' ? new Date().toISOString() : null,
        retireAfter: null,
      });
    } catch (error) {
      // Another process starting on the same store made this key first (one per status and region is
      // enforced by the store): use theirs.
      if (!(await store.signingKeys.list(region)).some((k) => k.status === status)) throw error;
    }
  }
}

/**
 * A server's start with `tokenSigningAlgorithm` changed: the next key, which has never signed, is
 * replaced by one of `algorithm`, so verifiers that cache the JWKS hold it before it signs. The
 * active key goes on signing until `keygate keys rotate`, which makes the new one sign and keeps the
 * old one published until its tokens have expired. Returns whether it replaced the key.
 */
export async function prePublishSigningAlgorithm(
  store: Store,
  keyEncryptionKey: Buffer,
  region: string,
  algorithm: TokenSigningAlgorithm,
): Promise<boolean> {
  const next = (await store.signingKeys.list(region)).find((k) => k.status === 'next');
  if (!next || next.alg === algorithm) return false;
  // False when another instance replaced or activated it first: theirs stands.
  return store.signingKeys.replaceNext({
    region,
    replacing: next.kid,
    newNext: await generateSigningKey(keyEncryptionKey, algorithm),
  });
}

/**
 * Rotation: the pre-published next key starts signing; the old key stays published until every
 * token it signed has expired (lifetime + a minute of clock skew); a new next key of the same
 * algorithm as the one that now signs is pre-published, so caches of the JWKS already hold the key
 * that will sign after the following rotation. The algorithm is the store's, not the caller's: a
 * CLI run without the servers' tokenSigningAlgorithm rotates as they would.
 */
export async function rotateSigningKeys(
  store: Store,
  keyEncryptionKey: Buffer,
  region: string,
  tokenLifetimeSeconds: number,
): Promise<void> {
  const next = (await store.signingKeys.list(region)).find((k) => k.status === 'next');
  if (!next)
    throw new Error('no pre-published next key to activate; run `keygate migrate` or start the server once');
  const newNext = await generateSigningKey(keyEncryptionKey, next.alg as TokenSigningAlgorithm);
  const retireAfter = new Date(Date.now() + (tokenLifetimeSeconds + 60) * 1000).toISOString();
  await store.signingKeys.rotate({ region, newNext, retireAfter });
}
