import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminClient, addUser, logIn } from '../helpers/admin.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

describe('admin API: adding a user does not tell which emails other accounts have', () => {
  let keygate: TestKeygate;
  let admin: AdminClient;

  beforeAll(async () => {
    keygate = await startTestKeygate();
    admin = await logIn(keygate);
    const other = await keygate.store.accounts.create({ name: 'Other tenant', region: 'emea' });
    await keygate.users.create({
      accountId: other.id,
      email: 'someone@other.example',
      password: 'other-tenant-password',
      licence: 'supervisor',
    });
  });
  afterAll(() => keygate.stop());

  it("answers an email of another account's user exactly as one of the admin's own account", async () => {
    await addUser(admin, 'colleague@keygate.local', 'supervisor');
    const add = (email: string) =>
      admin.call('POST', '/users', { email, password: 'a-long-enough-password', licence: 'supervisor' });
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
    const users = await admin.call<{ users: Array<{ email: string }> }>('GET', '/users');
    expect(users.body.users.map((u) => u.email).sort()).toEqual([
      'admin@keygate.local',
      'colleague@keygate.local',
    ]);
    const audit = await admin.call('GET', '/audit?limit=100');
    expect(JSON.stringify(audit.body)).not.toContain('other.example');
  });
});
