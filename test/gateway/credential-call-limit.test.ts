import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const BIN = new URL('../../bin/keygate.js', import.meta.url).pathname;
const run = promisify(execFile);

/** A credential's own API call limit, in place of its plan's, beside the account's fair-usage limit. */
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
