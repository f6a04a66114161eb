import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/free-port.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminCall } from '../helpers/admin.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

describe('admin API and portal on a port of their own', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    keygate = await startTestKeygate({ adminPort: await freePort() });
  });
  afterAll(() => keygate.stop());

  it('serves them there and not on the public OAuth origin', async () => {
    expect(keygate.adminUrl).not.toBe(keygate.url);
    const login = await adminCall(keygate.adminUrl, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    expect(login.status).toBe(200);
    const onPublic = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    expect(onPublic.status).toBe(404);
    expect((await fetch(`${keygate.url}/portal/`)).status).toBe(404);
    expect((await fetch(`${keygate.adminUrl}/readyz`)).status).toBe(200);
    // The OAuth surface stays where it was.
    expect((await fetch(`${keygate.url}/.well-known/oauth-authorization-server/Auth`)).status).toBe(200);
  });
});
