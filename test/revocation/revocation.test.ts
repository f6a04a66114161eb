import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';

const REVOKE = '/Auth/connect/revocation';
const INTROSPECT = '/Auth/connect/introspect';

describe('RFC 7009 revocation', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };
  const auth = (c = client) => ({ authorization: basic(c.clientId, c.clientSecret) });
  const issue = async (c = client) =>
    String(
      (
        await postForm(
          keygate.url + TOKEN_PATH,
          { grant_type: 'client_credentials', scope: 'stats' },
          auth(c),
        )
      ).body?.access_token,
    );

  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['stats']);
  });
  afterAll(() => keygate.stop());

  it('revokes the client’s own token: 200 with an empty body, then introspection says inactive', async () => {
    const token = await issue();
    expect((await postForm(keygate.url + INTROSPECT, { token }, auth())).body?.active).toBe(true);
    const res = await postForm(keygate.url + REVOKE, { token, token_type_hint: 'access_token' }, auth());
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect((await postForm(keygate.url + INTROSPECT, { token }, auth())).body).toEqual({ active: false });
    const changes = await keygate.store.changes.since(0);
    expect(changes.some((c) => c.topic === 'token.revoked')).toBe(true);
  });

  it('answers 200 for an unknown or already revoked token (RFC 7009 §2.2)', async () => {
    expect((await postForm(keygate.url + REVOKE, { token: 'garbage' }, auth())).status).toBe(200);
    const token = await issue();
    expect((await postForm(keygate.url + REVOKE, { token }, auth())).status).toBe(200);
    expect((await postForm(keygate.url + REVOKE, { token }, auth())).status).toBe(200);
  });

  it('refuses to revoke another client’s token, which stays active', async () => {
    const other = await keygate.createCredential(['stats']);
    const token = await issue(other);
    const res = await postForm(keygate.url + REVOKE, { token }, auth());
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description: 'The token was not issued to this client',
    });
    expect((await postForm(keygate.url + INTROSPECT, { token }, auth(other))).body?.active).toBe(true);
  });

  it('revokes a token refused for its credential’s scopes, so giving them back does not revive it', async () => {
    const token = await issue();
    const stats = `/stats/interactions?start=${new Date(Date.now() - 86_400_000).toISOString()}`;
    const gateway = async () =>
      (await fetch(keygate.gatewayUrl + stats, { headers: { authorization: `Bearer ${token}` } })).status;
    const before = await gateway();
    // The credential loses the token's only scope: the token is refused, but not for good.
    await keygate.credentials.update(client.id, { scopes: ['agents-availability:read'] });
    await keygate.syncChanges();
    const refused = await gateway();
    expect((await postForm(keygate.url + REVOKE, { token }, auth())).status).toBe(200);
    await keygate.credentials.update(client.id, { scopes: ['stats'] });
    await keygate.syncChanges();
    expect([before, refused, await gateway()]).toEqual([200, 401, 401]);
    expect((await postForm(keygate.url + INTROSPECT, { token }, auth())).body).toEqual({ active: false });
  });

  it('requires client authentication and the token parameter', async () => {
    expect((await postForm(keygate.url + REVOKE, { token: 'x' })).status).toBe(401);
    const res = await postForm(keygate.url + REVOKE, {}, auth());
    expect(res.status).toBe(400);
    expect(res.body?.error).toBe('invalid_request');
  });
});
