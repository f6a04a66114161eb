import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basic,
  postForm,
  requestToken,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';

describe('token endpoint: errors in the RFC 6749 §5.2 envelope', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };
  const url = () => keygate.url + TOKEN_PATH;
  const valid = () => ({
    grant_type: 'client_credentials',
    client_id: client.clientId,
    client_secret: client.clientSecret,
    scope: 'stats',
  });

  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['stats', 'users:read']);
  });
  afterAll(() => keygate.stop());

  it('refuses an unknown grant type with the VCC text', async () => {
    const res = await postForm(url(), { ...valid(), grant_type: 'password' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a missing grant type as invalid_request', async () => {
    const { grant_type: _omitted, ...form } = valid();
    const res = await postForm(url(), form);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The grant_type parameter is missing',
    });
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a %s scope with the VCC text', async (_case, scope) => {
    const { scope: _omitted, ...form } = valid();
    const res = await postForm(url(), scope === undefined ? form : { ...form, scope });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_scope', error_description: 'You must specify a scope' });
  });

  it('refuses a scope the credential does not hold, naming it', async () => {
    const res = await postForm(url(), { ...valid(), scope: 'stats globalpci' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_scope',
      error_description: 'The client is not allowed the requested scope: globalpci',
    });
  });

  it('refuses scope characters RFC 6749 does not allow', async () => {
    const res = await postForm(url(), { ...valid(), scope: 'stats "quoted"' });
    expect(res.status).toBe(400);
    expect(res.body?.error).toBe('invalid_scope');
  });

  it('refuses a wrong secret with 401 invalid_client and no WWW-Authenticate for client_secret_post', async () => {
    const other = await keygate.createCredential(['stats']);
    const res = await postForm(url(), { ...valid(), client_secret: other.clientSecret });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('answers an unknown client ID exactly like a wrong secret', async () => {
    const res = await postForm(url(), { ...valid(), client_id: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
  });

  it('refuses a malformed secret (bad checksum) without a store lookup, with the same answer', async () => {
    const tampered = client.clientSecret.slice(0, -1) + (client.clientSecret.endsWith('A') ? 'B' : 'A');
    const res = await postForm(url(), { ...valid(), client_secret: tampered });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
  });

  it('refuses missing client authentication', async () => {
    const res = await postForm(url(), { grant_type: 'client_credentials', scope: 'stats' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
  });

  it('adds WWW-Authenticate: Basic when Basic authentication failed', async () => {
    const res = await postForm(
      url(),
      { grant_type: 'client_credentials', scope: 'stats' },
      { authorization: basic(client.clientId, 'kgs_wrong') },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="keygate"/);
    expect(res.body?.error).toBe('invalid_client');
  });

  it('refuses two authentication methods at once', async () => {
    const res = await postForm(url(), valid(), {
      authorization: basic(client.clientId, client.clientSecret),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description:
        'Use one client authentication method: HTTP Basic or client_secret in the body, not both',
    });
  });

  it('refuses a body client_id that differs from the Basic one', async () => {
    const res = await postForm(
      url(),
      { grant_type: 'client_credentials', scope: 'stats', client_id: 'someoneelse' },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(res.status).toBe(400);
    expect(res.body?.error).toBe('invalid_request');
  });

  it('refuses a malformed Basic header', async () => {
    const res = await postForm(
      url(),
      { grant_type: 'client_credentials', scope: 'stats' },
      { authorization: 'Basic !!!' },
    );
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The Authorization header is not valid HTTP Basic',
    });
  });

  it('refuses a parameter sent twice', async () => {
    const body = `${new URLSearchParams(valid()).toString()}&scope=users%3Aread`;
    const res = await postForm(url(), body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The scope parameter is included more than once',
    });
  });

  it.each([
    ['application/json', JSON.stringify({ grant_type: 'client_credentials' })],
    ['text/plain', 'grant_type=client_credentials'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('refuses a %s body as invalid_request', async (contentType, body) => {
    const response = await fetch(url(), { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body must be application/x-www-form-urlencoded',
    });
  });

  it('refuses a request without a body', async () => {
    const response = await fetch(url(), { method: 'POST' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses a body over 16 KiB with 413', async () => {
    const res = await postForm(url(), { ...valid(), padding: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large',
    });
  });

  it('answers GET with 404 JSON, not a crash', async () => {
    const response = await fetch(url());
    expect(response.status).toBe(404);
  });

  it('refuses a disabled credential with unauthorized_client, and serves it again once enabled', async () => {
    const target = await keygate.createCredential(['stats']);
    const form = {
      grant_type: 'client_credentials',
      client_id: target.clientId,
      client_secret: target.clientSecret,
      scope: 'stats',
    };
    await keygate.credentials.update(target.id, { disabled: true });
    const refused = await postForm(url(), form);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'unauthorized_client',
      error_description: 'The client is disabled',
    });
    await keygate.credentials.update(target.id, { disabled: false });
    expect((await postForm(url(), form)).status).toBe(200);
  });

  it('refuses an expired credential with unauthorized_client', async () => {
    const target = await keygate.createCredential(['stats']);
    await keygate.credentials.update(target.id, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    const res = await requestToken(keygate, target, 'stats');
    expect(res.body).toEqual({ error: 'unauthorized_client', error_description: 'The client has expired' });
  });

  it('refuses a deleted credential with invalid_client', async () => {
    const target = await keygate.createCredential(['stats']);
    await keygate.credentials.delete(target.id);
    const res = await requestToken(keygate, target, 'stats');
    expect(res.status).toBe(401);
    expect(res.body?.error).toBe('invalid_client');
  });

  it('keeps serving after every error above', async () => {
    expect((await postForm(url(), valid())).status).toBe(200);
    expect((await fetch(`${keygate.url}/healthz`)).status).toBe(200);
  });
});

describe('token endpoint: the store goes away', () => {
  it('answers 503 temporarily_unavailable with a JSON body, and /readyz says unavailable', async () => {
    const keygate = await startTestKeygate({ logLevel: 'silent' });
    try {
      const client = await keygate.createCredential(['stats']);
      await keygate.store.close();
      const res = await requestToken(keygate, client, 'stats');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'The credential store is unavailable; retry shortly',
      });
      const ready = await fetch(`${keygate.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'the store does not answer' });
      expect((await fetch(`${keygate.url}/healthz`)).status).toBe(200);
    } finally {
      await keygate.stop();
    }
  });
});
