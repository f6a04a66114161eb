import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopBoundToken, dpopKey, proof } from '../helpers/dpop-proof.js';
import { agentFrom, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { rawRequest } from '../helpers/raw-http.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

/** Forward-auth asked directly, as Traefik and Envoy ask it; the proxies' own tests are beside this. */
describe('forward-auth', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let client: { clientId: string; clientSecret: string };
  let token: string;
  let judge: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      forwardAuthPort: 0,
      // The test asks as the proxy would, from 127.0.0.1.
      trustProxy: '127.0.0.1',
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    client = await keygate.createCredential(['admin:read']);
    token = await issueToken(keygate, client, 'admin:read');
    judge = keygate.forwardAuthUrl!;
  });
  afterAll(async () => {
    await keygate.stop();
    await upstream.close();
  });

  const ask = (headers: Record<string, string>, path = '/', method = 'GET') =>
    fetch(judge + path, { method, headers });

  it('is not served unless forwardAuthPort is set', async () => {
    const plain = await startTestKeygate();
    try {
      expect(plain.forwardAuthUrl).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it('Traefik’s question (X-Forwarded-Method and -Uri): 200 with the caller’s identity, no body', async () => {
    const answer = await ask({
      authorization: `Bearer ${token}`,
      'x-forwarded-method': 'GET',
      'x-forwarded-uri': '/orders?page=2',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-keygate-scopes')).toBe('admin:read');
    expect(answer.headers.get('x-keygate-client-id')).toMatch(/\w+/);
    expect(answer.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    expect(await answer.text()).toBe('');
    expect(upstream.seen).toHaveLength(0);
  });

  it('takes X-Forwarded-Method and -Uri only from a trusted proxy', async () => {
    const answer = await undiciFetch(`${judge}/`, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-forwarded-method': 'GET',
        'x-forwarded-uri': '/orders',
      },
      dispatcher: agentFrom('127.0.0.7'),
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The X-Forwarded-Uri header is accepted only from a trusted proxy (trustProxy)',
    });
  });

  it('takes X-Forwarded-Uri from no one when trustProxy is a number of hops', async () => {
    const counted = await startTestKeygate({
      forwardAuthPort: 0,
      trustProxy: 1,
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    try {
      const answer = await fetch(`${counted.forwardAuthUrl}/`, {
        headers: {
          authorization: `Bearer ${token}`,
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': '/orders',
        },
      });
      expect(answer.status).toBe(400);
    } finally {
      await counted.stop();
    }
  });

  it('refuses override headers in any spelling, and reserved headers spelled with underscores', async () => {
    for (const name of ['x-http-method', 'x-original-method', 'X_HTTP_Method_Override', 'x_forwarded_for']) {
      const answer = await ask({
        authorization: `Bearer ${token}`,
        'x-forwarded-method': 'GET',
        'x-forwarded-uri': '/orders',
        [name]: 'DELETE',
      });
      expect(answer.status, name).toBe(400);
      expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('Envoy’s question (the call’s own request line): the same checks', async () => {
    const admitted = await ask({ authorization: `Bearer ${token}` }, '/orders');
    expect(admitted.status).toBe(200);
    const refused = await ask({ authorization: `Bearer ${token}` }, '/orders', 'POST');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('scope="admin:write"');
  });

  it('HEAD is judged as the GET it mirrors, as on the gateway', async () => {
    const answer = await ask({
      authorization: `Bearer ${token}`,
      'x-forwarded-method': 'HEAD',
      'x-forwarded-uri': '/orders',
    });
    expect(answer.status).toBe(200);
  });

  it('counts against the same fair-usage limit as the gateway', async () => {
    const remaining = async (response: Promise<Response>) =>
      Number((await response).headers.get('ratelimit-remaining'));
    const first = await remaining(
      ask({ authorization: `Bearer ${token}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/orders' }),
    );
    const second = await remaining(
      fetch(`${keygate.gatewayUrl}/orders`, { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(second).toBe(first - 1);
  });

  it('marks with Vary: * each admission no later call may reuse: DPoP, or a call limit of its own', async () => {
    const question = { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/orders' };
    const plain = await ask({ authorization: `Bearer ${token}`, ...question });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('vary')).toBeNull();
    expect(plain.headers.get('cache-control')).toBe('no-store');

    const limited = await keygate.createCredential(['admin:read'], 'Limited');
    await keygate.credentials.update(limited.id, { callLimit: { limit: 100, windowSeconds: 60 } });
    const counted = await ask({
      authorization: `Bearer ${await issueToken(keygate, limited, 'admin:read')}`,
      ...question,
    });
    expect(counted.status).toBe(200);
    expect(counted.headers.get('vary')).toBe('*');

    const key = await dpopKey();
    const bound = await dpopBoundToken(`${keygate.url}${TOKEN_PATH}`, client, 'admin:read', key);
    const origin = { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'api.test' };
    const dpop = await ask({
      authorization: `DPoP ${bound}`,
      dpop: await proof(key, 'GET', 'http://api.test/orders', { accessToken: bound }),
      ...question,
      ...origin,
    });
    expect(dpop.status).toBe(200);
    expect(dpop.headers.get('vary')).toBe('*');
  });

  it.each([
    ['get', 200],
    ['Get', 200],
    ['DELETE', 404],
    ['G-T', 400],
  ])('reads X-Forwarded-Method %s as an HTTP method without case', async (method, status) => {
    const answer = await ask({
      authorization: `Bearer ${token}`,
      'x-forwarded-method': method,
      'x-forwarded-uri': '/orders',
    });
    expect(answer.status).toBe(status);
  });

  it('refuses a question that leaves the method to the caller', async () => {
    const answer = await ask({ authorization: `Bearer ${token}`, 'x-forwarded-uri': '/orders' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
    expect(answer.headers.get('x-keygate-status')).toBe('400');
  });

  it.each([
    ['X-Forwarded-Uri', ['x-forwarded-method: GET', 'x-forwarded-uri: /orders', 'x-forwarded-uri: /admin']],
    [
      'X-Forwarded-Method',
      ['x-forwarded-method: GET', 'x-forwarded-method: DELETE', 'x-forwarded-uri: /orders'],
    ],
    [
      'X-Forwarded-Host',
      [
        'x-forwarded-method: GET',
        'x-forwarded-uri: /orders',
        'x-forwarded-host: api.test',
        'x-forwarded-host: evil.test',
      ],
    ],
  ])('refuses a question with two %s headers', async (_name, forwarded) => {
    const head = ['GET / HTTP/1.1', 'host: judge.test', `authorization: Bearer ${token}`, ...forwarded];
    const answer = await rawRequest(judge, head.join('\n'));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('takes a forwarded URI with a comma in its query as one URI', async () => {
    const answer = await ask({
      authorization: `Bearer ${token}`,
      'x-forwarded-method': 'GET',
      'x-forwarded-uri': '/orders?ids=1,2, 3',
    });
    expect(answer.status).toBe(200);
  });

  it('carries each refusal’s body in X-Keygate-Error, for nginx, in ASCII', async () => {
    const answer = await ask({
      authorization: `Bearer ${token}`,
      'x-forwarded-method': 'GET',
      'x-forwarded-uri': '/ordérs',
    });
    expect(answer.status).toBe(404);
    const carried = answer.headers.get('x-keygate-error')!;
    expect(carried).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(carried)).toEqual(await answer.json());
  });

  it('counts its decisions on the ops listener, by API, status and scope', async () => {
    const page = await (await fetch(`${keygate.metricsUrl}/metrics`)).text();
    expect(page).toMatch(
      /keygate_forward_auth_decisions_total\{api="orders",status="200",scope="admin:read"\} [1-9]/,
    );
    expect(page).toMatch(/keygate_forward_auth_decisions_total\{api="orders",status="403",scope="none"\} 1/);
  });
});
