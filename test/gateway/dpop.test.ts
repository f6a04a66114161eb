import { request } from 'node:http';
import { decodeJwt, exportJWK } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DpopKey, dpopKey, openidClientDpopCall, proof } from '../helpers/dpop-proof.js';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { rowCount } from '../helpers/store-figures.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

/** Tokens a thief cannot replay: DPoP-bound at the token endpoint, checked on every gateway call. */
describe('DPoP (RFC 9449)', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };
  const PATH = '/agents-availability?skillNames=Sales';
  const tokenUrl = () => `${keygate.url}${TOKEN_PATH}`;
  const callUrl = () => `${keygate.gatewayUrl}/agents-availability`;

  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['agents-availability:read'], 'Wallboard');
  });
  afterAll(() => keygate.stop());

  async function boundToken(key: DpopKey, who = client) {
    const answer = await postForm(
      tokenUrl(),
      { grant_type: 'client_credentials', scope: 'agents-availability:read' },
      { authorization: basic(who.clientId, who.clientSecret), dpop: await proof(key, 'POST', tokenUrl()) },
    );
    expect(answer.status, answer.text).toBe(200);
    return answer.body as { access_token: string; token_type: string };
  }

  const call = (token: string, dpop?: string, scheme = 'DPoP') =>
    fetch(`${keygate.gatewayUrl}${PATH}`, {
      headers: { authorization: `${scheme} ${token}`, ...(dpop !== undefined && { dpop }) },
    });

  it('binds the token to the proof’s key: token_type DPoP and cnf.jkt', async () => {
    const key = await dpopKey();
    const answer = await boundToken(key);
    expect(answer.token_type).toBe('DPoP');
    expect(decodeJwt(answer.access_token).cnf).toEqual({ jkt: key.jkt });
  });

  it('admits a call with the DPoP scheme and a fresh proof for it; refuses that proof again', async () => {
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key);
    const fresh = await proof(key, 'GET', callUrl(), { accessToken: token });
    expect((await call(token, fresh)).status).toBe(200);
    const replayed = await call(token, fresh);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(replayed.headers.get('www-authenticate')).toMatch(
      /^DPoP realm="keygate", error="invalid_dpop_proof", error_description="[^"]*used before[^"]*", algs="ES256 RS256 PS256 EdDSA Ed25519"$/,
    );
  });

  it('refuses a call that sends its fresh proof in two DPoP headers', async () => {
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key);
    const fresh = await proof(key, 'GET', callUrl(), { accessToken: token });
    // node:http sends an array as one header line per value; fetch would join them into one.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request(
        `${keygate.gatewayUrl}${PATH}`,
        { headers: { authorization: `DPoP ${token}`, dpop: [fresh, fresh] } },
        (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({
      error: 'invalid_dpop_proof',
      error_description: expect.stringContaining('more than one DPoP header'),
    });
    // The same proof, sent once, was not spent by the refused call.
    expect((await call(token, fresh)).status).toBe(200);
  });

  it('takes typ application/dpop+jwt (RFC 7515 §4.1.9), and refuses a jwk with its private part even once seen', async () => {
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key);
    const prefixed = await proof(key, 'GET', callUrl(), { accessToken: token, typ: 'application/dpop+jwt' });
    expect((await call(token, prefixed)).status).toBe(200);
    // The same key, its private JWK in the header: a proof must carry the public key only.
    const privateJwk = await exportJWK(key.privateKey as Parameters<typeof exportJWK>[0]);
    const leaking = await proof({ ...key, jwk: privateJwk }, 'GET', callUrl(), { accessToken: token });
    expect((await call(token, leaking)).status).toBe(401);
    const early = await proof(key, 'GET', callUrl(), {
      accessToken: token,
      claims: { nbf: Math.floor(Date.now() / 1000) + 3600 },
    });
    expect((await call(token, early)).status).toBe(401);
  });

  it.each(['EdDSA', 'PS256', 'RS256'])('binds to and checks proofs by %s keys too', async (alg) => {
    const key = await dpopKey(alg);
    const answer = await boundToken(key);
    expect(decodeJwt(answer.access_token).cnf).toEqual({ jkt: key.jkt });
    const fresh = await proof(key, 'GET', callUrl(), { accessToken: answer.access_token });
    expect((await call(answer.access_token, fresh)).status).toBe(200);
    const stranger = await proof(await dpopKey(alg), 'GET', callUrl(), { accessToken: answer.access_token });
    expect((await call(answer.access_token, stranger)).status).toBe(401);
  });

  it.each([
    ['no proof', async () => undefined],
    [
      'a proof by another key',
      async (token: string) => proof(await dpopKey(), 'GET', callUrl(), { accessToken: token }),
    ],
    [
      'a proof for another URL',
      async (token: string, key: DpopKey) =>
        proof(key, 'GET', `${keygate.gatewayUrl}/stats/interactions`, { accessToken: token }),
    ],
    [
      'a proof for another method',
      async (token: string, key: DpopKey) => proof(key, 'POST', callUrl(), { accessToken: token }),
    ],
    ['a proof without ath', async (_token: string, key: DpopKey) => proof(key, 'GET', callUrl())],
    [
      'a proof for another token',
      async (_token: string, key: DpopKey) => proof(key, 'GET', callUrl(), { accessToken: 'another' }),
    ],
    [
      'a proof two minutes old',
      async (token: string, key: DpopKey) =>
        proof(key, 'GET', callUrl(), {
          accessToken: token,
          claims: { iat: Math.floor(Date.now() / 1000) - 120 },
        }),
    ],
    [
      'a proof of the wrong type',
      async (token: string, key: DpopKey) => proof(key, 'GET', callUrl(), { accessToken: token, typ: 'JWT' }),
    ],
  ])('refuses a bound token with %s: 401 invalid_dpop_proof', async (_what, make) => {
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key);
    const answer = await call(token, await make(token, key));
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(answer.headers.get('www-authenticate')).toMatch(/^DPoP .*algs="ES256 RS256 PS256 EdDSA Ed25519"$/);
  });

  it('refuses a bound token sent as Bearer, and a bearer token sent as DPoP', async () => {
    const key = await dpopKey();
    const { access_token: bound } = await boundToken(key);
    const asBearer = await call(bound, await proof(key, 'GET', callUrl(), { accessToken: bound }), 'Bearer');
    expect(asBearer.status).toBe(401);
    expect(await asBearer.json()).toMatchObject({ error: 'invalid_token' });
    expect(asBearer.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);

    const bearer = (
      await postForm(
        tokenUrl(),
        { grant_type: 'client_credentials', scope: 'agents-availability:read' },
        { authorization: basic(client.clientId, client.clientSecret) },
      )
    ).body!.access_token as string;
    const asDpop = await call(bearer, await proof(key, 'GET', callUrl(), { accessToken: bearer }));
    expect(asDpop.status).toBe(401);
  });

  it('at the token endpoint: refuses a replayed proof and one for another endpoint', async () => {
    const key = await dpopKey();
    const used = await proof(key, 'POST', tokenUrl());
    const form = { grant_type: 'client_credentials', scope: 'agents-availability:read' };
    const auth = { authorization: basic(client.clientId, client.clientSecret) };
    expect((await postForm(tokenUrl(), form, { ...auth, dpop: used })).status).toBe(200);
    const again = await postForm(tokenUrl(), form, { ...auth, dpop: used });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_dpop_proof' });
    const elsewhere = await postForm(tokenUrl(), form, {
      ...auth,
      dpop: await proof(key, 'POST', `${keygate.url}/Auth/connect/introspect`),
    });
    expect(elsewhere.status).toBe(400);
  });

  it('a credential that requires DPoP gets no bearer token, and its live bearer tokens stop within 1 s', async () => {
    const strict = await keygate.createCredential(['agents-availability:read'], 'Strict');
    const form = { grant_type: 'client_credentials', scope: 'agents-availability:read' };
    const auth = { authorization: basic(strict.clientId, strict.clientSecret) };
    const bearer = (await postForm(tokenUrl(), form, auth)).body!.access_token as string;
    expect((await call(bearer, undefined, 'Bearer')).status).toBe(200);

    await keygate.credentials.update(strict.id, { requireDpop: true });
    const refused = await postForm(tokenUrl(), form, auth);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'This client must send a DPoP proof (RFC 9449)',
    });
    await withinOneSecond(async () => {
      expect((await call(bearer, undefined, 'Bearer')).status).toBe(401);
    });
    const key = await dpopKey();
    const { access_token: bound } = await boundToken(key, strict);
    expect((await call(bound, await proof(key, 'GET', callUrl(), { accessToken: bound }))).status).toBe(200);
  });

  it('introspection says the token is DPoP-bound, and to which key', async () => {
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key);
    const answer = await postForm(
      `${keygate.url}/Auth/connect/introspect`,
      { token },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(answer.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
  });

  it('serves openid-client’s DPoP handle: a bound token, then a protected call with its proof', async () => {
    const url = new URL(`${keygate.gatewayUrl}${PATH}`);
    const { config, tokens, answer } = await openidClientDpopCall(
      keygate,
      client,
      'agents-availability:read',
      url,
    );
    expect(tokens.token_type).toBe('dpop');
    expect(answer.status).toBe(200);
    // Without the handle, the bound token is refused: openid-client sends it as a bearer token.
    await expect(oauth.fetchProtectedResource(config, tokens.access_token, url, 'GET')).rejects.toMatchObject(
      {
        status: 401,
        cause: [
          expect.objectContaining({
            scheme: 'dpop',
            parameters: expect.objectContaining({ error: 'invalid_token' }),
          }),
        ],
      },
    );
  });

  it('advertises DPoP in both metadata documents', async () => {
    const server = (await (
      await fetch(`${keygate.url}/.well-known/oauth-authorization-server/Auth`)
    ).json()) as Record<string, unknown>;
    expect(server.dpop_signing_alg_values_supported).toEqual(['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519']);
    const resource = (await (
      await fetch(`${keygate.gatewayUrl}/.well-known/oauth-protected-resource`)
    ).json()) as Record<string, unknown>;
    expect(resource.dpop_signing_alg_values_supported).toEqual([
      'ES256',
      'RS256',
      'PS256',
      'EdDSA',
      'Ed25519',
    ]);
  });

  it('records a proof only for a call whose token is valid and bound to the proof’s key', async () => {
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key);
    const forged = `${token.slice(0, -8)}AAAAAAAA`;
    const before = await rowCount(keygate.store, 'used_proofs');
    for (let i = 0; i < 20; i++) {
      // A token that does not verify, with a proof for it; a valid token with a stranger's proof.
      expect((await call(forged, await proof(key, 'GET', callUrl(), { accessToken: forged }))).status).toBe(
        401,
      );
      const stranger = await proof(await dpopKey(), 'GET', callUrl(), { accessToken: token });
      expect((await call(token, stranger)).status).toBe(401);
    }
    expect(await rowCount(keygate.store, 'used_proofs')).toBe(before);
    expect((await call(token, await proof(key, 'GET', callUrl(), { accessToken: token }))).status).toBe(200);
    expect(await rowCount(keygate.store, 'used_proofs')).toBe(before + 1);
  });

  it('records no proof of a call refused by its call limit: one row per admitted call', async () => {
    const limited = await keygate.createCredential(['agents-availability:read'], 'Limited');
    await keygate.credentials.update(limited.id, { callLimit: { limit: 3, windowSeconds: 60 } });
    const key = await dpopKey();
    const { access_token: token } = await boundToken(key, limited);
    const before = await rowCount(keygate.store, 'used_proofs');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await call(token, await proof(key, 'GET', callUrl(), { accessToken: token }))).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(27);
    expect(await rowCount(keygate.store, 'used_proofs')).toBe(before + 3);
  });
});
