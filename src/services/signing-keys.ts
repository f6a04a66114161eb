import { generateSigningKey, openPrivateKey } from '../crypto/signing-key-material.js';
import type { Store } from '../store/store.js';

/**
 * Ensures an active and a pre-published next key exist (first start, or a store from before), and
 * that this process's master key opens the active one: an instance given another master key than
 * the store's first must stop at start (every role and CLI command that holds a key comes here),
 * before it hashes client secrets with a pepper no other instance shares.
 */
export async function ensureSigningKeys(
  store: Store,
  keyEncryptionKey: Buffer,
  region: string,
): Promise<void> {
  await store.signingKeys.claimUnassigned(region);
  const keys = await store.signingKeys.list(region);
  const active = keys.find((k) => k.status === 'active');
  if (active) openPrivateKey(keyEncryptionKey, active.kid, active.privateJwkEncrypted);
  for (const status of ['active', 'next'] as const) {
    if (keys.some((k) => k.status === status)) continue;
    const key = await generateSigningKey(keyEncryptionKey);
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
 * Rotation: the pre-published next key starts signing; the old key stays published until every
 * token it signed has expired (lifetime + a minute of clock skew); a new next key is pre-published
 * so caches of the JWKS already hold the key that will sign after the following rotation.
 */
export async function rotateSigningKeys(
  store: Store,
  keyEncryptionKey: Buffer,
  region: string,
  tokenLifetimeSeconds: number,
): Promise<void> {
  await ensureSigningKeys(store, keyEncryptionKey, region);
  const newNext = await generateSigningKey(keyEncryptionKey);
  const retireAfter = new Date(Date.now() + (tokenLifetimeSeconds + 60) * 1000).toISOString();
  await store.signingKeys.rotate({ region, newNext, retireAfter });
}
