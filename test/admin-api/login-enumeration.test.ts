import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, adminCall } from '../helpers/admin.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Not a speed assertion: a check that an unknown email costs the same password hash as a wrong
 * password. Without the dummy hash an unknown email answers in about 1 ms against 50–100 ms for a
 * known one (a ratio near 0.02); the bounds below are wide enough for a busy machine and far from that.
 */
describe('login does not reveal which emails have an account', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    keygate = await startTestKeygate({
      loginLimits: { failuresBeforeLock: 1000, lockSeconds: 1, perAddressPerMinute: 1000 },
    });
  });
  afterAll(() => keygate.stop());

  it('answers an unknown email and a wrong password with the same body after the same work', async () => {
    const timings = { known: [] as number[], unknown: [] as number[] };
    const bodies = new Set<string>();
    for (let i = 0; i < 12; i++) {
      for (const [kind, email] of [
        ['known', ADMIN_EMAIL],
        ['unknown', `nobody-${i}@keygate.local`],
      ] as const) {
        const started = process.hrtime.bigint();
        const answer = await adminCall(keygate.url, 'POST', '/session', {
          body: { email, password: `wrong-password-${i}` },
        });
        timings[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
        expect(answer.status).toBe(401);
        bodies.add(JSON.stringify(answer.body));
      }
    }
    expect(bodies.size).toBe(1);
    const ratio = median(timings.unknown) / median(timings.known);
    expect(ratio, `unknown ${median(timings.unknown)} ms, known ${median(timings.known)} ms`).toBeGreaterThan(
      0.4,
    );
    expect(ratio).toBeLessThan(2.5);
  });
});
