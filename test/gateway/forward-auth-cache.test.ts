import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedCachingConfiguration, documentedSettings } from '../helpers/documented-config.js';
import { dpopBoundToken, dpopKey, proof } from '../helpers/dpop-proof.js';
import {
  agentFrom,
  postForm,
  revokeToken,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';
import { nginxMissing, type RunningNginx, startNginx } from '../helpers/nginx.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

/** What docs/forward-auth.md promises for a change made while nginx holds admissions. */
const CHANGE_LANDS_WITHIN_MS = 2000;

/** Retries `check` until it passes, failing with its last error once `ms` have passed. */
async function within(ms: number, check: () => Promise<void>): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > ms) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * nginx with docs/forward-auth.md's caching configuration, read from that file, in front of an API
 * and Keygate started as that guide starts it (its standard plan, which the configuration's limit
 * mirrors): what the cache may reuse, what it must not, and the account's fair usage.
 */
describe.skipIf(nginxMissing)('forward-auth behind nginx, with admissions cached', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let nginx: RunningNginx;
  let client: { id: string; clientId: string; clientSecret: string };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      ...documentedSettings('forward-auth.md'),
      forwardAuthPort: 0,
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
    client = await keygate.createCredential(['admin:read']);
    const cacheDir = mkdtempSync(join(tmpdir(), 'keygate-admissions-'));
    nginx = await startNginx((listen) =>
      documentedCachingConfiguration({
        listen,
        judge: new URL(keygate.forwardAuthUrl!).host,
        api: new URL(upstream.url).host,
        cacheDir,
      }),
    );
  });
  afterAll(async () => {
    await nginx?.stop();
    await keygate?.stop();
    await upstream?.close();
  });

  const call = (path: string, init: RequestInit = {}) => fetch(nginx.url + path, init);
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  /** How many questions Keygate has answered, whatever their answer. */
  const questions = async () => {
    const page = await (await fetch(`${keygate.metricsUrl}/metrics`)).text();
    return [...page.matchAll(/^keygate_forward_auth_decisions_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, [, count]) => sum + Number(count),
      0,
    );
  };

  it('admits from the cache, and the API still gets the identity Keygate gave', async () => {
    const token = await issueToken(keygate, client, 'admin:read');
    const asked = await questions();
    const calls = 20;
    for (let i = 0; i < calls; i++) {
      const answer = await call('/orders?page=2', { headers: bearer(token) });
      expect(answer.status).toBe(200);
      const seen = upstream.seen.at(-1)!;
      expect(seen.url).toBe('/orders?page=2');
      expect(seen.headers['x-keygate-client-id']).toBe(client.clientId);
      expect(seen.headers['x-keygate-scopes']).toBe('admin:read');
      expect(seen.headers['x-keygate-metadata']).toBe('{}');
      expect(seen.headers.authorization).toBeUndefined();
    }
    // One question per key and clock second: 20 calls in a row span a second or two, not twenty.
    expect(await questions()).toBeLessThan(asked + calls);
  });

  it(`a revoked token: 401 through the cache within ${CHANGE_LANDS_WITHIN_MS} ms`, async () => {
    const revoked = await issueToken(keygate, client, 'admin:read');
    expect((await call('/orders', { headers: bearer(revoked) })).status).toBe(200);
    expect((await revokeToken(keygate, client, revoked)).status).toBe(200);
    await within(CHANGE_LANDS_WITHIN_MS, async () => {
      const answer = await call('/orders', { headers: bearer(revoked) });
      expect(answer.status).toBe(401);
      expect(await answer.json()).toMatchObject({ error: 'invalid_token' });
    });
  });

  it(`a scope removed from the credential: 403 through the cache within ${CHANGE_LANDS_WITHIN_MS} ms`, async () => {
    const narrowed = await keygate.createCredential(['admin:read', 'stats'], 'Narrowed');
    const token = await issueToken(keygate, narrowed, 'admin:read stats');
    expect((await call('/orders', { headers: bearer(token) })).status).toBe(200);
    // Written through the store, as the CLI or another instance would: Keygate hears of it from
    // its change feed, and nginx still holds the admission.
    await keygate.store.credentials.update(narrowed.id, { scopes: ['stats'] });
    await within(CHANGE_LANDS_WITHIN_MS, async () => {
      const answer = await call('/orders', { headers: bearer(token) });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('www-authenticate')).toContain('scope="admin:read admin:write"');
    });
  });

  it('an admission is for its method and its caller: a POST or another address is asked about', async () => {
    const fenced = await keygate.createCredential(['admin:read'], 'Office only');
    await keygate.credentials.update(fenced.id, { allowedCidrs: ['127.0.0.9/32'] });
    const issued = await postForm(
      keygate.url + TOKEN_PATH,
      {
        grant_type: 'client_credentials',
        scope: 'admin:read',
        client_id: fenced.clientId,
        client_secret: fenced.clientSecret,
      },
      {},
      '127.0.0.9',
    );
    const token = String(issued.body?.access_token);
    const from = async (address: string, method = 'GET') =>
      (
        await undiciFetch(`${nginx.url}/orders`, {
          method,
          headers: bearer(token),
          dispatcher: agentFrom(address),
        })
      ).status;
    expect(await from('127.0.0.9')).toBe(200);
    expect(await from('127.0.0.9', 'POST')).toBe(403);
    expect(await from('127.0.0.5')).toBe(401);
    expect(await from('127.0.0.9')).toBe(200);
  });

  it('a DPoP call is asked about every time: its proof, replayed, is refused', async () => {
    const key = await dpopKey();
    const bound = await dpopBoundToken(`${keygate.url}${TOKEN_PATH}`, client, 'admin:read', key);
    const headers = {
      authorization: `DPoP ${bound}`,
      dpop: await proof(key, 'GET', `${nginx.url}/orders`, { accessToken: bound }),
    };
    const asked = await questions();
    expect((await call('/orders', { headers })).status).toBe(200);
    const replayed = await call('/orders', { headers });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(await questions()).toBe(asked + 2);
  });

  it('a credential with a call limit of its own is counted by Keygate on every call', async () => {
    const limited = await keygate.createCredential(['admin:read'], 'Limited');
    await keygate.credentials.update(limited.id, { callLimit: { limit: 3, windowSeconds: 60 } });
    const token = await issueToken(keygate, limited, 'admin:read');
    for (let i = 0; i < 3; i++) expect((await call('/orders', { headers: bearer(token) })).status).toBe(200);
    const over = await call('/orders', { headers: bearer(token) });
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({
      error: 'too_many_requests',
      error_description: expect.stringContaining('limit of this credential'),
    });
  });

  it('a call carrying an override header is asked about and refused, admission cached or not', async () => {
    const token = await issueToken(keygate, client, 'admin:read');
    expect((await call('/orders', { headers: bearer(token) })).status).toBe(200);
    const before = upstream.seen.length;
    const answer = await call('/orders', {
      headers: { ...bearer(token), 'x-http-method-override': 'DELETE' },
    });
    expect(answer.status).toBe(400);
    expect(upstream.seen.length).toBe(before);
  });

  it('fair usage: nginx counts every call of the account, cached or not, and answers 429', async () => {
    // The guide's zone: the standard plan's 6,000 calls a minute, at 100 a second once spent.
    const { limit } = keygate.config.rateLimitPlans.standard!.perAccount;
    const perSecond = limit / keygate.config.rateLimitPlans.standard!.perAccount.windowSeconds;
    // Two credentials of the same account share its limit.
    const other = await keygate.createCredential(['admin:read'], 'Other');
    const tokens = [
      await issueToken(keygate, client, 'admin:read'),
      await issueToken(keygate, other, 'admin:read'),
    ];
    const pool = new Pool(nginx.url, { connections: 8 });
    const started = Date.now();
    const asked = await questions();
    let admitted = 0;
    let refused: { status: number; retryAfter: unknown; body: string } | undefined;
    try {
      const worker = async (lane: number) => {
        for (let i = lane; refused === undefined && i < 3 * limit; i += 8) {
          const answer = await pool.request({
            path: '/orders',
            method: 'GET',
            headers: bearer(tokens[i % 2]!),
          });
          const body = await answer.body.text();
          if (answer.statusCode === 200) admitted++;
          else refused ??= { status: answer.statusCode, retryAfter: answer.headers['retry-after'], body };
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, lane) => worker(lane)));
    } finally {
      await pool.close();
    }
    const seconds = (Date.now() - started) / 1000;
    expect(refused?.status).toBe(429);
    expect(refused?.retryAfter).toBe('1');
    expect(JSON.parse(refused!.body)).toMatchObject({ error: 'too_many_requests' });
    // The window's allowance at once, then what the rate lets through while the calls ran.
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 1 + perSecond * Math.ceil(seconds + 1));
    // Keygate was asked about a few of them: nginx, not Keygate, held the account to its plan.
    expect((await questions()) - asked).toBeLessThan(admitted / 10);
  });
});
