import { createPrivateKey, type JsonWebKey, type KeyObject, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { MasterKeyError } from './master-key.js';
import { seal, UnsealError, unseal } from './sealed-box.js';
import { RSA_SIGNING_KEY_BITS, type TokenSigningAlgorithm } from './token-signing-algorithms.js';

export interface NewKeyMaterial {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwkEncrypted: string;
}

/** Generates a key pair for `alg`; the private JWK leaves this function only sealed. */
export async function generateSigningKey(
  keyEncryptionKey: Buffer,
  alg: TokenSigningAlgorithm,
): Promise<NewKeyMaterial> {
  const { publicKey, privateKey } = await generateKeyPair(alg, {
    extractable: true,
    modulusLength: RSA_SIGNING_KEY_BITS,
  });
  const kid = randomBytes(12).toString('base64url');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    publicJwk,
    privateJwkEncrypted: seal(keyEncryptionKey, JSON.stringify(privateJwk), `signing-key:${kid}`),
  };
}

/**
 * Opens a sealed private JWK as a node:crypto key for the synchronous signer (crypto/compact-jws.ts).
 * AES-GCM only says that authentication failed; on a store this process can read, that almost always
 * means another instance sealed the key under another master key, so the error says so and what to do.
 */
export function openPrivateKey(keyEncryptionKey: Buffer, kid: string, sealed: string): KeyObject {
  let plaintext: string;
  try {
    plaintext = unseal(keyEncryptionKey, sealed, `signing-key:${kid}`);
  } catch (error) {
    if (!(error instanceof UnsealError)) throw error;
    throw new MasterKeyError(
      `the store's signing keys were sealed with a different master key (signing key ${kid} does not ` +
        'open with this one): give every instance on one store the same KEYGATE_MASTER_KEY (or ' +
        "KEYGATE_MASTER_KEY_FILE), the key the store's first instance used",
      { cause: error },
    );
  }
  return createPrivateKey({ key: JSON.parse(plaintext) as JsonWebKey, format: 'jwk' });
}
