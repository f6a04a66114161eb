import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';

const INTROSPECT = '/Auth/connect/introspect';

describe('RFC 7662 introspection', () => {
  let keygate: TestKeygate;
  let caller: { id: string; clientId: string; clientSecret: string };
  let token: string;

  const issue = async (client: { clientId: string; clientSecret: string }, scope: string) =>
    String(
      (
        await postForm(keygate.url + TOKEN_PATH, {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          scope,
        })
      ).body?.access_token,
    );
  const introspect = (t: string, as = caller) =>
    postForm(keygate.url + INTROSPECT, { token: t }, { authorization: basic(as.clientId, as.clientSecret) });

  beforeAll(async () => {
    keygate = await startTestKeygate();
    caller = await keygate.createCredential(['stats', 'users:read']);
    token = await issue(caller, 'stats');
  });
  afterAll(() => keygate.stop());

  it('describes an active token of the same account', async () => {
    const res = await introspect(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      active: true,
      scope: 'stats',
      client_id: caller.clientId,
      sub: caller.clientId,
      token_type: 'Bearer',
      iss: keygate.config.publicUrl,
      aud: keygate.config.audience,
      region: 'emea',
    });
    expect(Number(res.body?.exp) - Number(res.body?.iat)).toBe(7200);
  });

  it('lets another credential of the same account introspect', async () => {
    const other = await keygate.createCredential(['users:read']);
    expect((await introspect(token, other)).body?.active).toBe(true);
  });

  it('reads forged, tampered and garbage tokens as inactive', async () => {
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'globalpci' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${p}.`;
    for (const bad of [tampered, none, 'not-a-jwt', `${token}x`]) {
      expect((await introspect(bad)).body).toEqual({ active: false });
    }
  });

  it('reads the token of a deleted or disabled credential as inactive', async () => {
    const doomed = await keygate.createCredential(['stats']);
    const doomedToken = await issue(doomed, 'stats');
    await keygate.credentials.update(doomed.id, { disabled: true });
    expect((await introspect(doomedToken)).body).toEqual({ active: false });
    await keygate.credentials.delete(doomed.id);
    expect((await introspect(doomedToken)).body).toEqual({ active: false });
  });

  it('requires client authentication', async () => {
    const res = await postForm(keygate.url + INTROSPECT, { token });
    expect(res.status).toBe(401);
    expect(res.body?.error).toBe('invalid_client');
  });

  it('requires the token parameter', async () => {
    const res = await postForm(
      keygate.url + INTROSPECT,
      {},
      { authorization: basic(caller.clientId, caller.clientSecret) },
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The token parameter is missing',
    });
  });
});
