import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestKeygate } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

/** Every `code` the admin API documents (docs/admin-api.md). */
const ADMIN_ERRORS = [
  'validation_failed',
  'scope_unknown',
  'unauthenticated',
  'invalid_login',
  'csrf_failed',
  'no_licence',
  'forbidden',
  'scope_not_grantable',
  'not_found',
  'conflict',
  'last_active_secret',
  'body_too_large',
  'unsupported_media_type',
  'login_locked',
  'rate_limited',
];

/** What the store holds, in counts: a refused request must leave every one of them as it was. */
async function fingerprint(keygate: TestKeygate) {
  return {
    credentials: await keygate.store.credentials.count(),
    users: await keygate.store.users.count(),
    changes: await keygate.store.changes.latestSeq(),
  };
}

describe('malformed input on the admin API and login: documented errors, process up, store unchanged', () => {
  let _keygate: TestKeygate;
  let credentialId: string;
  let before: Awaited<ReturnType<typeof fingerprint>>;

  const given = keygateWithAdmin({
    logLevel: 'silent',
    loginLimits: { failuresBeforeLock: 100_000, lockSeconds: 1, perAddressPerMinute: 1_000_000 },
  });

  beforeAll(async () => {
    const created = await given.admin.call<{ credential: { id: string } }>('POST', '/credentials', {
      name: 'Fuzz target',
      scopes: ['stats'],
    });
    credentialId = created.body.credential.id;
    before = await fingerprint(given.keygate);
  });

  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', '\u0000', '\ud800', 'a'.repeat(70_000), '__proto__', '2026-13-45T99:99:99Z'),
  );
  const value: fc.Arbitrary<unknown> = fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(text, { maxLength: 5 }),
    fc.dictionary(text, text, { maxKeys: 3 }),
  );
  const field = fc.constantFrom(
    'name',
    'scopes',
    'expiresAt',
    'disabled',
    'email',
    'password',
    'licence',
    'expireOtherSecretsAt',
    '__proto__',
    'constructor',
  );
  const jsonBody = fc.dictionary(field, value, { maxKeys: 4 }).map((o) => JSON.stringify(o));
  const rawBody = fc.oneof(
    jsonBody,
    text,
    fc.constantFrom('{', '[]', 'null', '"x"', '{"__proto__":{"admin":true}}', 'x'.repeat(70_000)),
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    undefined,
  );
  // Bodies (a PATCH or POST that is refused) must change nothing; these paths are where they land.
  const writePath = fc.constantFrom(
    '/credentials',
    '/credentials/CRED',
    '/credentials/CRED/secrets',
    '/credentials/CRED/secrets/nope',
    '/users',
    '/tokens',
    '/session',
  );

  it('state-changing requests with garbage bodies: a documented 4xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PATCH'),
        writePath,
        rawBody,
        contentType,
        async (method, rawPath, body, type) => {
          const path = rawPath.replace('CRED', credentialId);
          const stored = await fingerprint(given.keygate);
          const headers: Record<string, string> = {
            cookie: given.admin.cookie,
            'x-csrf-token': given.admin.csrfToken,
          };
          if (type) headers['content-type'] = type;
          const response = await fetch(`${given.keygate.url}/admin/v1${path}`, { method, headers, body });
          const text = await response.text();
          if (response.status < 400) {
            // A body that happens to be valid (`{}` adds a secret): the baseline moves with it.
            before = await fingerprint(given.keygate);
            return;
          }
          expect(response.status, `${method} ${path} ${body.slice(0, 80)}`).toBeLessThan(500);
          expect(await fingerprint(given.keygate)).toEqual(stored);
          const json = JSON.parse(text) as { code?: unknown; message?: unknown };
          expect(ADMIN_ERRORS).toContain(json.code);
          expect(typeof json.message).toBe('string');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('any method and path under /admin/v1, with or without a session: never 5xx, always the envelope', async () => {
    const path = fc.oneof(
      fc.webPath(),
      fc.constantFrom('/credentials/%zz', '/credentials/../users', '/audit?limit=-1', '/audit?before=%00'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        path,
        fc.boolean(),
        async (method, p, withSession) => {
          const headers: Record<string, string> = withSession
            ? { cookie: given.admin.cookie, 'x-csrf-token': given.admin.csrfToken }
            : {};
          const response = await fetch(`${given.keygate.url}/admin/v1${p.startsWith('/') ? p : `/${p}`}`, {
            method,
            headers,
          });
          expect(response.status).toBeLessThan(500);
          const text = await response.text();
          if (response.status >= 400) {
            expect(ADMIN_ERRORS).toContain((JSON.parse(text) as { code?: unknown }).code);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('login with garbage credentials: 400, 401 or 413, never a session', async () => {
    await fc.assert(
      fc.asyncProperty(value, value, async (email, password) => {
        const response = await fetch(`${given.keygate.url}/admin/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        });
        expect([400, 401, 413]).toContain(response.status);
        expect(response.headers.get('set-cookie')).toBeNull();
        expect(ADMIN_ERRORS).toContain(((await response.json()) as { code: string }).code);
      }),
      { numRuns: 100 },
    );
  });

  it('is still up, and the store is exactly as it was', async () => {
    expect((await fetch(`${given.keygate.url}/healthz`)).status).toBe(200);
    expect(await fingerprint(given.keygate)).toEqual(before);
    expect((await given.admin.call('GET', `/credentials/${credentialId}`)).status).toBe(200);
  });
});
