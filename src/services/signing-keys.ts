import { generateSigningKey } from '../crypto/signing-key-material.js';
import type { Store } from '../store/store.js';

/** Ensures an active and a pre-published next key exist (first start, or a store from before). */
export async function ensureSigningKeys(
  store: Store,
  keyEncryptionKey: Buffer,
  region: string,
): Promise<void> {
  await store.signingKeys.claimUnassigned(region);
  const keys = await store.signingKeys.list(region);
  if (!keys.some((k) => k.status === 'active')) {
    const active = await generateSigningKey(keyEncryptionKey);
    await store.signingKeys.insert({
      ...active,
      region,
      status: 'active',
      activatedAt: new Date().toISOString(),
      retireAfter: null,
    });
  }
  if (!keys.some((k) => k.status === 'next')) {
    const next = await generateSigningKey(keyEncryptionKey);
    await store.signingKeys.insert({ ...next, region, status: 'next', activatedAt: null, retireAfter: null });
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
