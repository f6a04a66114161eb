import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';

const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'too_many_requests',
];
const GATEWAY_ERRORS = [
  'invalid_request',
  'invalid_token',
  'insufficient_scope',
  'not_found',
  'not_acceptable',
];

/** What the store holds, in counts: a refused request must leave every one of them as it was. */
async function fingerprint(keygate: TestKeygate) {
  const accounts = await keygate.store.accounts.list();
  return {
    accounts: accounts.length,
    credentials: await keygate.store.credentials.count(),
    changes: await keygate.store.changes.latestSeq(),
    keys: (await keygate.store.signingKeys.list(keygate.config.region)).length,
    revoked: (await keygate.store.revokedTokens.listActive(new Date())).length,
  };
}

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('malformed input: every endpoint answers with its documented error, the process stays up, the store is unchanged', () => {
  let keygate: TestKeygate;
  let validToken: string;
  let before: Awaited<ReturnType<typeof fingerprint>>;

  beforeAll(async () => {
    keygate = await startTestKeygate({
      logLevel: 'silent',
      authFailureLimit: { perClient: 1_000_000, perAddress: 1_000_000, windowSeconds: 60 },
    });
    const client = await keygate.createCredential(['stats']);
    validToken = await issueToken(keygate, client, 'stats');
    before = await fingerprint(keygate);
  });
  afterAll(() => keygate.stop());

  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', '%', '%E0%A4%A', '+', '&&&', '=', 'a'.repeat(5000)),
  );
  const paramName = fc.constantFrom(
    'grant_type',
    'client_id',
    'client_secret',
    'scope',
    'token',
    'token_type_hint',
    'x',
  );
  const form = fc
    .array(fc.tuple(paramName, text), { maxLength: 8 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  const rawBody = fc.oneof(
    form,
    text,
    fc.constantFrom(
      'grant_type=client_credentials&scope=stats&scope=stats',
      '{"grant_type":"client_credentials"}',
    ),
  );
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    undefined,
  );
  const authorization = fc.oneof(
    fc.constant(undefined),
    text.map((t) => `Basic ${Buffer.from(t).toString('base64')}`),
    fc.constantFrom('Basic', 'Basic !!!', 'Basic Og==', 'Bearer x', 'basic    ', 'Digest abc'),
  );

  it.each(['/Auth/connect/token', '/Auth/connect/introspect', '/Auth/connect/revocation'])(
    'POST %s',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(rawBody, contentType, authorization, async (body, type, auth) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (auth && /^[\x20-\x7e]*$/.test(auth)) headers.authorization = auth;
          const response = await fetch(`${keygate.url}${path}`, { method: 'POST', headers, body });
          const json = (await response.json()) as { error?: unknown; error_description?: unknown };
          expect([400, 401, 413, 429]).toContain(response.status);
          expect(OAUTH_ERRORS).toContain(json.error);
          expect(typeof json.error_description).toBe('string');
          expect(response.headers.get('cache-control')).toBe('no-store');
        }),
        { numRuns: 150 },
      );
    },
  );

  it('the gateway refuses forged, tampered and garbage bearer tokens with 401/400', async () => {
    const [header, payload] = validToken.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = fc.oneof(
      text.map((t) => `Bearer ${t}`),
      fc.constantFrom(
        `Bearer ${b64url({ alg: 'none', typ: 'at+jwt' })}.${payload}.`,
        `Bearer ${b64url({ alg: 'HS256', typ: 'at+jwt', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid })}.${payload}.c2lnbmF0dXJl`,
        `Bearer ${header}.${b64url({ ...claims, scope: 'agents-availability:read' })}.${validToken.split('.')[2]}`,
        `Bearer ${b64url({ alg: 'ES256', typ: 'at+jwt', kid: '../../etc/passwd' })}.${payload}.${validToken.split('.')[2]}`,
        `Bearer ${b64url({ alg: 'ES256', typ: 'JWT', kid: 'x' })}.${payload}.${validToken.split('.')[2]}`,
        `Bearer ${validToken}.extra`,
      ),
      fc
        .tuple(fc.constantFrom('alg', 'typ', 'kid'), text)
        .map(
          ([field, value]) =>
            `Bearer ${b64url({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), [field]: value })}.${payload}.${validToken.split('.')[2]}`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(forged, async (auth) => {
        if (!/^[\x20-\x7e]*$/.test(auth)) return;
        const response = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
          headers: { authorization: auth },
        });
        const json = (await response.json()) as { error?: unknown };
        expect([400, 401]).toContain(response.status);
        expect(GATEWAY_ERRORS).toContain(json.error);
      }),
      { numRuns: 300 },
    );
  });

  it('the gateway answers any path and method with a documented error, never 5xx', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');
    const path = fc.oneof(
      fc.webPath(),
      fc.constantFrom(
        '/agents-availability/../admin',
        '//agents-availability',
        '/agents/%2e%2e/presence',
        '/%00',
        '/a'.repeat(300),
      ),
    );
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        const response = await fetch(`${keygate.gatewayUrl}${p.startsWith('/') ? p : `/${p}`}`, {
          method: m,
          headers: { authorization: `Bearer ${validToken}` },
        });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          // Regression: undecodable URLs once got Fastify's own error body instead of the envelope.
          expect(GATEWAY_ERRORS).toContain(((await response.json()) as { error?: unknown }).error);
        } else {
          await response.body?.cancel();
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the token service answers unknown paths and undecodable URLs in the envelope too', async () => {
    for (const [method, path, status] of [
      ['GET', '/nowhere', 404],
      ['POST', '/Auth/connect/%zz', 400],
      ['GET', '/%E0%A4%A', 400],
    ] as const) {
      const response = await fetch(`${keygate.url}${path}`, { method });
      expect(response.status).toBe(status);
      const json = (await response.json()) as { error?: unknown; error_description?: unknown };
      expect(['not_found', 'invalid_request']).toContain(json.error);
      expect(typeof json.error_description).toBe('string');
    }
  });

  it('is still up, and the store is exactly as it was', async () => {
    expect((await fetch(`${keygate.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${keygate.gatewayUrl}/healthz`)).status).toBe(200);
    expect(await fingerprint(keygate)).toEqual(before);
  });
});
