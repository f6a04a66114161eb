import { beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../helpers/admin.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

describe('admin API: adding a user does not tell which emails other accounts have', () => {
  const given = keygateWithAdmin();

  beforeAll(async () => {
    const other = await given.keygate.store.accounts.create({ name: 'Other tenant', region: 'emea' });
    await given.keygate.users.create({
      accountId: other.id,
      email: 'someone@other.example',
      password: 'other-tenant-password',
      licence: 'supervisor',
    });
  });

  it("answers an email of another account's user exactly as one of the admin's own account", async () => {
    await addUser(given.admin, 'colleague@keygate.local', 'supervisor');
    const add = (email: string) =>
      given.admin.call('POST', '/users', {
        email,
        password: 'a-long-enough-password',
        licence: 'supervisor',
      });
    const elsewhere = await add('Someone@Other.example');
    const ownAccount = await add('colleague@keygate.local');
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toEqual(ownAccount.body);
    expect(elsewhere.body).toEqual({
      code: 'conflict',
      message: 'this email address cannot be used for a new user; choose another',
      field: 'email',
    });
    // Nothing was added, and nothing of the other account shows.
    const users = await given.admin.call<{ users: Array<{ email: string }> }>('GET', '/users');
    expect(users.body.users.map((u) => u.email).sort()).toEqual([
      'admin@keygate.local',
      'colleague@keygate.local',
    ]);
    const audit = await given.admin.call('GET', '/audit?limit=100');
    expect(JSON.stringify(audit.body)).not.toContain('other.example');
  });
});
