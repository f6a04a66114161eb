import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedKeygate, startKeygateWithRoles, TOKEN_PATH } from '../helpers/keygate.js';

// Each role's routes are served only where that role is on (the gateway alone: gateway-role.test.ts).
describe('roles', () => {
  let tokensOnly: StartedKeygate;
  let adminOnly: StartedKeygate;

  beforeAll(async () => {
    tokensOnly = await startKeygateWithRoles({ roles: ['token-service'] });
    adminOnly = await startKeygateWithRoles({ roles: ['admin'] });
  });
  afterAll(async () => {
    await tokensOnly?.stop();
    await adminOnly?.stop();
  });

  it('token-service alone: the OAuth endpoints, and no admin API, portal or gateway', async () => {
    expect(tokensOnly.url).toBeDefined();
    expect(tokensOnly.adminUrl).toBeUndefined();
    expect(tokensOnly.gatewayUrl).toBeUndefined();
    expect((await fetch(`${tokensOnly.url}/.well-known/jwks.json`)).status).toBe(200);
    const noClient = await fetch(`${tokensOnly.url}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=nobody&client_secret=x&scope=users:read',
    });
    expect(noClient.status).toBe(401);
    expect((await fetch(`${tokensOnly.url}/admin/v1/openapi.json`)).status).toBe(404);
    expect((await fetch(`${tokensOnly.url}/portal/`)).status).toBe(404);
  });

  it('admin alone: the admin API and portal, and no token endpoint or gateway', async () => {
    expect(adminOnly.url).toBeUndefined();
    expect(adminOnly.adminUrl).toBeDefined();
    expect(adminOnly.gatewayUrl).toBeUndefined();
    expect((await fetch(`${adminOnly.adminUrl}/admin/v1/openapi.json`)).status).toBe(200);
    expect((await fetch(`${adminOnly.adminUrl}/portal/`)).status).toBe(200);
    expect((await fetch(`${adminOnly.adminUrl}/.well-known/jwks.json`)).status).toBe(404);
    expect((await fetch(`${adminOnly.adminUrl}${TOKEN_PATH}`, { method: 'POST' })).status).toBe(404);
  });
});
