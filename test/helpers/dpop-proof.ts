import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as oauth from 'openid-client';

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

/**
 * openid-client as a DPoP client of `keygate`: discovery from the issuer, a DPoP handle with a key
 * of its own, a bound token for `scope`, and a call to `url` with that token and a fresh proof.
 */
export async function openidClientDpopCall(
  keygate: { config: { publicUrl: string } },
  client: { clientId: string; clientSecret: string },
  scope: string,
  url: URL,
) {
  const config = await oauth.discovery(
    new URL(keygate.config.publicUrl),
    client.clientId,
    client.clientSecret,
    undefined,
    {
      execute: [oauth.allowInsecureRequests],
    },
  );
  const handle = oauth.getDPoPHandle(config, await oauth.randomDPoPKeyPair('ES256'));
  const tokens = await oauth.clientCredentialsGrant(config, { scope }, { DPoP: handle });
  const answer = await oauth.fetchProtectedResource(
    config,
    tokens.access_token,
    url,
    'GET',
    undefined,
    undefined,
    {
      DPoP: handle,
    },
  );
  return { config, tokens, answer };
}
