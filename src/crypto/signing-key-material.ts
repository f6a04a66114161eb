import { createPrivateKey, type JsonWebKey, type KeyObject, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { seal, unseal } from './sealed-box.js';

export const SIGNING_ALG = 'ES256';

export interface NewKeyMaterial {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwkEncrypted: string;
}

/** Generates an ES256 key pair; the private JWK leaves this function only sealed. */
export async function generateSigningKey(keyEncryptionKey: Buffer): Promise<NewKeyMaterial> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = randomBytes(12).toString('base64url');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg: SIGNING_ALG,
    publicJwk,
    privateJwkEncrypted: seal(keyEncryptionKey, JSON.stringify(privateJwk), `signing-key:${kid}`),
  };
}

/** Opens a sealed private JWK as a node:crypto key for the synchronous signer (crypto/compact-jws.ts). */
export function openPrivateKey(keyEncryptionKey: Buffer, kid: string, sealed: string): KeyObject {
  const jwk = JSON.parse(unseal(keyEncryptionKey, sealed, `signing-key:${kid}`)) as JsonWebKey;
  return createPrivateKey({ key: jwk, format: 'jwk' });
}
