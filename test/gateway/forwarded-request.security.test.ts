import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { nginxMissing, type RunningNginx, startNginx } from '../helpers/nginx.js';
import { rawRequest } from '../helpers/raw-http.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

/**
 * The gateway forwards exactly what it checked: the route whose scope it checked is the route the
 * upstream serves, with the method it checked, and the caller's identity as the gateway saw it.
 * Requests go over raw sockets: fetch and undici would normalise the very targets under test.
 */
describe.skipIf(nginxMissing)('gateway: scope bypass through a normalising upstream (nginx)', () => {
  let keygate: TestKeygate;
  let nginx: RunningNginx;
  let usersToken: string;

  beforeAll(async () => {
    // nginx decodes and normalises the path before choosing a location, as the attack needs; each
    // location names itself, so the test sees which API a call reached.
    nginx = await startNginx(
      (port) => `server {
    listen 127.0.0.1:${port};
    default_type application/json;
    location /stats/ { return 200 '{"api":"stats","uri":"$uri"}'; }
    location /useradmin/ { return 200 '{"api":"useradmin","uri":"$uri"}'; }
    location / { return 200 '{"api":"other","uri":"$uri"}'; }
  }`,
    );
    keygate = await startTestKeygate({ upstreams: { useradmin: nginx.url, stats: nginx.url } });
    const client = await keygate.createCredential(['users:read']);
    usersToken = await issueToken(keygate, client, 'users:read');
  });
  afterAll(async () => {
    await keygate?.stop();
    await nginx?.stop();
  });

  const get = (target: string) =>
    rawRequest(
      keygate.gatewayUrl!,
      `GET ${target} HTTP/1.1\nhost: gateway.test\nauthorization: Bearer ${usersToken}`,
    );

  it('reaches the users route it checked with an ordinary user ID', async () => {
    const answer = await get('/useradmin/users/6f1c2a');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ api: 'useradmin', uri: '/useradmin/users/6f1c2a' });
  });

  it.each([
    '/useradmin/users/..%2F..%2Fstats%2Finteractions',
    '/useradmin/users/..%2f..%2fstats%2finteractions',
    '/useradmin/users/%2e%2e%2f%2e%2e%2fstats%2finteractions',
    '/useradmin/users/..%5C..%5Cstats%5Cinteractions',
    '/useradmin/users/..%5c..%5cstats',
    '/useradmin/users/%2e%2e',
    '/useradmin/users/..',
    '/useradmin/users/..;',
    '/useradmin/users/x%3B..',
    '/useradmin/users/%252e%252e%252fstats',
    '/useradmin/users/%00',
  ])('refuses %s with 400 before any upstream sees it', async (target) => {
    const answer = await get(target);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
    expect(answer.body).not.toContain('"api":"stats"');
  });

  it('forwards a user ID with escaped characters in one canonical encoding, to the same route', async () => {
    const answer = await get('/useradmin/users/j%C3%B6rg%40example');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ api: 'useradmin', uri: '/useradmin/users/jörg@example' });
  });
});

