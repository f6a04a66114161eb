import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caddyMissing, startCaddy } from '../helpers/caddy.js';
import { opensslMissing, selfSigned } from '../helpers/certificates.js';
import { documentedConfiguration, documentedSettings } from '../helpers/documented-config.js';
import { dpopBoundToken, dpopKey, proof } from '../helpers/dpop-proof.js';
import {
  agentFrom,
  postForm,
  revokeToken,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';
import { nginxMissing, startNginx } from '../helpers/nginx.js';
import { rawRequest } from '../helpers/raw-http.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream } from '../helpers/upstream.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

/**
 * Forward-auth behind the proxies people already run, each started from Debian's package with the
 * configuration docs/forward-auth.md gives, read from that file: the proxy proxies, Keygate judges.
 */
/** A user's own API: a list, a create that needs more, and one item by ID. */
function ordersDocument(): string {
  const read = { security: [{ oauth: ['admin:read'] }], responses: { 200: { description: 'ok' } } };
  const write = { security: [{ oauth: ['admin:write'] }], responses: { 200: { description: 'ok' } } };
  const path = join(mkdtempSync(join(tmpdir(), 'keygate-doc-')), 'orders.json');
  writeFileSync(
    path,
    JSON.stringify({
      openapi: '3.1.0',
      info: { title: 'Orders', version: '1' },
      'x-keygate-api': 'orders',
      paths: { '/orders': { get: read, post: write }, '/orders/{orderId}': { get: read } },
    }),
  );
  return path;
}

const PROXIES = [
  {
    name: 'nginx',
    missing: nginxMissing,
    start: (judge: string, api: string) =>
      startNginx((listen) => documentedConfiguration('nginx', { listen, judge, api })),
  },
  {
    name: 'Caddy',
    missing: caddyMissing,
    start: (judge: string, api: string) =>
      startCaddy((listen) => documentedConfiguration('caddyfile', { listen, judge, api })),
  },
];

/** Calls allowed per account per minute: the test that goes over it runs last. */
const LIMIT = 20;

describe.each(PROXIES)('forward-auth behind $name', ({ name, missing, start }) => {
  describe.skipIf(missing)('', () => {
    let keygate: TestKeygate;
    let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
    let proxy: { url: string; stop(): Promise<void> };
    let client: { clientId: string; clientSecret: string };
    let token: string;

    beforeAll(async () => {
      upstream = await startEchoUpstream();
      keygate = await startTestKeygate({
        // As the guide starts it (trustProxy naming the proxy), on a free port.
        ...documentedSettings('forward-auth.md'),
        forwardAuthPort: 0,
        // The mutual TLS guide's header, read from the proxy: a caller's own must never pass.
        clientCertificateHeader: 'x-ssl-client-cert',
        dpopNonces: true,
        apiDocuments: [{ file: ordersDocument(), upstream: upstream.url }],
        rateLimitPlans: { standard: { perAccount: { limit: LIMIT, windowSeconds: 60 } } },
      });
      client = await keygate.createCredential(['admin:read']);
      await keygate.credentials.update(client.clientId, {
        metadata: { team: 'payments', region_code: 'eu-1' },
      });
      token = await issueToken(keygate, client, 'admin:read');
      proxy = await start(new URL(keygate.forwardAuthUrl!).host, new URL(upstream.url).host);
    });
    afterAll(async () => {
      await proxy?.stop();
      await keygate?.stop();
      await upstream?.close();
    });

    const call = (path: string, init: RequestInit = {}) => fetch(proxy.url + path, init);
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
    const secretOf = (credential: { clientId: string; clientSecret: string }) => ({
      client_id: credential.clientId,
      client_secret: credential.clientSecret,
    });

    it('right scope: 200 from the API, with the identity Keygate gives and without the token', async () => {
      const before = upstream.seen.length;
      const answer = await call('/orders/o-17?expand=lines', { headers: bearer(token) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ echoed: '/orders/o-17?expand=lines', body: '' });
      expect(upstream.seen.length).toBe(before + 1);
      const seen = upstream.seen.at(-1)!;
      const account = (await keygate.store.accounts.list())[0]!;
      expect(seen.headers['x-keygate-account-id']).toBe(account.id);
      expect(seen.headers['x-keygate-client-id']).toBe(client.clientId);
      expect(seen.headers['x-keygate-scopes']).toBe('admin:read');
      expect(JSON.parse(String(seen.headers['x-keygate-metadata']))).toEqual({
        team: 'payments',
        region_code: 'eu-1',
      });
      expect(seen.headers.authorization).toBeUndefined();
    });

    it('a credential without metadata: {} reaches the API, never a placeholder', async () => {
      const plain = await keygate.createCredential(['admin:read'], 'No metadata');
      const answer = await call('/orders', {
        headers: bearer(await issueToken(keygate, plain, 'admin:read')),
      });
      expect(answer.status).toBe(200);
      expect(upstream.seen.at(-1)!.headers['x-keygate-metadata']).toBe('{}');
    });

    it('wrong scope: 403 with scope=, the gateway’s own answer, and the API never called', async () => {
      const before = upstream.seen.length;
      const answer = await call('/orders', { method: 'POST', headers: bearer(token), body: '{}' });
      const own = await fetch(`${keygate.gatewayUrl}/orders`, {
        method: 'POST',
        headers: bearer(token),
        body: '{}',
      });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('www-authenticate')).toContain('scope="admin:write"');
      expect(answer.headers.get('www-authenticate')).toBe(own.headers.get('www-authenticate'));
      expect(await answer.json()).toEqual(await own.json());
      expect(upstream.seen.length).toBe(before);
    });

    it('no token: 401 with the Bearer challenge and the gateway’s body', async () => {
      const answer = await call('/orders');
      const own = await fetch(`${keygate.gatewayUrl}/orders`);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="keygate"');
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await answer.json()).toEqual(await own.json());
    });

    it('revoked: 401 invalid_token within 1 s', async () => {
      const revoked = await issueToken(keygate, client, 'admin:read');
      expect((await call('/orders', { headers: bearer(revoked) })).status).toBe(200);
      expect((await revokeToken(keygate, client, revoked)).status).toBe(200);
      await withinOneSecond(async () => {
        const answer = await call('/orders', { headers: bearer(revoked) });
        expect(answer.status).toBe(401);
        expect(await answer.json()).toMatchObject({ error: 'invalid_token' });
      });
    });

    it('a target the API could read as another route: 400 before the API sees it', async () => {
      const before = upstream.seen.length;
      const answer = await rawRequest(
        proxy.url,
        `GET /orders/x%2F..%2F..%2Fadmin%2Fkeys HTTP/1.1\nhost: api.test\nauthorization: Bearer ${token}`,
      );
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
      expect(upstream.seen.length).toBe(before);
    });

    it('a call no API declares: 404 in the gateway’s envelope', async () => {
      const answer = await call('/admin/keys', { headers: bearer(token) });
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({ error: 'not_found' });
    });

    it('a DPoP call: asked for the server’s nonce, then admitted with it', async () => {
      const key = await dpopKey();
      const bound = await dpopBoundToken(`${keygate.url}${TOKEN_PATH}`, client, 'admin:read', key);
      // The proof names the URL the caller calls: the proxy's, which it tells Keygate.
      const htu = `${proxy.url}/orders`;
      const dpopCall = async (claims: Record<string, unknown>) =>
        call('/orders', {
          headers: {
            authorization: `DPoP ${bound}`,
            dpop: await proof(key, 'GET', htu, { accessToken: bound, claims }),
          },
        });
      const asked = await dpopCall({});
      expect(asked.status).toBe(401);
      expect(asked.headers.get('www-authenticate')).toMatch(/^DPoP .*error="use_dpop_nonce"/);
      expect(await asked.json()).toMatchObject({ error: 'use_dpop_nonce' });
      const nonce = asked.headers.get('dpop-nonce');
      expect(nonce).toMatch(/^[\w-]{32}$/);
      const admitted = await dpopCall({ nonce });
      expect(admitted.status).toBe(200);
      // Caddy's forward_auth cannot add the judge's headers to the answer; nginx, configured so, does.
      if (name === 'nginx') expect(admitted.headers.get('dpop-nonce')).toMatch(/^[\w-]{32}$/);
    });

    /** A call through the proxy from `address` (a loopback address, as another machine would be). */
    const callFrom = async (address: string, path: string, headers: Record<string, string>) => {
      const answer = await undiciFetch(proxy.url + path, { headers, dispatcher: agentFrom(address) });
      return { status: answer.status, body: await answer.text() };
    };

    it('a caller outside the allowlist who forges X-Forwarded-For: 401, the API never called', async () => {
      const fenced = await keygate.createCredential(['admin:read'], 'Office only');
      await keygate.credentials.update(fenced.id, { allowedCidrs: ['127.0.0.9/32'] });
      const issued = await postForm(
        keygate.url + TOKEN_PATH,
        { grant_type: 'client_credentials', scope: 'admin:read', ...secretOf(fenced) },
        {},
        '127.0.0.9',
      );
      const fencedToken = String(issued.body?.access_token);
      expect((await callFrom('127.0.0.9', '/orders', bearer(fencedToken))).status).toBe(200);
      const before = upstream.seen.length;
      const forged = await callFrom('127.0.0.5', '/orders', {
        ...bearer(fencedToken),
        'x-forwarded-for': '127.0.0.9',
      });
      expect(forged.status).toBe(401);
      expect(JSON.parse(forged.body)).toMatchObject({ error: 'invalid_token' });
      expect(upstream.seen.length).toBe(before);
    });

    it.skipIf(opensslMissing)('a certificate-bound token with a forged certificate header: 401', async () => {
      const { cert } = selfSigned(mkdtempSync(join(tmpdir(), 'keygate-cert-')), 'payments-client');
      const header = { 'x-ssl-client-cert': encodeURIComponent(cert) };
      // Asked for as the TLS terminator would (from the trusted proxy's address): bound to the certificate.
      const issued = await postForm(
        keygate.url + TOKEN_PATH,
        { grant_type: 'client_credentials', scope: 'admin:read', ...secretOf(client) },
        header,
      );
      expect(issued.status).toBe(200);
      const before = upstream.seen.length;
      const forged = await callFrom('127.0.0.5', '/orders', {
        ...bearer(String(issued.body?.access_token)),
        ...header,
      });
      expect(forged.status).toBe(401);
      expect(upstream.seen.length).toBe(before);
    });

    it.each([
      ['x-http-method-override', 'POST'],
      ['x-method-override', 'DELETE'],
      ['x-original-url', '/orders/o-1/cancel'],
      ['x-rewrite-url', '/admin/keys'],
    ])('a call carrying %s: 400, the API never called', async (name, value) => {
      const before = upstream.seen.length;
      const answer = await call('/orders', { headers: { ...bearer(token), [name]: value } });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({
        error: 'invalid_request',
        error_description: `The ${name} header is not accepted`,
      });
      expect(upstream.seen.length).toBe(before);
    });

    it.each([
      ['x-keygate-account-id', 'someone-else'],
      ['x-keygate-scopes', 'admin:write'],
      ['x-keygate-extra', 'anything'],
    ])('a caller’s own %s: 400, the API never called', async (header, value) => {
      const before = upstream.seen.length;
      const answer = await call('/orders', { headers: { ...bearer(token), [header]: value } });
      expect(answer.status).toBe(400);
      expect(upstream.seen.length).toBe(before);
    });

    it('what a caller says of itself never reaches the API; the proxy says who called', async () => {
      const forged = {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'gopher',
        'x-forwarded-port': '6666',
        'x-forwarded-prefix': '/admin',
        'x-real-ip': '10.9.9.9',
        forwarded: 'for=10.9.9.9;host=evil.example',
        'true-client-ip': '10.9.9.9',
        'x-client-ip': '10.9.9.9',
        'cf-connecting-ip': '10.9.9.9',
      };
      const answer = await callFrom('127.0.0.5', '/orders', { ...bearer(token), ...forged });
      expect(answer.status).toBe(200);
      const { headers } = upstream.seen.at(-1)!;
      expect(headers['x-forwarded-for']).toBe('127.0.0.5');
      expect(headers['x-forwarded-proto']).toBe('http');
      // nginx's $host has no port; Caddy's has the port the caller used.
      expect([new URL(proxy.url).hostname, new URL(proxy.url).host]).toContain(headers['x-forwarded-host']);
      for (const [name, value] of Object.entries(forged)) expect(headers[name], name).not.toBe(value);
      for (const name of ['x-forwarded-port', 'x-forwarded-prefix', 'forwarded', 'true-client-ip']) {
        expect(headers[name], name).toBeUndefined();
      }
    });

    it('an identity header spelled with underscores never reaches the API', async () => {
      const before = upstream.seen.length;
      const answer = await call('/orders', { headers: { ...bearer(token), x_keygate_account_id: 'victim' } });
      if (name === 'nginx') {
        // nginx drops names with underscores itself (underscores_in_headers off).
        expect(answer.status).toBe(200);
        expect(upstream.seen.at(-1)!.headers).not.toHaveProperty('x_keygate_account_id');
      } else {
        expect(answer.status).toBe(400);
        expect(upstream.seen.length).toBe(before);
      }
    });

    it('over the limit: 429 with Retry-After', async () => {
      let answer: Response | undefined;
      for (let i = 0; i <= LIMIT; i++) {
        answer = await call('/orders', { headers: bearer(token) });
        if (answer.status === 429) break;
        await answer.arrayBuffer();
      }
      expect(answer?.status).toBe(429);
      expect(Number(answer?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await answer?.json()).toMatchObject({ error: 'too_many_requests' });
    });
  });
});
