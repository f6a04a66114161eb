import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiClient, createTokenProvider } from '@keygate/client';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DpopNonces } from '../../src/services/verification/dpop-nonces.js';
import { type DpopKey, dpopBoundToken, dpopKey, openidClientDpopCall, proof } from '../helpers/dpop-proof.js';
import {
  basic,
  postForm,
  type StartedKeygate,
  startKeygateWithRoles,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';

const SCOPE = 'agents-availability:read';

/**
 * Server nonces (RFC 9449 §8, §9, `dpopNonces`): a proof must carry a nonce the server gave, so a
 * proof cannot be signed ahead of time; clients that follow the RFC retry once with it.
 */
describe('DPoP server nonces', () => {
  const shared = mkdtempSync(join(tmpdir(), 'keygate-nonces-'));
  let keygate: TestKeygate;
  let gatewayOnly: StartedKeygate;
  let client: { clientId: string; clientSecret: string };
  const tokenUrl = () => `${keygate.url}${TOKEN_PATH}`;

  beforeAll(async () => {
    keygate = await startTestKeygate({ dpopNonces: true }, shared);
    client = await keygate.createCredential([SCOPE], 'Nonce user');
    // A second instance on the same store, with the gateway role only and no master key.
    gatewayOnly = await startKeygateWithRoles(
      {
        roles: ['gateway'],
        dpopNonces: true,
        publicUrl: keygate.config.publicUrl,
        audience: keygate.config.audience,
        masterKeyFile: join(shared, 'no-such.key'),
      },
      shared,
    );
  });
  afterAll(async () => {
    await gatewayOnly?.stop();
    await keygate?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  const requestToken = async (dpop: string) =>
    postForm(
      tokenUrl(),
      { grant_type: 'client_credentials', scope: SCOPE },
      { authorization: basic(client.clientId, client.clientSecret), dpop },
    );

  it('answers a proof without a nonce with 400 use_dpop_nonce and the nonce to use', async () => {
    const key = await dpopKey();
    const first = await requestToken(await proof(key, 'POST', tokenUrl()));
    expect(first.status).toBe(400);
    expect(first.body).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'Authorization server requires nonce in DPoP proof',
    });
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[\w-]{32}$/);

    const second = await requestToken(await proof(key, 'POST', tokenUrl(), { claims: { nonce } }));
    expect(second.status, second.text).toBe(200);
    expect((second.body as { token_type: string }).token_type).toBe('DPoP');
    expect(second.headers.get('dpop-nonce')).toMatch(/^[\w-]{32}$/);
  });

  it('accepts a nonce through the next five minutes, and not after', async () => {
    // The server's own nonces, given at other times: the key is the one the instances share.
    const nonces = await DpopNonces.shared(keygate.store.sharedKeys);
    const key = await dpopKey();
    const withNonce = async (givenMsAgo: number) =>
      requestToken(
        await proof(key, 'POST', tokenUrl(), { claims: { nonce: nonces.current(Date.now() - givenMsAgo) } }),
      );
    expect((await withNonce(300_000)).status).toBe(200);
    const stale = await withNonce(600_000);
    expect(stale.status).toBe(400);
    expect((stale.body as { error: string }).error).toBe('use_dpop_nonce');
  });

  it('asks for the nonce before spending a client assertion, so the client resends it unchanged', async () => {
    const signer = await generateKeyPair('ES256');
    const { credential } = await keygate.credentials.createWithKeys({
      accountId: (await keygate.store.accounts.list())[0]!.id,
      name: 'Signed, with nonces',
      scopes: [SCOPE],
      publicKeys: [await exportJWK(signer.publicKey)],
    });
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(credential.clientId)
      .setSubject(credential.clientId)
      .setAudience(tokenUrl())
      .setExpirationTime('60s')
      .sign(signer.privateKey);
    const form = {
      grant_type: 'client_credentials',
      scope: SCOPE,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    const key = await dpopKey();
    const asked = await postForm(tokenUrl(), form, { dpop: await proof(key, 'POST', tokenUrl()) });
    expect((asked.body as { error: string }).error).toBe('use_dpop_nonce');
    const nonce = asked.headers.get('dpop-nonce');
    const again = await postForm(tokenUrl(), form, {
      dpop: await proof(key, 'POST', tokenUrl(), { claims: { nonce } }),
    });
    expect(again.status, again.text).toBe(200);
  });

  it('refuses a nonce it did not give', async () => {
    const key = await dpopKey();
    const made = Buffer.alloc(24);
    made.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 300_000)));
    const answer = await requestToken(
      await proof(key, 'POST', tokenUrl(), { claims: { nonce: made.toString('base64url') } }),
    );
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toBe('use_dpop_nonce');
  });

  const boundToken = (key: DpopKey) => dpopBoundToken(tokenUrl(), client, SCOPE, key);

  it('asks for the nonce at the gateway: 401 with a DPoP challenge naming use_dpop_nonce', async () => {
    const key = await dpopKey();
    const token = await boundToken(key);
    const url = `${keygate.gatewayUrl}/agents-availability`;
    const call = (dpop: string) =>
      fetch(`${url}?skillNames=Sales`, { headers: { authorization: `DPoP ${token}`, dpop } });

    const asked = await call(await proof(key, 'GET', url, { accessToken: token }));
    expect(asked.status).toBe(401);
    expect(await asked.json()).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'Resource server requires nonce in DPoP proof',
    });
    expect(asked.headers.get('www-authenticate')).toMatch(/^DPoP realm="keygate", error="use_dpop_nonce", /);
    const nonce = asked.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[\w-]{32}$/);

    const admitted = await call(await proof(key, 'GET', url, { accessToken: token, claims: { nonce } }));
    expect(admitted.status).toBe(200);
    expect(admitted.headers.get('dpop-nonce')).toMatch(/^[\w-]{32}$/);
  });

  it('shares its nonces with another instance on the same store', async () => {
    const key = await dpopKey();
    const token = await boundToken(key);
    // The nonce the token endpoint of the first instance gives, spent at the second's gateway.
    const given = (await requestToken(await proof(key, 'POST', tokenUrl()))).headers.get('dpop-nonce');
    // The proof names the public gateway URL (the audience), whichever instance answers.
    const htu = `${new URL(keygate.config.audience).origin}/agents-availability`;
    const call = async (claims: Record<string, unknown>) =>
      fetch(`${gatewayOnly.gatewayUrl}/agents-availability`, {
        headers: {
          authorization: `DPoP ${token}`,
          dpop: await proof(key, 'GET', htu, { accessToken: token, claims }),
        },
      });
    const without = await call({});
    expect(without.status).toBe(401);
    expect(((await without.json()) as { error: string }).error).toBe('use_dpop_nonce');
    const answer = await call({ nonce: given });
    expect(answer.status, await answer.clone().text()).toBe(200);
  });

  it('serves openid-client’s DPoP handle, which retries with the nonce at both servers', async () => {
    const { tokens, answer } = await openidClientDpopCall(
      keygate,
      client,
      SCOPE,
      new URL(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`),
    );
    expect(tokens.token_type).toBe('dpop');
    expect(answer.status).toBe(200);
  });

  it('serves keygate/client, which retries with the nonce at both servers', async () => {
    const tokens = createTokenProvider({
      ...client,
      tokenUrl: tokenUrl(),
      scope: SCOPE,
      dpop: true,
    });
    const api = createApiClient({ tokens, apiBaseUrl: keygate.gatewayUrl! });
    const answer = await api.get('/agents-availability', { query: { skillNames: 'Sales' } });
    expect(answer.status).toBe(200);
    expect((await tokens.getAccessToken()).tokenType).toBe('DPoP');
  });
});
