import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  ApiError,
  createApiClient,
  createTokenProvider,
  InsufficientScopeError,
  RateLimitedError,
} from '@keygate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const BIN = fileURLToPath(new URL('../../bin/keygate.js', import.meta.url));

describe('client: API client and caller CLI against a started Keygate', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };
  const provider = (scope: string, who = client) =>
    createTokenProvider({
      issuer: keygate.config.publicUrl,
      clientId: who.clientId,
      clientSecret: who.clientSecret,
      scope,
    });

  beforeAll(async () => {
    keygate = await startTestKeygate({
      rateLimitPlans: {
        standard: { perAccount: { limit: 1000, windowSeconds: 60 } },
        tiny: { perAccount: { limit: 1, windowSeconds: 60 } },
      },
    });
    client = await keygate.createCredential(['agents-availability:read', 'stats']);
  });
  afterAll(() => keygate.stop());

  it('calls an API with a bearer token and the versioned Accept header', async () => {
    const api = createApiClient({
      apiBaseUrl: keygate.gatewayUrl!,
      tokens: provider('agents-availability:read'),
    });
    const res = await api.get<Record<string, number>>('/agents-availability', {
      version: 1,
      query: { skillNames: 'Sales' },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.data).sort()).toEqual(['Away', 'Extended Away', 'Logged Out', 'Ready']);
    const wrongVersion = await api.get('/agents-availability', { version: 3 }).catch((e: unknown) => e);
    expect(wrongVersion).toBeInstanceOf(ApiError);
    expect(wrongVersion).toMatchObject({ status: 406, code: 'not_acceptable' });
  });

  it('after a 401 invalid_token, gets one fresh token and retries once', async () => {
    const fresh = await keygate.createCredential(['agents-availability:read']);
    const tokens = provider('agents-availability:read', fresh);
    const api = createApiClient({ apiBaseUrl: keygate.gatewayUrl!, tokens });
    const first = await tokens.getToken();
    expect((await api.get('/agents-availability')).status).toBe(200);
    // The token is revoked behind the client's back.
    await revokeToken(keygate, fresh, first);
    await keygate.syncChanges();
    expect((await api.get('/agents-availability')).status).toBe(200);
    expect(await tokens.getToken()).not.toBe(first);
  });

  it('throws InsufficientScopeError naming the scopes the API accepts', async () => {
    const api = createApiClient({ apiBaseUrl: keygate.gatewayUrl!, tokens: provider('stats') });
    const error = await api.get('/agents-availability').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).requiredScopes).toEqual(['agents-availability:read']);
    expect((error as InsufficientScopeError).code).toBe('insufficient_scope');
  });

  it('throws RateLimitedError with the server’s Retry-After', async () => {
    const account = await keygate.store.accounts.create({ name: 'Tiny plan', region: 'emea', plan: 'tiny' });
    const made = await keygate.credentials.create({
      accountId: account.id,
      name: 'T',
      scopes: ['agents-availability:read'],
    });
    const api = createApiClient({
      apiBaseUrl: keygate.gatewayUrl!,
      tokens: provider('agents-availability:read', {
        id: made.credential.id,
        clientId: made.credential.clientId,
        clientSecret: made.clientSecret,
      }),
    });
    expect((await api.get('/agents-availability')).status).toBe(200);
    const error = await api.get('/agents-availability').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('works with the official samples’ style: Basic auth, grant_type and scope in the body', async () => {
    // As Vonage's published Node samples do (axios.post with auth: {username, password}), with fetch.
    const response = await fetch(`${keygate.url}/Auth/connect/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&scope=stats',
    });
    expect(response.status).toBe(200);
    const { access_token, token_type, expires_in } = (await response.json()) as Record<string, unknown>;
    expect({ token_type, expires_in }).toEqual({ token_type: 'Bearer', expires_in: 7200 });
    const stats = await fetch(
      `${keygate.gatewayUrl}/stats/interactions?start=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`,
      {
        headers: { Authorization: `Bearer ${access_token}`, Accept: 'application/vnd.newvoicemedia.v3+json' },
      },
    );
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { meta: { totalCount: number } }).meta.totalCount).toBeGreaterThan(0);
  });

  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          env: {
            PATH: process.env.PATH,
            KEYGATE_CLIENT_ID: client.clientId,
            KEYGATE_CLIENT_SECRET: client.clientSecret,
            KEYGATE_DATA_DIR: keygate.dataDir,
          },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  it('keygate token prints a token; keygate call prints the API’s JSON answer', async () => {
    const token = await cli(['token', '--scope', 'stats', '--issuer', keygate.config.publicUrl]);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const json = await cli(['token', '--scope', 'stats', '--issuer', keygate.config.publicUrl, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ token_type: 'Bearer', scope: 'stats' });

    const call = await cli([
      'call',
      'GET',
      '/agents-availability?skillNames=Sales',
      '--scope',
      'agents-availability:read',
      '--issuer',
      keygate.config.publicUrl,
      '--api-base-url',
      keygate.gatewayUrl!,
      '--api-version',
      '1',
    ]);
    expect(call.stderr).toBe('');
    expect(Object.keys(JSON.parse(call.stdout)).sort()).toEqual([
      'Away',
      'Extended Away',
      'Logged Out',
      'Ready',
    ]);

    const refused = await cli([
      'call',
      'GET',
      '/agents-availability',
      '--scope',
      'stats',
      '--issuer',
      keygate.config.publicUrl,
      '--api-base-url',
      keygate.gatewayUrl!,
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      'error: the token lacks the scope this API needs: one of agents-availability:read',
    );

    const badScope = await cli(['token', '--scope', 'globalpci', '--issuer', keygate.config.publicUrl]);
    expect(badScope.code).toBe(3);
    expect(badScope.stderr).toBe(
      'error: token request failed: invalid_scope (The client is not allowed the requested scope: globalpci)\n',
    );
  });
});
