import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live heap after full collections, in MB: what the process really holds. */
function liveHeapMb(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe('robustness: floods of made-up identifiers leave memory where it was', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    // No address limit, so every request reaches the counting and lookup it would cause.
    keygate = await startTestKeygate({
      logLevel: 'warn',
      authFailureLimit: { perClient: 1_000_000, perAddress: 1_000_000, windowSeconds: 3600 },
    });
  });
  afterAll(() => keygate.stop());

  it('memory flood: 6,000 token requests with distinct 15 KB client IDs grow the heap by a few MB at most', async () => {
    const send = (i: number) =>
      postForm(keygate.url + TOKEN_PATH, {
        grant_type: 'client_credentials',
        client_id: `${i}-${'x'.repeat(15_000)}`,
        client_secret: 'kgs_wrong',
        scope: 'stats',
      });
    // Warm up: the first requests load code and fill caches that stay whatever comes after.
    for (let i = 0; i < 200; i++) await send(i);
    const before = liveHeapMb();
    for (let batch = 0; batch < 120; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, j) => send(1000 + batch * 50 + j)));
      for (const answer of answers) expect(answer.status).toBe(401);
    }
    const grown = liveHeapMb() - before;
    // 6,000 × 15 KB held would be 90 MB; the bound leaves room for the test's own garbage.
    expect(grown).toBeLessThan(8);
  });
});
