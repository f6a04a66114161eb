import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { issueToken } from '../helpers/tokens.js';

const SCOPE = 'agents-availability:read';

/**
 * When a call window ends and a token expires, on the server's own clock, which the test moves:
 * the gateway's answers change at those instants, however slow the machine is between calls.
 */
describe('gateway: windows and expiry on the server’s clock', () => {
  const clock = new ManualClock();
  let keygate: TestKeygate;

  beforeAll(async () => {
    keygate = await startTestKeygate(
      {
        rateLimitPlans: { standard: { perAccount: { limit: 1000, windowSeconds: 60 } } },
        tokenLifetimeSeconds: 300,
        clockLeewaySeconds: 30,
      },
      undefined,
      { clock },
    );
  });
  afterAll(() => keygate?.stop());

  const call = (token: string) =>
    fetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
      headers: { authorization: `Bearer ${token}` },
    });

  it('refuses over a credential’s call limit until its window ends, counting Retry-After down', async () => {
    const limited = await keygate.createCredential([SCOPE], 'Twice a minute');
    await keygate.credentials.update(limited.id, { callLimit: { limit: 2, windowSeconds: 60 } });
    const token = await issueToken(keygate, limited, SCOPE);
    expect((await call(token)).status).toBe(200);
    expect((await call(token)).status).toBe(200);
    const over = await call(token);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('60');

    clock.advance(59_000);
    const stillOver = await call(token);
    expect(stillOver.status).toBe(429);
    expect(stillOver.headers.get('retry-after')).toBe('1');

    clock.advance(1_000);
    const again = await call(token);
    expect(again.status).toBe(200);
    expect(again.headers.get('ratelimit-remaining')).toBe('1');
  });

  it('admits a token until its lifetime and the leeway have passed, and not a millisecond after', async () => {
    const client = await keygate.createCredential([SCOPE], 'Expiring');
    const token = await issueToken(keygate, client, SCOPE);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    const admittedUntil = (exp + 30) * 1000;
    clock.advance(admittedUntil - clock.now() - 1);
    expect((await call(token)).status).toBe(200);
    clock.advance(1);
    const expired = await call(token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
  });
});
