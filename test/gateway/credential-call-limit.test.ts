import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const BIN = new URL('../../bin/keygate.js', import.meta.url).pathname;
const run = promisify(execFile);

/** A credential's own API call limit, beside the account's fair-usage limit. */
describe('per-credential API call limit', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    keygate = await startTestKeygate({
      rateLimitPlans: { standard: { perAccount: { limit: 1000, windowSeconds: 60 } } },
    });
  });
  afterAll(() => keygate.stop());

  const call = (token: string) =>
    fetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
      headers: { authorization: `Bearer ${token}` },
    });

  it('admits exactly its limit, then 429 naming the credential; others in the account go on', async () => {
    const limited = await keygate.createCredential(['agents-availability:read'], 'Wallboard');
    const other = await keygate.createCredential(['agents-availability:read'], 'Other');
    await keygate.credentials.update(limited.id, { callLimit: { limit: 3, windowSeconds: 60 } });
    const token = await issueToken(keygate, limited, 'agents-availability:read');
    for (let i = 0; i < 3; i++) {
      const answer = await call(token);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-limit')).toBe('3');
    }
    const over = await call(token);
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({
      error: 'too_many_requests',
      error_description: expect.stringContaining('limit of this credential'),
    });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(await issueToken(keygate, other, 'agents-availability:read'))).status).toBe(200);

    const env = { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir };
    await run(
      process.execPath,
      [BIN, 'credentials', 'update', limited.clientId, '--call-limit', '100/minute'],
      {
        env,
      },
    );
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(200);
    });
  });
});

/** Calls a credential's own limit refuses do not spend the budget its account's other credentials share. */
describe('a credential over its own limit and the account’s fair usage', () => {
  it('leaves the account’s budget to its other credentials', async () => {
    const keygate = await startTestKeygate({
      rateLimitPlans: { standard: { perAccount: { limit: 5, windowSeconds: 60 } } },
    });
    try {
      const greedy = await keygate.createCredential(['agents-availability:read'], 'Greedy');
      const other = await keygate.createCredential(['agents-availability:read'], 'Other');
      await keygate.credentials.update(greedy.id, { callLimit: { limit: 1, windowSeconds: 60 } });
      const call = async (token: string) =>
        (
          await fetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).status;
      const greedyToken = await issueToken(keygate, greedy, 'agents-availability:read');
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push(await call(greedyToken));
      expect(statuses).toEqual([200, 429, 429, 429, 429, 429, 429, 429, 429, 429]);
      const otherToken = await issueToken(keygate, other, 'agents-availability:read');
      const others: number[] = [];
      for (let i = 0; i < 5; i++) others.push(await call(otherToken));
      expect(others).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await keygate.stop();
    }
  });
});

/** A supervisor may set a credential's call limit, so it may only lower its plan's, never raise it. */
describe('a credential’s call limit under its plan’s per-credential limit', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    keygate = await startTestKeygate({
      forwardAuthPort: 0,
      // The test asks forward-auth as the proxy would, from 127.0.0.1.
      trustProxy: '127.0.0.1',
      rateLimitPlans: {
        standard: {
          perAccount: { limit: 1000, windowSeconds: 60 },
          perCredential: { limit: 3, windowSeconds: 60 },
        },
      },
    });
  });
  afterAll(() => keygate.stop());

  const path = '/agents-availability?skillNames=Sales';
  const viaGateway = (token: string) =>
    fetch(`${keygate.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const viaForwardAuth = (token: string) =>
    fetch(keygate.forwardAuthUrl!, {
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': path },
    });

  async function limitedTo(callLimit: { limit: number; windowSeconds: number }): Promise<string> {
    const credential = await keygate.createCredential(['agents-availability:read']);
    await keygate.credentials.update(credential.id, { callLimit });
    return issueToken(keygate, credential, 'agents-availability:read');
  }

  it.each([
    ['the gateway', viaGateway],
    ['forward-auth', viaForwardAuth],
  ])('%s: a higher own limit over the same window leaves the plan’s 3', async (_, call) => {
    const token = await limitedTo({ limit: 1_000_000_000, windowSeconds: 60 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('a higher own limit over another window leaves the plan’s 3 too', async () => {
    const token = await limitedTo({ limit: 1_000_000_000, windowSeconds: 3600 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await viaGateway(token));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[0]!.headers.get('ratelimit-limit')).toBe('3');
    expect(await answers[3]!.json()).toMatchObject({
      error_description: expect.stringContaining('limit of this credential'),
    });
  });

  it('a lower own limit stands, over the same window or a longer one', async () => {
    for (const windowSeconds of [60, 3600]) {
      const token = await limitedTo({ limit: 2, windowSeconds });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await viaGateway(token));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(answers[0]!.headers.get('ratelimit-limit')).toBe('2');
    }
  });
});
