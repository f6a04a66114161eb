import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VCC_CATALOGUE } from '../../src/core/scopes.js';
import { PRESENCES } from '../../src/sample-apis/sample-data.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';

const DAY = 86_400_000;
const iso = (at: number) => new Date(at).toISOString();
/** The last week, as code written for the real API often asks. */
const NOW = Date.now();
const WEEK = `start=${iso(NOW - 7 * DAY)}&end=${iso(NOW)}`;

describe('the sample VCC APIs behind the gateway', () => {
  let keygate: TestKeygate;
  const tokens = new Map<string, string>();
  let userId: string;
  let interaction: { guid: string; content: Array<{ contentKey: string }> };

  const call = async (method: string, path: string, scope: string, body?: unknown) => {
    const res = await fetch(`${keygate.gatewayUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.get(scope)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
      headers: res.headers,
    };
  };

  beforeAll(async () => {
    keygate = await startTestKeygate({
      rateLimitPlans: { standard: { perAccount: { limit: 10_000, windowSeconds: 60 } } },
    });
    const client = await keygate.createCredential(VCC_CATALOGUE.values(), 'Everything');
    for (const scope of VCC_CATALOGUE.values()) tokens.set(scope, await issueToken(keygate, client, scope));
    userId = (await call('GET', '/useradmin/users?limit=1', 'users:read')).body.users[0].userId;
    const week = await call(
      'GET',
      `/interaction-content/interactions?${WEEK}&limit=1000`,
      'interaction-content:read',
    );
    expect(week.status, JSON.stringify(week.body)).toBe(200);
    interaction = week.body.items[0];
  });
  afterAll(() => keygate.stop());

  const cases: Array<
    [method: string, path: () => string, allowed: string[], denied: string, body?: unknown]
  > = [
    ['GET', () => '/agents-availability?skillNames=Sales', ['agents-availability:read'], 'stats'],
    ['GET', () => `/agents/${userId}/presence`, ['users:read', 'users:write'], 'stats'],
    [
      'PATCH',
      () => `/agents/${userId}/presence`,
      ['users:write'],
      'users:read',
      { presenceId: PRESENCES[1].presenceId },
    ],
    ['GET', () => '/useradmin/users', ['users:read', 'users:write'], 'admin:read'],
    ['GET', () => `/useradmin/users/${userId}`, ['users:read'], 'interaction-content:read'],
    [
      'GET',
      () => `/conversation-analyzer/interactions/${interaction.guid}`,
      ['interaction-content:read'],
      'stats',
    ],
    [
      'GET',
      () => `/interaction-content/interactions?${WEEK}&limit=5`,
      ['interaction-content:read'],
      'interaction-content:delete',
    ],
    [
      'GET',
      () => `/interaction-content/interactions/${interaction.guid}`,
      ['interaction-content:read'],
      'users:read',
    ],
    [
      'POST',
      () => '/interaction-content/interactions/delete-batch',
      ['interaction-content:delete'],
      'interaction-content:read',
      { guids: ['nope'] },
    ],
    [
      'GET',
      () => `/stats/agent-activities?start=${iso(NOW - 30 * DAY)}&end=${iso(NOW)}`,
      ['stats'],
      'users:read',
    ],
    ['GET', () => `/stats/interactions?${WEEK}`, ['stats'], 'agents-availability:read'],
    [
      'POST',
      () => '/interactions/invoke',
      ['interactions:write'],
      'users:write',
      { requests: [{ action: 'dispatch', requestid: 'r-1', route: 'APIRouting' }] },
    ],
    [
      'POST',
      () => '/globalpci/v1/session',
      ['globalpci'],
      'admin:write',
      { agentId: 'a-1', paymentData: { Amount: '1240', Currency: 'GBP' } },
    ],
    ['GET', () => '/webhooks/subscriptions', ['admin:read', 'admin:write'], 'users:read'],
    [
      'POST',
      () => '/webhooks/subscriptions',
      ['admin:write'],
      'admin:read',
      { name: 'Ended calls', url: 'https://hooks.example/x', events: ['interaction.ended.v1'] },
    ],
  ];

  it.each(cases)(
    '%s %s admits its scopes and refuses others',
    async (method, path, allowed, denied, body) => {
      for (const scope of allowed) {
        const res = await call(method, path(), scope, body);
        expect(res.status, `${scope}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      }
      const refused = await call(method, path(), denied, body);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toContain(`scope="${allowed.join(' ')}`);
    },
  );

  it('keeps state: a PATCHed presence is what the next GET returns', async () => {
    await call('PATCH', `/agents/${userId}/presence`, 'users:write', { presenceId: PRESENCES[2].presenceId });
    expect((await call('GET', `/agents/${userId}/presence`, 'users:read')).body).toMatchObject({
      userId,
      presence: {
        presenceId: PRESENCES[2].presenceId,
        category: { categoryType: 'ExtendedAway', description: 'Extended Away' },
      },
    });
    const unknown = await call('PATCH', `/agents/${userId}/presence`, 'users:write', { presenceId: 'nope' });
    expect(unknown.status).toBe(400);
    const missing = await call('PATCH', `/agents/${userId}/presence`, 'users:write', {});
    expect(missing.body.errors[0].path).toBe('presenceId');
  });

  it('deleted content is gone', async () => {
    const path = `/interaction-content/interactions/${interaction.guid}/content/callRecording`;
    const download = await fetch(`${keygate.gatewayUrl}${path}`, {
      headers: { authorization: `Bearer ${tokens.get('interaction-content:read')}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('audio/wav');
    expect(
      Buffer.from(await download.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('RIFF');
    expect((await call('DELETE', path, 'interaction-content:delete')).status).toBe(204);
    expect((await call('GET', path, 'interaction-content:read')).status).toBe(404);
    expect((await call('DELETE', path, 'interaction-content:delete')).status).toBe(404);
  });

  it('has interactions yesterday and last month, whenever it runs, the same each time', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const yesterday = `/interaction-content/interactions?start=${iso(today - DAY)}&end=${iso(today)}`;
    const first = await call('GET', yesterday, 'interaction-content:read');
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeGreaterThan(0);
    for (const item of first.body.items) {
      expect(Date.parse(item.start)).toBeGreaterThanOrEqual(today - DAY);
      expect(Date.parse(item.start)).toBeLessThan(today);
    }
    expect((await call('GET', yesterday, 'interaction-content:read')).body).toEqual(first.body);
    const lastMonth = new Date(Date.now());
    lastMonth.setUTCDate(1);
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    const stats = await call(
      'GET',
      `/stats/interactions?start=${iso(lastMonth.setUTCHours(0, 0, 0, 0))}&end=${iso(today - 25 * DAY)}&limit=1000`,
      'stats',
    );
    expect(stats.status).toBe(200);
    expect(stats.body.meta.totalCount).toBeGreaterThan(0);
  });

  it('delete-batch deletes the interactions themselves, not only their content', async () => {
    const week = (
      await call('GET', `/interaction-content/interactions?${WEEK}&limit=1000`, 'interaction-content:read')
    ).body.items as Array<{ guid: string }>;
    const doomed = week.slice(-2).map((i) => i.guid);
    const answer = await call(
      'POST',
      '/interaction-content/interactions/delete-batch',
      'interaction-content:delete',
      {
        guids: [...doomed, '00000000-0000-4000-a000-000000000000'],
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ failures: [] });
    for (const guid of doomed) {
      expect(
        (await call('GET', `/interaction-content/interactions/${guid}`, 'interaction-content:read')).status,
      ).toBe(404);
    }
    const after = (
      await call('GET', `/interaction-content/interactions?${WEEK}&limit=1000`, 'interaction-content:read')
    ).body.items as Array<{ guid: string }>;
    expect(after.map((i) => i.guid)).toEqual(week.map((i) => i.guid).filter((g) => !doomed.includes(g)));
  });

  it('pages interactions with a continuation token until there is none', async () => {
    const all = (
      await call('GET', `/interaction-content/interactions?${WEEK}&limit=1000`, 'interaction-content:read')
    ).body.items;
    expect(all.length).toBeGreaterThan(10);
    const seen = new Set<string>();
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = token ? `&continuationToken=${token}` : '';
      const page = await call(
        'GET',
        `/interaction-content/interactions?${WEEK}&limit=10${query}`,
        'interaction-content:read',
      );
      expect(page.status).toBe(200);
      for (const item of page.body.items) seen.add(item.guid);
      token = page.body.meta.nextContinuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(all.length / 10));
    expect(seen.size).toBe(all.length);
    // VCC's own example: a calendar month, start inclusive, end exclusive.
    const month = await call(
      'GET',
      '/interaction-content/interactions?start=2021-01-01T00:00:00Z&end=2021-02-01T00:00:00Z',
      'interaction-content:read',
    );
    expect(month.status, JSON.stringify(month.body)).toBe(200);
    const lastMonth = await call(
      'GET',
      `/interaction-content/interactions?start=${iso(NOW - 31 * DAY)}&end=${iso(NOW)}&limit=1000`,
      'interaction-content:read',
    );
    expect(lastMonth.status).toBe(200);
    expect(lastMonth.body.items.length).toBeGreaterThan(all.length);
    const tooWide = await call(
      'GET',
      `/interaction-content/interactions?start=${iso(NOW - 32 * DAY)}&end=${iso(NOW)}`,
      'interaction-content:read',
    );
    expect(tooWide.status).toBe(400);
    expect(tooWide.body.message).toContain('at most 31 days');
  });

  it('lists a created webhook subscription, for its own account only', async () => {
    const created = await call('POST', '/webhooks/subscriptions', 'admin:write', {
      name: 'Presence changes',
      url: 'https://hooks.example/presence',
      events: ['agent.presencechanged.v1'],
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toEqual(expect.any(String));
    const list = await call('GET', '/webhooks/subscriptions', 'admin:read');
    const listed = list.body.subscriptions.find(
      (s: { subscriptionId: string }) => s.subscriptionId === created.body.subscriptionId,
    );
    expect(listed).toMatchObject({
      name: 'Presence changes',
      events: ['agent.presencechanged.v1'],
      enabled: true,
    });
    expect(listed).not.toHaveProperty('secret');

    const other = await keygate.store.accounts.create({ name: 'Other', region: 'emea' });
    const made = await keygate.credentials.create({
      accountId: other.id,
      name: 'O',
      scopes: ['admin:read', 'users:read'],
    });
    const { clientId, clientSecret } = {
      clientId: made.credential.clientId,
      clientSecret: made.clientSecret,
    };
    const otherToken = await issueToken(keygate, { clientId, clientSecret }, 'admin:read');
    const otherList = await fetch(`${keygate.gatewayUrl}/webhooks/subscriptions`, {
      headers: { authorization: `Bearer ${otherToken}` },
    });
    expect(((await otherList.json()) as { subscriptions: unknown[] }).subscriptions).toEqual([]);
    const otherUsers = await fetch(`${keygate.gatewayUrl}/useradmin/users/${userId}`, {
      headers: {
        authorization: `Bearer ${await issueToken(keygate, { clientId, clientSecret }, 'users:read')}`,
      },
    });
    expect(otherUsers.status).toBe(404); // generated data differs per account
  });
});
