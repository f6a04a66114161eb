import { fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { agentFrom, requestToken } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

/** The usage view counts what a credential's own policies refused, by reason, for its admins. */
describe('admin API: refusals by reason in the usage view', () => {
  const given = keygateWithAdmin();

  it('counts token requests and calls from outside the ranges, and tokens over the quota', async () => {
    const client = await given.keygate.createCredential(['agents-availability:read'], 'Counted');
    await given.keygate.credentials.update(client.id, {
      allowedCidrs: ['127.0.0.1/32'],
      tokenQuota: { limit: 1, period: 'day' },
    });
    const token = String(
      (await requestToken(given.keygate, client, 'agents-availability:read')).body?.access_token,
    );
    expect((await requestToken(given.keygate, client, 'agents-availability:read')).status).toBe(429);
    const outside = await undiciFetch(`${given.keygate.gatewayUrl}/agents-availability`, {
      headers: { authorization: `Bearer ${token}` },
      dispatcher: agentFrom('127.0.0.7'),
    });
    expect(outside.status).toBe(401);
    await given.keygate.flushUsage();

    const usage = await given.admin.call<{ refusals: Array<{ reason: string; count: number }> }>(
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
