import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { explainWithCli } from '../helpers/keygate-process.js';
import { issueToken, signWithServerKey } from '../helpers/tokens.js';

describe('keygate explain', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };
  const explain = (token: string, path: string, method = 'GET') =>
    explainWithCli(
      {
        PATH: process.env.PATH,
        KEYGATE_DATA_DIR: keygate.dataDir,
        KEYGATE_PUBLIC_URL: keygate.config.publicUrl,
        KEYGATE_AUDIENCE: keygate.config.audience,
      },
      token,
      path,
      method,
    );

  beforeAll(async () => {
    keygate = await startTestKeygate({}, mkdtempSync(join(tmpdir(), 'keygate-explain-')));
    client = await keygate.createCredential(['agents-availability:read', 'stats']);
  });
  afterAll(async () => {
    await keygate.stop();
    rmSync(keygate.dataDir, { recursive: true, force: true });
  });

  it('admits a valid token with the route’s scope, and agrees with the gateway', async () => {
    const token = await issueToken(keygate, client, 'agents-availability:read');
    const { code, json } = await explain(token, '/agents-availability?skillNames=Sales');
    expect(code).toBe(0);
    expect(json).toMatchObject({
      admitted: true,
      status: 200,
      route: {
        api: 'agents-availability',
        path: '/agents-availability',
        scopes: ['agents-availability:read'],
      },
      token: { client_id: client.clientId, scopes: ['agents-availability:read'] },
    });
    const res = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('finds the route as the gateway does: HEAD by its GET route', async () => {
    const token = await issueToken(keygate, client, 'agents-availability:read');
    const head = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(head.status).toBe(200);
    expect((await explain(token, '/agents-availability', 'HEAD')).json).toMatchObject({
      admitted: true,
      route: { api: 'agents-availability', method: 'HEAD', path: '/agents-availability' },
    });
  });

  it('names the issuer of a token from another, and how to keep the one before /Auth', async () => {
    const other = await signWithServerKey(keygate, {
      iss: 'https://other.example',
      client_id: client.clientId,
    });
    const refused = await explain(other, '/agents-availability');
    expect(refused.json).toMatchObject({ admitted: false, status: 401 });
    expect(refused.json.reason).toBe(
      `the token was issued by another issuer: "https://other.example", not "${keygate.config.publicUrl}"`,
    );
    // A token of the default issuer before ADR 0007: this Keygate's origin.
    const before = await signWithServerKey(keygate, { iss: keygate.url, client_id: client.clientId });
    expect((await explain(before, '/agents-availability')).json.reason).toMatch(
      new RegExp(
        `moved under /Auth: publicUrl "${keygate.url}" \\(KEYGATE_PUBLIC_URL\\) keeps the old issuer$`,
      ),
    );
  });

  it('names the missing scope, an unknown route, an expired, forged or revoked token', async () => {
    const statsToken = await issueToken(keygate, client, 'stats');
    const wrongScope = await explain(statsToken, '/agents-availability');
    expect(wrongScope.code).toBe(3);
    expect(wrongScope.json).toMatchObject({
      admitted: false,
      status: 403,
      reason: 'the token has stats; GET /agents-availability needs one of: agents-availability:read',
    });

    expect((await explain(statsToken, '/nowhere')).json).toMatchObject({
      status: 404,
      reason: 'no API declares GET /nowhere',
    });

    const account = (await keygate.store.accounts.list())[0]!;
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithServerKey(keygate, {
      client_id: client.clientId,
      sub: client.clientId,
      account_id: account.id,
      scope: 'agents-availability:read',
      iat: now - 8000,
      exp: now - 600,
    });
    expect((await explain(expired, '/agents-availability')).json).toMatchObject({
      status: 401,
      reason: 'the token has expired',
    });

    const [h, p] = statsToken.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(64, 1).toString('base64url')}`;
    expect((await explain(forged, '/agents-availability')).json.reason).toMatch(
      /^the signature does not verify/,
    );

    const certificateBound = await signWithServerKey(keygate, {
      client_id: client.clientId,
      sub: client.clientId,
      account_id: account.id,
      scope: 'agents-availability:read',
      cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' },
    });
    expect((await explain(certificateBound, '/agents-availability')).json.reason).toBe(
      'the token is valid and holds a scope the route accepts; it is bound to the client certificate bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2, so the call must come over mutual TLS with that certificate',
    );

    const revokedToken = await issueToken(keygate, client, 'agents-availability:read');
    await revokeToken(keygate, client, revokedToken);
    expect((await explain(revokedToken, '/agents-availability')).json).toMatchObject({
      status: 401,
      reason: 'the token has been revoked',
    });
  });
});
