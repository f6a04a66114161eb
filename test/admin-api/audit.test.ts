import { describe, expect, it } from 'vitest';
import { addUser, logIn } from '../helpers/admin.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

interface Entry {
  id: string;
  action: string;
  actorEmail: string;
  targetType: string;
  targetName: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

describe('admin API: audit log', () => {
  const given = keygateWithAdmin();

  it('records every kind of change, who made it and from where, newest first', async () => {
    const created = await given.admin.call<{ credential: { id: string; secrets: Array<{ id: string }> } }>(
      'POST',
      '/credentials',
      { name: 'Audited', scopes: ['stats'] },
    );
    const id = created.body.credential.id;
    await given.admin.call('PATCH', `/credentials/${id}`, {
      name: 'Audited 2',
      scopes: ['stats', 'users:read'],
    });
    await given.admin.call('PATCH', `/credentials/${id}`, { disabled: true });
    await given.admin.call('PATCH', `/credentials/${id}`, { disabled: false });
    const added = await given.admin.call<{ secret: { id: string } }>('POST', `/credentials/${id}/secrets`);
    await given.admin.call('PATCH', `/credentials/${id}/secrets/${added.body.secret.id}`, {
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    await given.admin.call('DELETE', `/credentials/${id}/secrets/${created.body.credential.secrets[0]!.id}`);
    await given.admin.call('DELETE', `/credentials/${id}`);
    await addUser(given.admin, 'audited-user@keygate.local', 'supervisor');
    const token = await given.admin.call<{ token: { id: string } }>('POST', '/tokens', {
      name: 'audited token',
    });
    await given.admin.call('DELETE', `/tokens/${token.body.token.id}`);
    await given.admin.call('DELETE', '/session');

    const reader = await logIn(given.keygate);
    const audit = await reader.call<{ entries: Entry[] }>('GET', '/audit?limit=100');
    const actions = audit.body.entries.map((e) => e.action);
    expect(actions.slice(0, 14)).toEqual([
      'login.succeeded',
      'logout',
      'api_token.revoked',
      'api_token.created',
      'user.created',
      'credential.deleted',
      'credential.secret_revoked',
      'credential.secret_expiry_set',
      'credential.secret_added',
      'credential.enabled',
      'credential.disabled',
      'credential.updated',
      'credential.created',
      'login.succeeded',
    ]);
    for (const entry of audit.body.entries) {
      expect(entry.actorEmail).toBe('admin@keygate.local');
      expect(entry.ip).toBe('127.0.0.1');
    }
    const updated = audit.body.entries.find((e) => e.action === 'credential.updated')!;
    expect(updated).toMatchObject({
      targetType: 'credential',
      targetName: 'Audited',
      details: { name: { from: 'Audited', to: 'Audited 2' }, scopesAdded: ['users:read'] },
    });
  });

  it('pages with nextBefore without gaps or repeats', async () => {
    const admin = await logIn(given.keygate);
    const all = await admin.call<{ entries: Entry[] }>('GET', '/audit?limit=500');
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { body: { entries: Entry[]; nextBefore: string | null } } = await admin.call(
        'GET',
        `/audit?limit=3${before ? `&before=${before}` : ''}`,
      );
      seen.push(...page.body.entries.map((e) => e.id));
      before = page.body.nextBefore;
    } while (before);
    expect(seen).toEqual(all.body.entries.map((e) => e.id));
  });
});
