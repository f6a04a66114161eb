import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  revokeToken,
  startKeygateWithRoles,
  startTestKeygate,
  type TestKeygate,
} from '../helpers/keygate.js';
import { issueToken, rotateKeys, signWithServerKey } from '../helpers/tokens.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

describe('gateway: revocation, credential changes and key rotation', () => {
  let keygate: TestKeygate;
  const call = (token: string) =>
    fetch(`${keygate.gatewayUrl}/agents-availability`, { headers: { authorization: `Bearer ${token}` } });

  /** Revokes the token as its client (RFC 7009), then the gateway must refuse it within 1 s. */
  const revokeAndExpectRefusalWithinOneSecond = async (
    client: { clientId: string; clientSecret: string },
    token: string,
  ) => {
    expect((await revokeToken(keygate, client, token)).status).toBe(200);
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(401);
    });
  };

  beforeAll(async () => {
    keygate = await startTestKeygate({ changePollMs: 250 });
  });
  afterAll(() => keygate.stop());

  it('refuses a revoked token within 1 s although its JWT is still formally valid', async () => {
    const client = await keygate.createCredential(['agents-availability:read']);
    const token = await issueToken(keygate, client, 'agents-availability:read');
    expect((await call(token)).status).toBe(200); // now cached as verified
    await revokeAndExpectRefusalWithinOneSecond(client, token);
  });

  it('refuses a revoked token that expired moments ago, while the clock leeway still admits it', async () => {
    const client = await keygate.createCredential(['agents-availability:read']);
    const { accountId } = (await keygate.store.credentials.findByClientId(client.clientId))!;
    const jti = randomUUID();
    const exp = Math.floor(Date.now() / 1000) - 5;
    const token = await signWithServerKey(keygate, {
      client_id: client.clientId,
      account_id: accountId,
      scope: 'agents-availability:read',
      jti,
      exp,
    });
    // 5 s past exp, within the 30 s leeway; the second call is answered from the gateway's memory.
    expect((await call(token)).status).toBe(200);
    expect((await call(token)).status).toBe(200);
    await revokeAndExpectRefusalWithinOneSecond(client, token);
    // Kept as long as the leeway could admit the token, so a restarted gateway loads it too.
    const active = await keygate.store.revokedTokens.listActive(new Date());
    expect(active.find((t) => t.jti === jti)?.expiresAt).toBe(new Date((exp + 30) * 1000).toISOString());
  });

  it('refuses tokens of a credential deleted or disabled from outside the process within 1 s', async () => {
    const client = await keygate.createCredential(['agents-availability:read']);
    const token = await issueToken(keygate, client, 'agents-availability:read');
    expect((await call(token)).status).toBe(200);
    // Write through the store as another process (the CLI) would: no in-process notification.
    const credential = (await keygate.store.credentials.findByClientId(client.clientId))!;
    await keygate.store.credentials.update(credential.id, { disabled: true });
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(401);
    });
    await keygate.store.credentials.update(credential.id, { disabled: false });
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(200);
    });
    await keygate.store.credentials.delete(credential.id);
    await withinOneSecond(async () => {
      expect((await call(token)).status).toBe(401);
    });
  });

  it('keeps admitting tokens across a key rotation: old ones, and new ones signed by the pre-published key', async () => {
    const client = await keygate.createCredential(['agents-availability:read']);
    const before = await issueToken(keygate, client, 'agents-availability:read');
    expect((await call(before)).status).toBe(200);
    await rotateKeys(keygate);
    await keygate.syncChanges();
    const after = await issueToken(keygate, client, 'agents-availability:read');
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect((await call(after)).status).toBe(200);
    expect((await call(before)).status).toBe(200);
  });
});

describe('gateway apart from the token service', () => {
  it('learns a new key on an unknown kid, and keeps validating with the keys it holds while the token service is down', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'keygate-split-'));
    const audience = 'https://api.emea.example';
    const tokens = await startTestKeygate({ roles: ['token-service', 'admin'], audience }, shared);
    const gateway = await startKeygateWithRoles(
      {
        roles: ['gateway'],
        jwksUrl: `${tokens.url}/.well-known/jwks.json`,
        publicUrl: tokens.config.publicUrl,
        audience,
        jwksCooldownSeconds: 0,
      },
      shared, // one deployment, two processes, one store
    );
    const call = (token: string) =>
      fetch(`${gateway.gatewayUrl}/agents-availability`, { headers: { authorization: `Bearer ${token}` } });
    try {
      const client = await tokens.createCredential(['agents-availability:read']);
      expect((await call(await issueToken(tokens, client, 'agents-availability:read'))).status).toBe(200);

      // Two rotations: the key that now signs was created after the gateway last fetched the JWKS.
      await rotateKeys(tokens);
      await rotateKeys(tokens);
      await tokens.syncChanges();
      const fresh = await issueToken(tokens, client, 'agents-availability:read');
      const unverified = await issueToken(tokens, client, 'agents-availability:read');
      expect((await call(fresh)).status).toBe(200);

      await tokens.close(); // the token service goes away
      const unknownKid = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'nope' })).toString('base64url')}.${unverified.split('.')[1]}.${unverified.split('.')[2]}`;
      expect((await call(unknownKid)).status).toBe(401); // forces a JWKS fetch, which fails
      expect((await call(unverified)).status).toBe(200); // verified with the keys still held
    } finally {
      await gateway.close();
      rmSync(shared, { recursive: true, force: true });
    }
  });
});
