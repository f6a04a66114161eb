import { describe, expect, it } from 'vitest';
import { addUser, logIn, withApiToken } from '../helpers/admin.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

describe('admin API: personal API tokens', () => {
  const given = keygateWithAdmin();

  it('acts as its owner without a session or CSRF token, until revoked', async () => {
    const created = await given.admin.call<{ token: { id: string; hint: string }; secret: string }>(
      'POST',
      '/tokens',
      {
        name: 'CI pipeline',
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^kgp_[0-9A-Za-z]{49}$/);
    expect(created.body.token.hint).toBe(created.body.secret.slice(0, 8));

    const script = withApiToken(given.keygate, created.body.secret);
    const made = await script.call<{ credential: { ownerEmail: string } }>('POST', '/credentials', {
      name: 'Made by CI',
      scopes: ['stats'],
    });
    expect(made.status).toBe(201);
    expect(made.body.credential.ownerEmail).toBe('admin@keygate.local');

    const listed = await given.admin.call<{ tokens: Array<{ id: string; lastUsedAt: string | null }> }>(
      'GET',
      '/tokens',
    );
    expect(listed.body.tokens).toEqual([
      expect.objectContaining({ id: created.body.token.id, name: 'CI pipeline' }),
    ]);
    expect(listed.body.tokens[0]!.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    expect((await given.admin.call('DELETE', `/tokens/${created.body.token.id}`)).status).toBe(204);
    const after = await script.call('GET', '/credentials');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'unauthenticated' });
  });

  it("is held to its owner's licence", async () => {
    const supervisorUser = await addUser(given.admin, 'sup@keygate.local', 'supervisor');
    const supervisor = await logIn(given.keygate, supervisorUser.email, supervisorUser.password);
    const created = await supervisor.call<{ secret: string; token: { id: string } }>('POST', '/tokens', {
      name: 'Supervisor script',
    });
    const script = withApiToken(given.keygate, created.body.secret);
    expect((await script.call('POST', '/credentials', { name: 'x', scopes: ['stats'] })).status).toBe(403);
    expect((await script.call('GET', '/users')).status).toBe(403);
    // Another user's token cannot be revoked, nor even found.
    expect((await given.admin.call('DELETE', `/tokens/${created.body.token.id}`)).status).toBe(404);
  });

  it('refuses malformed, unknown and made-up tokens alike', async () => {
    for (const value of ['kgp_short', `kgp_${'A'.repeat(49)}`, 'kgs_not-a-personal-token', '']) {
      const answer = await withApiToken(given.keygate, value).call('GET', '/credentials');
      expect(answer.status, value).toBe(401);
      expect(answer.body).toMatchObject({ code: 'unauthenticated' });
    }
  });
});