describe('gateway: what reaches the upstream', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let token: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    const client = await keygate.createCredential(['admin:read']);
    token = await issueToken(keygate, client, 'admin:read');
  });
  afterAll(async () => {
    await keygate.stop();
    await upstream.close();
  });

  const lastSeen = () => upstream.seen.at(-1)!;

  it('absolute-form target: forwarded in origin-form with the upstream’s own Host', async () => {
    const before = upstream.seen.length;
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      `GET http://internal-admin.internal/orders?x=1 HTTP/1.1\nhost: internal-admin.internal\nauthorization: Bearer ${token}`,
    );
    expect(answer.status).toBe(200);
    expect(upstream.seen.length).toBe(before + 1);
    expect(lastSeen().url).toBe('/orders?x=1');
    expect(lastSeen().headers.host).toBe(new URL(upstream.url).host);
  });

  it('method and URL override headers: stripped, so a checked GET stays a GET on the checked path', async () => {
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      [
        'GET /orders HTTP/1.1',
        'host: gateway.test',
        `authorization: Bearer ${token}`,
        'x-http-method-override: DELETE',
        'x-http-method: DELETE',
        'x-method-override: DELETE',
        'x-original-method: DELETE',
        'x-original-url: /orders/all',
        'x-rewrite-url: /orders/all',
      ].join('\n'),
    );
    expect(answer.status).toBe(200);
    const seen = lastSeen();
    expect(seen.method).toBe('GET');
    expect(seen.url).toBe('/orders');
    for (const name of [
      'x-http-method-override',
      'x-http-method',
      'x-method-override',
      'x-original-method',
      'x-original-url',
      'x-rewrite-url',
    ]) {
      expect(seen.headers[name], name).toBeUndefined();
    }
  });

  it('a _method query parameter is refused', async () => {
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      `GET /orders?_method=DELETE HTTP/1.1\nhost: gateway.test\nauthorization: Bearer ${token}`,
    );
    expect(answer.status).toBe(400);
  });

  it('headers named in Connection: dropped as hop-by-hop (RFC 9110 §7.6.1)', async () => {
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      [
        'GET /orders HTTP/1.1',
        'host: gateway.test',
        `authorization: Bearer ${token}`,
        'connection: keep-alive, X-Internal-Auth, x-tenant',
        'x-internal-auth: let-me-in',
        'x-tenant: other',
        'x-kept: yes',
      ].join('\n'),
    );
    expect(answer.status).toBe(200);
    const seen = lastSeen();
    expect(seen.headers['x-internal-auth']).toBeUndefined();
    expect(seen.headers['x-tenant']).toBeUndefined();
    expect(seen.headers['x-kept']).toBe('yes');
  });

  it('forged forwarding headers: replaced by what the gateway itself saw', async () => {
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      [
        'GET /orders HTTP/1.1',
        'host: gateway.test',
        `authorization: Bearer ${token}`,
        'x-forwarded-for: 10.9.9.9',
        'x-forwarded-proto: https',
        'x-forwarded-host: admin.internal',
        'x-forwarded-prefix: /admin',
        'x-real-ip: 10.9.9.9',
        'forwarded: for=10.9.9.9;proto=https',
      ].join('\n'),
    );
    expect(answer.status).toBe(200);
    const { headers } = lastSeen();
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('gateway.test');
    expect(headers['x-forwarded-prefix']).toBeUndefined();
    expect(headers['x-real-ip']).toBeUndefined();
    expect(headers.forwarded).toBeUndefined();
  });

  it('client address, host override and Envoy headers: dropped, none reaches the API', async () => {
    const dropped = [
      'true-client-ip',
      'x-client-ip',
      'x-cluster-client-ip',
      'cf-connecting-ip',
      'fastly-client-ip',
      'client-ip',
      'x-original-uri',
      'x-host',
      'x-original-host',
      'x-http-host-override',
      'x-envoy-original-path',
      'x-middleware-subrequest',
    ];
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      [
        'GET /orders HTTP/1.1',
        'host: gateway.test',
        `authorization: Bearer ${token}`,
        ...dropped.map((name) => `${name}: 10.9.9.9`),
        'x-kept: yes',
      ].join('\n'),
    );
    expect(answer.status).toBe(200);
    const { headers } = lastSeen();
    for (const name of dropped) expect(headers[name], name).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
  });

  it('reserved headers spelled with underscores: dropped, so a WSGI API cannot merge them with the real ones', async () => {
    const answer = await rawRequest(
      keygate.gatewayUrl!,
      [
        'GET /orders HTTP/1.1',
        'host: gateway.test',
        `authorization: Bearer ${token}`,
        'x_keygate_account_id: victim-account',
        'X_Keygate_Scopes: admin:write',
        'x_forwarded_for: 10.9.9.9',
        'x_http_method_override: DELETE',
        'x_real_ip: 10.9.9.9',
        'x_kept_too: yes',
      ].join('\n'),
    );
    expect(answer.status).toBe(200);
    const { headers } = lastSeen();
    expect(Object.keys(headers).filter((name) => name.includes('_'))).toEqual(['x_kept_too']);
    expect(headers['x-keygate-scopes']).toBe('admin:read');
  });

  it('a fragment in the target is refused with 400, on the gateway and the token service', async () => {
    const seenBefore = upstream.seen.length;
    const gateway = await rawRequest(
      keygate.gatewayUrl!,
      `GET /orders#x HTTP/1.1\nhost: gateway.test\nauthorization: Bearer ${token}`,
    );
    expect(gateway.status).toBe(400);
    expect(upstream.seen.length).toBe(seenBefore);
    const tokens = await rawRequest(
      keygate.url,
      'GET /.well-known/oauth-authorization-server#x HTTP/1.1\nhost: keygate.test',
    );
    expect(tokens.status).toBe(400);
    expect(JSON.parse(tokens.body)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('gateway behind a trusted proxy: forwarding headers', () => {
  it('keeps the trusted chain in X-Forwarded-For and the proxy’s Proto and Host', async () => {
    const upstream = await startEchoUpstream();
    const keygate = await startTestKeygate({
      trustProxy: '127.0.0.1',
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    try {
      const client = await keygate.createCredential(['admin:read']);
      const token = await issueToken(keygate, client, 'admin:read');
      const answer = await rawRequest(
        keygate.gatewayUrl!,
        [
          'GET /orders HTTP/1.1',
          'host: gateway.internal',
          `authorization: Bearer ${token}`,
          'x-forwarded-for: 203.0.113.7',
          'x-forwarded-proto: https',
          'x-forwarded-host: api.example',
        ].join('\n'),
      );
      expect(answer.status).toBe(200);
      const { headers } = upstream.seen.at(-1)!;
      expect(headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
      expect(headers['x-forwarded-proto']).toBe('https');
      expect(headers['x-forwarded-host']).toBe('api.example');
    } finally {
      await keygate.stop();
      await upstream.close();
    }
  });
});
