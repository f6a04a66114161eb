import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basic,
  postForm,
  requestToken,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';

describe('token endpoint: client credentials grant', () => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['agents-availability:read', 'stats'], 'Wallboard');
  });
  afterAll(() => keygate.stop());

  it('issues a two-hour Bearer token for one scope with client_secret_post', async () => {
    const res = await requestToken(keygate, client, 'agents-availability:read');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(res.body!).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(res.body).toMatchObject({
      expires_in: 7200,
      token_type: 'Bearer',
      scope: 'agents-availability:read',
    });
  });

  it('accepts HTTP Basic client authentication, as the official samples send it', async () => {
    const res = await postForm(
      keygate.url + TOKEN_PATH,
      { grant_type: 'client_credentials', scope: 'stats' },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(res.status).toBe(200);
    expect(res.body?.scope).toBe('stats');
  });

  it('accepts several space-separated scopes and drops repeats', async () => {
    const res = await requestToken(keygate, client, 'stats agents-availability:read stats');
    expect(res.status).toBe(200);
    expect(res.body?.scope).toBe('stats agents-availability:read');
  });

  it('mints an RFC 9068 JWT that verifies against the published JWKS', async () => {
    const res = await requestToken(keygate, client, 'stats');
    const token = String(res.body?.access_token);
    const jwks = (await (await fetch(`${keygate.url}/.well-known/jwks.json`)).json()) as { keys: [] };
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: keygate.config.publicUrl,
      audience: keygate.config.audience,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(decodeProtectedHeader(token).kid).toEqual(expect.any(String));
    const account = (await keygate.store.accounts.list())[0]!;
    expect(payload).toMatchObject({
      sub: client.clientId,
      client_id: client.clientId,
      scope: 'stats',
      account_id: account.id,
      region: 'emea',
    });
    expect(payload.exp! - payload.iat!).toBe(7200);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every token its own jti', async () => {
    const form = {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'stats',
    };
    const [a, b] = await Promise.all([
      postForm(keygate.url + TOKEN_PATH, form),
      postForm(keygate.url + TOKEN_PATH, form),
    ]);
    const jti = (t: unknown) => JSON.parse(Buffer.from(String(t).split('.')[1]!, 'base64url').toString()).jti;
    expect(jti(a.body?.access_token)).not.toBe(jti(b.body?.access_token));
  });

  it('records last use without a write per request, then flushes it to the store', async () => {
    const fresh = await keygate.createCredential(['stats']);
    await requestToken(keygate, fresh, 'stats');
    await keygate.flushUsage();
    const stored = await keygate.store.credentials.findByClientId(fresh.clientId);
    expect(stored?.lastUsedAt).not.toBeNull();
    expect(await keygate.store.usage.daily(fresh.id)).toEqual([
      { day: new Date().toISOString().slice(0, 10), scope: 'stats', tokensIssued: 1, apiCalls: 0 },
    ]);
  });
});

describe('token endpoint: configured lifetime', () => {
  it('uses tokenLifetimeSeconds for expires_in and exp', async () => {
    const keygate = await startTestKeygate({ tokenLifetimeSeconds: 600 });
    try {
      const client = await keygate.createCredential(['stats']);
      const res = await requestToken(keygate, client, 'stats');
      expect(res.body?.expires_in).toBe(600);
      const payload = JSON.parse(
        Buffer.from(String(res.body?.access_token).split('.')[1]!, 'base64url').toString(),
      );
      expect(payload.exp - payload.iat).toBe(600);
    } finally {
      await keygate.stop();
    }
  });
});
