import { randomUUID } from 'node:crypto';
import { signCompactJws } from '../../src/crypto/compact-jws.js';
import { deriveKeys, loadMasterKey } from '../../src/crypto/master-key.js';
import { openPrivateKey } from '../../src/crypto/signing-key-material.js';
import { rotateSigningKeys } from '../../src/services/verification/signing-keys.js';
import { basic, postForm, type TestKeygate, TOKEN_PATH } from './keygate.js';

export async function issueToken(
  keygate: TestKeygate,
  client: { clientId: string; clientSecret: string },
  scope: string,
): Promise<string> {
  const res = await postForm(
    keygate.url + TOKEN_PATH,
    { grant_type: 'client_credentials', scope },
    { authorization: basic(client.clientId, client.clientSecret) },
  );
  if (res.status !== 200) throw new Error(`no token: ${res.text}`);
  return String(res.body?.access_token);
}

/**
 * Signs a token with the server's real active key but claims of the test's choosing (an expired
 * token, another region…): what only a holder of the private key could forge.
 */
export async function signWithServerKey(
  keygate: TestKeygate,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const { keyEncryptionKey } = deriveKeys(loadMasterKey(keygate.config).key);
  const active = (await keygate.store.signingKeys.list(keygate.config.region)).find(
    (k) => k.status === 'active',
  )!;
  const privateKey = openPrivateKey(keyEncryptionKey, active.kid, active.privateJwkEncrypted);
  const now = Math.floor(Date.now() / 1000);
  return signCompactJws(
    { alg: active.alg, typ: 'at+jwt', kid: active.kid, ...header },
    {
      iss: keygate.config.publicUrl,
      aud: keygate.config.audience,
      iat: now,
      exp: now + 600,
      jti: randomUUID(),
      region: keygate.config.region,
      ...claims,
    },
    privateKey,
  );
}

/** Rotates the server's signing keys through its store, as `keygate keys rotate` does from outside. */
export async function rotateKeys(keygate: TestKeygate): Promise<void> {
  const { keyEncryptionKey } = deriveKeys(loadMasterKey(keygate.config).key);
  await rotateSigningKeys(
    keygate.store,
    keyEncryptionKey,
    keygate.config.region,
    keygate.config.tokenLifetimeSeconds,
  );
}
