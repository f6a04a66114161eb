import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn } from '../helpers/admin.js';
import { basic, postForm, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const INTROSPECT = '/Auth/connect/introspect';
const STATS = `/stats/interactions?start=${new Date(Date.now() - 86_400_000).toISOString()}`;

/**
 * A live token is worth only what its credential still grants: a change to the credential reaches
 * the gateway and introspection within a second, as delete and disable already do.
 */
describe('gateway and introspection: a credential changed under a live token', () => {
  let keygate: TestKeygate;
  let caller: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    keygate = await startTestKeygate({ changePollMs: 250 });
    caller = await keygate.createCredential(['users:read'], 'Introspecting');
  });
  afterAll(() => keygate.stop());

  const call = async (token: string, path: string) =>
    (await fetch(`${keygate.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  const introspect = async (token: string) =>
    (
      await postForm(
        keygate.url + INTROSPECT,
        { token },
        { authorization: basic(caller.clientId, caller.clientSecret) },
      )
    ).body;

  it('removed scope: a live token loses it at the gateway and in introspection within 1 s', async () => {
    const client = await keygate.createCredential(['stats', 'agents-availability:read']);
    const token = await issueToken(keygate, client, 'stats agents-availability:read');
    expect(await call(token, STATS)).toBe(200);
    expect((await introspect(token))?.scope).toBe('stats agents-availability:read');

    // Written through the store, as the CLI or another instance would: no in-process notice.
    await keygate.store.credentials.update(client.id, { scopes: ['agents-availability:read'] });
    await withinOneSecond(async () => {
      expect(await call(token, STATS)).toBe(403);
      expect(await call(token, '/agents-availability')).toBe(200);
      expect(await introspect(token)).toMatchObject({ active: true, scope: 'agents-availability:read' });
    });

    // With none of its scopes left the token is refused outright, as introspection says.
    await keygate.store.credentials.update(client.id, { scopes: ['users:read'] });
    await withinOneSecond(async () => {
      expect(await call(token, '/agents-availability')).toBe(401);
      expect(await introspect(token)).toEqual({ active: false });
    });

    // A scope added back admits the token again: it never held more than it was issued.
    await keygate.store.credentials.update(client.id, { scopes: ['stats', 'users:read'] });
    await withinOneSecond(async () => {
      expect(await call(token, STATS)).toBe(200);
      expect(await call(token, '/useradmin/users')).toBe(403);
    });
  });

  it('revoke all tokens (admin API): every live token is refused within 1 s; a new one works at once', async () => {
    const client = await keygate.createCredential(['agents-availability:read']);
    const live = [
      await issueToken(keygate, client, 'agents-availability:read'),
      await issueToken(keygate, client, 'agents-availability:read'),
    ];
    for (const token of live) expect(await call(token, '/agents-availability')).toBe(200);

    const admin = await logIn(keygate);
    const answer = await admin.call<{ credential: { tokensRevokedAt: string } }>(
      'POST',
      `/credentials/${client.id}/revoke-tokens`,
    );
    expect(answer.status).toBe(200);
    expect(Date.parse(answer.body.credential.tokensRevokedAt)).toBeGreaterThan(Date.now() - 60_000);
    await withinOneSecond(async () => {
      for (const token of live) {
        expect(await call(token, '/agents-availability')).toBe(401);
        expect(await introspect(token)).toEqual({ active: false });
      }
    });

    const fresh = await issueToken(keygate, client, 'agents-availability:read');
    expect(await call(fresh, '/agents-availability')).toBe(200);
    expect((await introspect(fresh))?.active).toBe(true);

    const audit = await admin.call<{ entries: Array<{ action: string; targetId: string }> }>('GET', '/audit');
    expect(
      audit.body.entries.some((e) => e.action === 'credential.tokens_revoked' && e.targetId === client.id),
    ).toBe(true);
  });
});
