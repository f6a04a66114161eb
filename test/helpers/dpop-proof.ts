import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

type SigningKey = Parameters<SignJWT['sign']>[0];

export interface DpopKey {
  alg: string;
  privateKey: SigningKey;
  jwk: JWK;
  jkt: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/** A DPoP proof (RFC 9449 §4.2) as a client library makes it; `claims` override its parts. */
export function proof(
  key: DpopKey,
  htm: string,
  htu: string,
  options: { accessToken?: string; claims?: Record<string, unknown>; typ?: string } = {},
): Promise<string> {
  const ath = options.accessToken && createHash('sha256').update(options.accessToken).digest('base64url');
  return new SignJWT({
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(ath && { ath }),
    ...options.claims,
  })
    .setProtectedHeader({ alg: key.alg, typ: options.typ ?? 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}

/**
 * A token bound to `key`, asked for as a client that follows RFC 9449 §8 does: where the server
 * answers use_dpop_nonce, once more with the nonce it gave.
 */
export async function dpopBoundToken(
  tokenUrl: string,
  client: { clientId: string; clientSecret: string },
  scope: string,
  key: DpopKey,
): Promise<string> {
  const ask = async (claims: Record<string, unknown>) =>
    fetch(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        dpop: await proof(key, 'POST', tokenUrl, { claims }),
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
  let answer = await ask({});
  if (answer.status === 400) answer = await ask({ nonce: answer.headers.get('dpop-nonce') });
  const body = (await answer.json()) as { access_token?: string };
  if (answer.status !== 200 || !body.access_token) throw new Error(`no DPoP token: ${JSON.stringify(body)}`);
  return body.access_token;
}
