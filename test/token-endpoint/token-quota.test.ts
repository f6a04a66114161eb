import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const BIN = new URL('../../bin/keygate.js', import.meta.url).pathname;
const run = promisify(execFile);

/** How many tokens a credential may get: a quota an hour or a day, as Auth0 has. */
describe('token quota per credential', () => {
  const given = keygateWithAdmin();

  it('issues exactly the quota, then 429 with Retry-After; other credentials are not touched', async () => {
    const limited = await given.keygate.createCredential(['stats'], 'Limited');
    const other = await given.keygate.createCredential(['stats'], 'Other');
    await given.keygate.credentials.update(limited.id, { tokenQuota: { limit: 3, period: 'hour' } });
    for (let i = 0; i < 3; i++)
      expect((await requestToken(given.keygate, limited, 'stats')).status).toBe(200);
    const over = await requestToken(given.keygate, limited, 'stats');
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: 'too_many_requests' });
    expect(String(over.body!.error_description)).toMatch(/3 tokens this hour; retry after \d+ seconds/);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((await requestToken(given.keygate, other, 'stats')).status).toBe(200);

    const env = { PATH: process.env.PATH, KEYGATE_DATA_DIR: given.keygate.dataDir };
    await run(process.execPath, [BIN, 'credentials', 'update', limited.clientId, '--token-quota', 'none'], {
      env,
    });
    await withinOneSecond(async () => {
      expect((await requestToken(given.keygate, limited, 'stats')).status).toBe(200);
    });
  });

  it('is set through the admin API, shown on the credential, and validated', async () => {
    const created = await given.admin.call<{ credential: { id: string; tokenQuota: unknown } }>(
      'POST',
      '/credentials',
      {
        name: 'Daily',
        scopes: ['stats'],
        tokenQuota: { limit: 1000, period: 'day' },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.credential.tokenQuota).toEqual({ limit: 1000, period: 'day' });
    const bad = await given.admin.call('PATCH', `/credentials/${created.body.credential.id}`, {
      tokenQuota: { limit: 0, period: 'day' },
    });
    expect(bad.status).toBe(400);
    const cleared = await given.admin.call<{ credential: { tokenQuota: unknown } }>(
      'PATCH',
      `/credentials/${created.body.credential.id}`,
      { tokenQuota: null },
    );
    expect(cleared.body.credential.tokenQuota).toBeNull();
  });
});

/** The quota's hour on the server's own clock, which the test moves instead of waiting for it. */
describe('token quota window', () => {
  const clock = new ManualClock();
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate({}, undefined, { clock });
  });
  afterAll(() => keygate?.stop());

  it('refuses until the hour has passed, saying how long is left, then issues the quota again', async () => {
    const limited = await keygate.createCredential(['stats'], 'Twice an hour');
    await keygate.credentials.update(limited.id, { tokenQuota: { limit: 2, period: 'hour' } });
    for (let i = 0; i < 2; i++) expect((await requestToken(keygate, limited, 'stats')).status).toBe(200);
    expect((await requestToken(keygate, limited, 'stats')).headers.get('retry-after')).toBe('3600');
    clock.advance(3_599_000);
    const over = await requestToken(keygate, limited, 'stats');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
    clock.advance(1_000);
    for (let i = 0; i < 2; i++) expect((await requestToken(keygate, limited, 'stats')).status).toBe(200);
    expect((await requestToken(keygate, limited, 'stats')).status).toBe(429);
  });
});
