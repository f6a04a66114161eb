import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiDocumentError } from '../../src/gateway/api-document.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken, signWithServerKey } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

const INVALID = { error: 'invalid_token', error_description: 'The access token is invalid or has expired' };

describe('gateway: refused calls', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let client: { clientId: string; clientSecret: string };
  const call = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${keygate.gatewayUrl}${path}`, { headers });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      upstreamTimeoutMs: 300,
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    client = await keygate.createCredential(['agents-availability:read', 'stats', 'admin:read']);
  });
  afterAll(async () => {
    await keygate.stop();
    await upstream.close();
  });

  it('401 without a token, with the VCC body and a bare Bearer challenge', async () => {
    const res = await call('/agents-availability');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The access token is missing',
    });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
  });

  it('401 for a forged, tampered or garbage token, with error="invalid_token"', async () => {
    const token = await issueToken(keygate, client, 'agents-availability:read');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'stats' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${p}.`;
    // Used first, so the gateway remembers its signature: the tampered token borrows it.
    expect((await call('/agents-availability', { authorization: `Bearer ${token}` })).status).toBe(200);
    for (const bad of [tampered, none, 'abc', `${token}x`]) {
      const res = await call('/agents-availability', { authorization: `Bearer ${bad}` });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(INVALID);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('401 for an expired token, one of another region, audience or issuer, or without typ at+jwt', async () => {
    const base = { client_id: client.clientId, sub: client.clientId, scope: 'agents-availability:read' };
    const account = (await keygate.store.accounts.list())[0]!;
    const good = await signWithServerKey(keygate, { ...base, account_id: account.id });
    expect((await call('/agents-availability', { authorization: `Bearer ${good}` })).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [
      { iat: now - 7300, exp: now - 100 },
      { region: 'nam' },
      { aud: 'https://elsewhere.example' },
      { iss: 'https://evil.example' },
    ]) {
      const token = await signWithServerKey(keygate, { ...base, account_id: account.id, ...claims });
      const res = await call('/agents-availability', { authorization: `Bearer ${token}` });
      expect(res.status, JSON.stringify(claims)).toBe(401);
      expect(await res.json()).toEqual(INVALID);
    }
  });

  it('403 insufficient_scope naming the scopes the route accepts', async () => {
    const token = await issueToken(keygate, client, 'stats');
    const res = await call('/agents-availability', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'The access token does not have a scope this API accepts: agents-availability:read',
    });
    expect(res.headers.get('www-authenticate')).toContain(
      'error="insufficient_scope", scope="agents-availability:read"',
    );
  });

  it('404 for anything no API declares, whatever the token (default-deny)', async () => {
    const token = await issueToken(keygate, client, 'agents-availability:read');
    for (const [method, path] of [
      ['GET', '/admin/secrets'],
      ['DELETE', '/agents-availability'],
      ['GET', '/agents-availability/extra'],
    ] as const) {
      const res = await fetch(`${keygate.gatewayUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: 'not_found',
        error_description: `No API at ${method} ${path}`,
      });
    }
  });

  it('400 for a malformed Bearer header', async () => {
    const res = await call('/agents-availability', { authorization: 'Bearer two words' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('reads the scheme in any case, then exactly a b64token (RFC 6750 §2.1), spaces around it', async () => {
    const token = await issueToken(keygate, client, 'agents-availability:read');
    // fetch trims the header value's outer spaces and tabs, so spaces after the token and a tab
    // are sent inside or after a visible character.
    const answers: Record<string, number> = {
      [`bearer ${token}`]: 200,
      [`BEARER   ${token}   `]: 200,
      [`Bearer ${token}   x`]: 400,
      [`Bearer\t${token}`]: 400,
      [`Bearer ${token}\t.`]: 400,
      [`Bearer ${token.slice(0, 20)}=${token.slice(20)}`]: 400,
      [`Bearer ${token}==`]: 401,
      [`Bearer ${token.replace('.', '!')}`]: 400,
      [`DPoP ${token}`]: 401,
      Bearer: 400,
      [`Bearer${token}`]: 401,
      [`Basic ${token}`]: 401,
    };
    for (const [authorization, status] of Object.entries(answers)) {
      const res = await call('/agents-availability', { authorization });
      expect(res.status, authorization.slice(0, 40)).toBe(status);
      const body = (await res.json()) as { error: string; error_description: string };
      if (status === 400) expect(body.error_description).toMatch(/must be "Bearer <access token>"/);
      if (status === 401 && !authorization.startsWith('DPoP') && !authorization.endsWith('==')) {
        expect(body).toEqual({ error: 'invalid_request', error_description: 'The access token is missing' });
      }
    }
  });

  it('406 for a version the API does not serve; the versions it serves pass', async () => {
    const token = await issueToken(keygate, client, 'agents-availability:read');
    const v3 = await call('/agents-availability', {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.newvoicemedia.v3+json',
    });
    expect(v3.status).toBe(406);
    expect(await v3.json()).toEqual({
      error: 'not_acceptable',
      error_description: 'This API serves application/vnd.newvoicemedia.v1+json',
    });
  });

  it('504 when the upstream is too slow, with a JSON body', async () => {
    const token = await issueToken(keygate, client, 'admin:read');
    const res = await call('/orders/slow', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({
      error: 'gateway_timeout',
      error_description: 'The API did not answer in time',
    });
  });
});

describe('gateway: upstream down, limits, configuration', () => {
  it('502 with a JSON body when the upstream is down', async () => {
    const upstream = await startEchoUpstream();
    await upstream.close();
    const keygate = await startTestKeygate({
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    try {
      const client = await keygate.createCredential(['admin:read']);
      const token = await issueToken(keygate, client, 'admin:read');
      const res = await fetch(`${keygate.gatewayUrl}/orders`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ error: 'bad_gateway', error_description: 'The API is unavailable' });
    } finally {
      await keygate.stop();
    }
  });

  it('429 past the account’s fair-usage limit, shared by all APIs and credentials of the account', async () => {
    const upstream = await startEchoUpstream();
    const keygate = await startTestKeygate({
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
      rateLimitPlans: { standard: { perAccount: { limit: 3, windowSeconds: 60 } } },
    });
    try {
      const a = await keygate.createCredential(['agents-availability:read']);
      const b = await keygate.createCredential(['admin:read']);
      const tokenA = await issueToken(keygate, a, 'agents-availability:read');
      const tokenB = await issueToken(keygate, b, 'admin:read');
      const statuses = [];
      for (const [path, token] of [
        ['/agents-availability', tokenA],
        ['/orders', tokenB],
        ['/agents-availability', tokenA],
        ['/orders', tokenB],
      ] as const) {
        const res = await fetch(`${keygate.gatewayUrl}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(res.headers.get('ratelimit-remaining')).toBe('0');
          expect(((await res.json()) as { error: string }).error).toBe('too_many_requests');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await keygate.stop();
      await upstream.close();
    }
  });

  it('applies an optional per-credential limit within the account limit', async () => {
    const keygate = await startTestKeygate({
      rateLimitPlans: {
        standard: {
          perAccount: { limit: 100, windowSeconds: 60 },
          perCredential: { limit: 2, windowSeconds: 60 },
        },
      },
    });
    try {
      const a = await keygate.createCredential(['agents-availability:read']);
      const b = await keygate.createCredential(['agents-availability:read']);
      const call = async (c: typeof a) =>
        (
          await fetch(`${keygate.gatewayUrl}/agents-availability`, {
            headers: { authorization: `Bearer ${await issueToken(keygate, c, 'agents-availability:read')}` },
          })
        ).status;
      expect([await call(a), await call(a), await call(a), await call(b)]).toEqual([200, 200, 429, 200]);
    } finally {
      await keygate.stop();
    }
  });

  it('refuses to start when an operation declares no scope (default-deny)', async () => {
    await expect(
      startTestKeygate({
        apiDocuments: [
          { file: writeOrdersDocument({ withoutSecurity: true }), upstream: 'http://127.0.0.1:9' },
        ],
      }),
    ).rejects.toThrow(ApiDocumentError);
    await expect(
      startTestKeygate({
        apiDocuments: [
          { file: writeOrdersDocument({ withoutSecurity: true }), upstream: 'http://127.0.0.1:9' },
        ],
      }),
    ).rejects.toThrow(/POST \/orders declares no security requirement with a scope/);
  });

  it('refuses to start when an upstream is not an origin (it has a path)', async () => {
    await expect(
      startTestKeygate({
        apiDocuments: [{ file: writeOrdersDocument(), upstream: 'http://127.0.0.1:9/v1' }],
      }),
    ).rejects.toThrow(
      'the upstream of the orders API, http://127.0.0.1:9/v1, is not an origin undici can call',
    );
  });
});
