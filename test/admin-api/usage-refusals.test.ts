import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, logIn } from '../helpers/admin.js';
import { agentFrom, requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

/** The usage view counts what a credential's own policies refused, by reason, for its admins. */
describe('admin API: refusals by reason in the usage view', () => {
  let keygate: TestKeygate;
  let admin: AdminClient;

  beforeAll(async () => {
    keygate = await startTestKeygate();
    admin = await logIn(keygate);
  });
  afterAll(() => keygate.stop());

  it('counts token requests and calls from outside the ranges, and tokens over the quota', async () => {
    const client = await keygate.createCredential(['agents-availability:read'], 'Counted');
    await keygate.credentials.update(client.id, {
      allowedCidrs: ['127.0.0.1/32'],
      tokenQuota: { limit: 1, period: 'day' },
    });
    const token = String(
      (await requestToken(keygate, client, 'agents-availability:read')).body?.access_token,
    );
    expect((await requestToken(keygate, client, 'agents-availability:read')).status).toBe(429);
    const outside = await undiciFetch(`${keygate.gatewayUrl}/agents-availability`, {
      headers: { authorization: `Bearer ${token}` },
      dispatcher: agentFrom('127.0.0.7'),
    });
    expect(outside.status).toBe(401);
    await keygate.flushUsage();

    const usage = await admin.call<{ refusals: Array<{ reason: string; count: number }> }>(
      'GET',
      `/credentials/${client.id}/usage?days=1`,
    );
    expect(usage.status).toBe(200);
    expect(usage.body.refusals.map((r) => [r.reason, r.count]).sort()).toEqual([
      ['address', 1],
      ['token_quota', 1],
    ]);
  });
});
