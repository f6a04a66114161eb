import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTestKeygate } from '../helpers/keygate.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';
import { issueToken } from '../helpers/tokens.js';

const redisUrl = process.env.KEYGATE_TEST_REDIS_URL;
const SKIP =
  'skipped: set KEYGATE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) and KEYGATE_TEST_DATABASE_URL to run it; CI does';
const plan = { standard: { perAccount: { limit: 3, windowSeconds: 60 } } };

describe.skipIf(!redisUrl || !TEST_DATABASE_URL)('fair-usage limits shared through Redis', () => {
  it('counts an account’s calls across two instances', async () => {
    const schema = uniqueSchema();
    const shared = {
      databaseUrl: TEST_DATABASE_URL!,
      databaseSchema: schema,
      redisUrl: redisUrl!,
      masterKey: randomBytes(32).toString('base64'),
      publicUrl: 'https://emea.keygate.test',
      audience: 'https://emea.api.keygate.test',
      rateLimitPlans: plan,
    };
    const a = await startTestKeygate(shared);
    const b = await startTestKeygate(shared);
    try {
      const client = await a.createCredential(['agents-availability:read']);
      const token = await issueToken(a, client, 'agents-availability:read');
      const statuses: number[] = [];
      for (const instance of [a, b, a, b]) {
        const res = await fetch(`${instance.gatewayUrl}/agents-availability`, {
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await a.stop();
      await b.stop();
      await dropSchema(TEST_DATABASE_URL!, schema);
    }
  });
});

if (!redisUrl || !TEST_DATABASE_URL) process.stdout.write(`Shared rate-limit tests ${SKIP}\n`);

describe('fair-usage limits when Redis is away', () => {
  it('falls back to counting in this instance, says so once, and keeps answering', async () => {
    const keygate = await startTestKeygate({ redisUrl: 'redis://127.0.0.1:9', rateLimitPlans: plan });
    try {
      const client = await keygate.createCredential(['agents-availability:read']);
      const token = await issueToken(keygate, client, 'agents-availability:read');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const warnings = keygate
        .logs()
        .split('\n')
        .filter((line) => line.includes('Redis does not answer'));
      expect(warnings).toHaveLength(1);
    } finally {
      await keygate.stop();
    }
  });
});
