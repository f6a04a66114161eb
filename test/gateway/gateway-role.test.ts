import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  revokeToken,
  type StartedKeygate,
  startKeygateWithRoles,
  startTestKeygate,
  type TestKeygate,
} from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

// Production's shape: the token service and admin API in one process, the gateway in another, one
// store between them. The gateway process is given a master key file that does not exist: it must
// not need one.
describe('a gateway-only process (roles: gateway)', () => {
  const shared = mkdtempSync(join(tmpdir(), 'keygate-roles-'));
  const audience = 'https://api.emea.example';
  let tokens: TestKeygate;
  let gateway: StartedKeygate;
  const call = (token: string, path = '/agents-availability') =>
    fetch(`${gateway.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    tokens = await startTestKeygate({ roles: ['token-service', 'admin'], audience }, shared);
    gateway = await startKeygateWithRoles(
      {
        roles: ['gateway'],
        publicUrl: tokens.config.publicUrl, // the issuer: its JWKS is where the keys are fetched
        audience,
        masterKeyFile: join(shared, 'no-such.key'),
      },
      shared,
    );
  });
  afterAll(async () => {
    await gateway?.stop();
    await tokens?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  it('serves the gateway alone, without the master key or the secrets it protects', async () => {
    expect(gateway.gatewayUrl).toBeDefined();
    expect(gateway.url).toBeUndefined();
    expect(gateway.adminUrl).toBeUndefined();
    expect(gateway.credentials).toBeUndefined();
    expect(gateway.masterKeyOrigin).toBeUndefined();
    expect(gateway.bootstrap).toBeUndefined();
    // Nothing listens on the token service's port.
    await expect(fetch(`http://127.0.0.1:${gateway.config.port}/healthz`)).rejects.toThrow();
    // The token service process serves no gateway.
    expect(tokens.gatewayUrl).toBeUndefined();
  });

  it("admits the token service's tokens, verified with the issuer's JWKS, and checks scopes", async () => {
    const client = await tokens.createCredential(['agents-availability:read']);
    const token = await issueToken(tokens, client, 'agents-availability:read');
    const answer = await call(token);
    expect(answer.status).toBe(200);
    expect(Object.keys((await answer.json()) as object)).toContain('Ready');
    expect((await call(token, '/stats/interactions')).status).toBe(403);
  });

  it('refuses a token revoked at the token service within 1 s', async () => {
    const client = await tokens.createCredential(['agents-availability:read']);
    const token = await issueToken(tokens, client, 'agents-availability:read');
    expect((await call(token)).status).toBe(200);
    expect((await revokeToken(tokens, client, token)).status).toBe(200);
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(401);
    });
  });

  it('refuses the tokens of a credential deleted in the admin process within 1 s', async () => {
    const client = await tokens.createCredential(['agents-availability:read']);
    const token = await issueToken(tokens, client, 'agents-availability:read');
    expect((await call(token)).status).toBe(200);
    await tokens.credentials.delete(client.id);
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(401);
    });
  });
});
