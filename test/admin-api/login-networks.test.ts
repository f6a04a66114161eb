import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminCall } from '../helpers/admin.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { ManualClock } from '../helpers/manual-clock.js';

/**
 * Login guesses are throttled per email and client network. An IPv6 host is usually given a whole
 * /64, so moving to another address inside it must not buy fresh guesses; behind a trusted proxy
 * the client's address comes from X-Forwarded-For.
 */
describe('login throttling by client network', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    // The one-second wait after the second failure must still hold at the third guess, however
    // long a loaded machine takes to hash the passwords in between: the clock stands still.
    keygate = await startTestKeygate(
      {
        trustProxy: '127.0.0.1',
        loginLimits: { failuresBeforeLock: 2, lockSeconds: 60, perAddressPerMinute: 1000 },
      },
      undefined,
      { clock: new ManualClock() },
    );
  });
  afterAll(() => keygate.stop());

  const login = (from: string, password: string) =>
    adminCall(keygate.url, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password },
      headers: { 'x-forwarded-for': from },
    });

  it('counts the addresses of one IPv6 /64 as one client, and another /64 apart', async () => {
    expect((await login('2001:db8:0:1::a', 'wrong-1')).status).toBe(401);
    expect((await login('2001:db8:0:1:ffff:0:0:b', 'wrong-2')).status).toBe(401);
    expect((await login('2001:0DB8:0000:0001:0:0:0:c', 'wrong-3')).status).toBe(429);
    expect((await login('2001:db8:0:2::a', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('counts an IPv4 address and its IPv4-mapped IPv6 form as one client', async () => {
    expect((await login('192.0.2.7', 'wrong-1')).status).toBe(401);
    expect((await login('::ffff:192.0.2.7', 'wrong-2')).status).toBe(401);
    expect((await login('192.0.2.7', 'wrong-3')).status).toBe(429);
    expect((await login('192.0.2.8', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('reads the address the trusted proxy saw, not what the caller put before it', async () => {
    // The proxy appends the address it saw; the entries before it are the caller's own words.
    expect((await login('203.0.113.1, 198.51.100.7', 'wrong-1')).status).toBe(401);
    expect((await login('203.0.113.2, 198.51.100.7', 'wrong-2')).status).toBe(401);
    expect((await login('203.0.113.3, 198.51.100.7', 'wrong-3')).status).toBe(429);
  });
});
