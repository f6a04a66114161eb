import { describe, expect, it } from 'vitest';
import { type AdminClient, addUser, logIn } from '../helpers/admin.js';
import { requestToken } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

interface CredentialJson {
  id: string;
  clientId: string;
  name: string;
  scopes: string[];
  ownerEmail: string | null;
  disabled: boolean;
  secrets: Array<{ id: string; hint: string; status: string }>;
}

describe('admin API: API credentials', () => {
  const given = keygateWithAdmin();

  async function create(client: AdminClient, name: string, scopes: string[]) {
    const answer = await client.call<{ credential: CredentialJson; clientSecret: string }>(
      'POST',
      '/credentials',
      { name, scopes },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  }

  it('creates credentials whose secret is shown once and works at the token endpoint', async () => {
    const { credential, clientSecret } = await create(given.admin, 'Reporting', ['stats', 'users:read']);
    expect(credential).toMatchObject({
      name: 'Reporting',
      scopes: ['stats', 'users:read'],
      ownerEmail: 'admin@keygate.local',
      disabled: false,
    });
    expect(clientSecret).toMatch(/^kgs_/);
    expect(credential.secrets).toEqual([
      expect.objectContaining({ hint: clientSecret.slice(0, 8), status: 'active' }),
    ]);
    const token = await requestToken(given.keygate, { clientId: credential.clientId, clientSecret }, 'stats');
    expect(token.status).toBe(200);

    const list = await given.admin.call<{ credentials: CredentialJson[] }>('GET', '/credentials');
    const one = await given.admin.call('GET', `/credentials/${credential.id}`);
    const byClientId = await given.admin.call('GET', `/credentials/${credential.clientId}`);
    expect(list.body.credentials.map((c) => c.id)).toContain(credential.id);
    expect(byClientId.body).toEqual(one.body);
    for (const answer of [list, one]) expect(JSON.stringify(answer.body)).not.toContain(clientSecret);
  });

  it('renames, changes scopes, disables and deletes; the token endpoint follows at once', async () => {
    const { credential, clientSecret } = await create(given.admin, 'Wallboard', ['stats']);
    const client = { clientId: credential.clientId, clientSecret };

    const renamed = await given.admin.call<{ credential: CredentialJson }>(
      'PATCH',
      `/credentials/${credential.id}`,
      {
        name: 'Wallboard (floor 2)',
        scopes: ['stats', 'agents-availability:read'],
      },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body.credential).toMatchObject({
      name: 'Wallboard (floor 2)',
      scopes: ['stats', 'agents-availability:read'],
    });
    expect((await requestToken(given.keygate, client, 'agents-availability:read')).status).toBe(200);

    await given.admin.call('PATCH', `/credentials/${credential.id}`, { disabled: true });
    const refused = await requestToken(given.keygate, client, 'stats');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'unauthorized_client' });
    await given.admin.call('PATCH', `/credentials/${credential.id}`, { disabled: false });
    expect((await requestToken(given.keygate, client, 'stats')).status).toBe(200);

    expect((await given.admin.call('DELETE', `/credentials/${credential.id}`)).status).toBe(204);
    expect((await requestToken(given.keygate, client, 'stats')).body).toMatchObject({
      error: 'invalid_client',
    });
    expect((await given.admin.call('GET', `/credentials/${credential.id}`)).status).toBe(404);
    expect((await given.admin.call('DELETE', `/credentials/${credential.id}`)).status).toBe(404);
  });

  it('names the field at fault for bad input, and stores nothing', async () => {
    const before = await given.keygate.store.credentials.count();
    const cases: Array<[unknown, string, string]> = [
      [{ scopes: ['stats'] }, 'validation_failed', 'name'],
      [{ name: '   ', scopes: ['stats'] }, 'validation_failed', 'name'],
      [{ name: 'x'.repeat(201), scopes: ['stats'] }, 'validation_failed', 'name'],
      [{ name: 'ok', scopes: [] }, 'validation_failed', 'scopes'],
      [{ name: 'ok', scopes: ['users:delete'] }, 'scope_unknown', 'scopes'],
      [{ name: 'ok', scopes: 'stats' }, 'validation_failed', 'scopes'],
      [{ name: 5, scopes: ['stats'] }, 'validation_failed', 'name'],
      [{ name: 'ok', scopes: ['stats'], expiresAt: 'tomorrow' }, 'validation_failed', 'expiresAt'],
      [{ name: 'ok', scopes: ['stats'], extra: true }, 'validation_failed', 'extra'],
    ];
    for (const [body, code, field] of cases) {
      const answer = await given.admin.call('POST', '/credentials', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body, JSON.stringify(body)).toMatchObject({ code, field });
    }
    expect(await given.keygate.store.credentials.count()).toBe(before);
  });

  it('lets an admin filter All / My, and shows each credential its owner', async () => {
    const second = await addUser(given.admin, 'second-admin@keygate.local', 'admin');
    const secondAdmin = await logIn(given.keygate, second.email, second.password);
    const theirs = await create(secondAdmin, 'Second admin app', ['stats']);
    const all = await given.admin.call<{ credentials: CredentialJson[] }>('GET', '/credentials?owner=all');
    const mine = await given.admin.call<{ credentials: CredentialJson[] }>('GET', '/credentials?owner=mine');
    expect(all.body.credentials.map((c) => c.id)).toContain(theirs.credential.id);
    expect(mine.body.credentials.map((c) => c.id)).not.toContain(theirs.credential.id);
    expect(mine.body.credentials.length).toBeGreaterThan(0);
    expect(all.body.credentials.find((c) => c.id === theirs.credential.id)?.ownerEmail).toBe(second.email);
    // Any admin may manage any of the account's credentials.
    expect(
      (await given.admin.call('PATCH', `/credentials/${theirs.credential.id}`, { name: 'Renamed' })).status,
    ).toBe(200);
    expect((await given.admin.call('GET', '/credentials?owner=nobody')).status).toBe(400);
  });

  it('holds supervisors to their own credentials and the two scopes they may grant', async () => {
    const supervisorUser = await addUser(given.admin, 'supervisor@keygate.local', 'supervisor');
    const supervisor = await logIn(given.keygate, supervisorUser.email, supervisorUser.password);

    const scopes = await supervisor.call<{ scopes: Array<{ value: string; grantable: boolean }> }>(
      'GET',
      '/scopes',
    );
    expect(scopes.body.scopes.filter((s) => s.grantable).map((s) => s.value)).toEqual([
      'users:read',
      'interaction-content:read',
    ]);

    const refused = await supervisor.call('POST', '/credentials', { name: 'Too much', scopes: ['stats'] });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'scope_not_grantable', field: 'scopes' });

    const own = await create(supervisor, 'QA recordings', ['interaction-content:read']);
    const widen = await supervisor.call('PATCH', `/credentials/${own.credential.id}`, {
      scopes: ['interaction-content:read', 'interaction-content:delete'],
    });
    expect(widen.status).toBe(403);

    const adminsCredential = await create(given.admin, 'Admin only', ['users:read']);
    const list = await supervisor.call<{ credentials: CredentialJson[] }>('GET', '/credentials?owner=all');
    expect(list.body.credentials.map((c) => c.name)).toEqual(['QA recordings']);
    const missing = await supervisor.call('GET', '/credentials/no-such-id');
    for (const [method, path, body] of [
      ['GET', `/credentials/${adminsCredential.credential.id}`],
      ['GET', `/credentials/${adminsCredential.credential.clientId}`],
      ['PATCH', `/credentials/${adminsCredential.credential.id}`, { name: 'mine now' }],
      ['DELETE', `/credentials/${adminsCredential.credential.id}`],
      ['POST', `/credentials/${adminsCredential.credential.id}/secrets`, {}],
      ['GET', `/credentials/${adminsCredential.credential.id}/usage`],
    ] as const) {
      const answer = await supervisor.call(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.code).toBe(missing.body.code);
    }
    expect((await supervisor.call('GET', '/users')).status).toBe(403);
    expect((await supervisor.call('GET', '/audit')).status).toBe(403);
    expect((await supervisor.call('DELETE', `/credentials/${own.credential.id}`)).status).toBe(204);
  });

  it('gives a user without a licence no API Credentials at all', async () => {
    const plain = await addUser(given.admin, 'no-licence@keygate.local', null);
    const client = await logIn(given.keygate, plain.email, plain.password);
    for (const [method, path, body] of [
      ['GET', '/credentials'],
      ['GET', '/scopes'],
      ['POST', '/credentials', { name: 'x', scopes: ['users:read'] }],
    ] as const) {
      const answer = await client.call(method, path, body);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'no_licence' });
      expect(String(answer.body.message)).toContain('contact support');
    }
  });

  it("keeps accounts apart: another account's admin cannot read, change or detect a credential", async () => {
    const other = await given.keygate.store.accounts.create({ name: 'Other tenant', region: 'emea' });
    await given.keygate.users.create({
      accountId: other.id,
      email: 'admin@other.example',
      password: 'other-tenant-password',
      licence: 'admin',
    });
    const outsider = await logIn(given.keygate, 'admin@other.example', 'other-tenant-password');
    const target = await create(given.admin, 'Tenant A secret app', ['stats']);
    const list = await outsider.call<{ credentials: CredentialJson[] }>('GET', '/credentials');
    expect(list.body.credentials).toEqual([]);
    const missing = await outsider.call('GET', '/credentials/00000000-0000-0000-0000-000000000000');
    for (const [method, path, body] of [
      ['GET', `/credentials/${target.credential.id}`],
      ['GET', `/credentials/${target.credential.clientId}`],
      ['PATCH', `/credentials/${target.credential.id}`, { disabled: true }],
      ['DELETE', `/credentials/${target.credential.id}`],
      ['POST', `/credentials/${target.credential.id}/secrets`, {}],
      ['DELETE', `/credentials/${target.credential.id}/secrets/${target.credential.secrets[0]!.id}`],
      ['GET', `/credentials/${target.credential.id}/usage`],
    ] as const) {
      const answer = await outsider.call(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.code).toBe(missing.body.code);
    }
    const audit = await outsider.call<{ entries: Array<{ targetName: string }> }>('GET', '/audit');
    expect(audit.body.entries.map((e) => e.targetName)).not.toContain('Tenant A secret app');
    const users = await outsider.call<{ users: Array<{ email: string }> }>('GET', '/users');
    expect(users.body.users.map((u) => u.email)).toEqual(['admin@other.example']);
    // Still intact and still working.
    const token = await requestToken(
      given.keygate,
      { clientId: target.credential.clientId, clientSecret: target.clientSecret },
      'stats',
    );
    expect(token.status).toBe(200);
  });

  it('shows tokens issued and API calls per day and scope', async () => {
    const { credential, clientSecret } = await create(given.admin, 'Usage app', ['stats', 'users:read']);
    for (let i = 0; i < 3; i++) {
      await requestToken(given.keygate, { clientId: credential.clientId, clientSecret }, 'stats');
    }
    await given.keygate.flushUsage();
    const usage = await given.admin.call<{
      days: Array<{ day: string; scope: string; tokensIssued: number }>;
    }>('GET', `/credentials/${credential.id}/usage?days=7`);
    expect(usage.status).toBe(200);
    expect(usage.body.days).toEqual([
      { day: new Date().toISOString().slice(0, 10), scope: 'stats', tokensIssued: 3, apiCalls: 0 },
    ]);
    const detail = await given.admin.call<{ credential: { lastUsedAt: string | null } }>(
      'GET',
      `/credentials/${credential.id}`,
    );
    expect(detail.body.credential.lastUsedAt).not.toBeNull();
    expect((await given.admin.call('GET', `/credentials/${credential.id}/usage?days=0`)).status).toBe(400);
  });
});
