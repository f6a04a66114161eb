import { createTokenProvider, TokenRequestError } from '@keygate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlakyFront } from '../helpers/flaky-front.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

describe('client: token provider against a started Keygate', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };

  beforeAll(async () => {
    keygate = await startTestKeygate({ tokenLifetimeSeconds: 120 });
    client = await keygate.createCredential(['stats', 'users:read']);
  });
  afterAll(() => keygate.stop());

  const issued = async (credentialId: string) => {
    await keygate.flushUsage();
    return (await keygate.store.usage.daily(credentialId)).reduce((n, d) => n + d.tokensIssued, 0);
  };

  it('discovers the token endpoint from the issuer and serves 100 concurrent callers with one token request', async () => {
    const fresh = await keygate.createCredential(['stats']);
    const tokens = createTokenProvider({
      issuer: keygate.config.publicUrl,
      clientId: fresh.clientId,
      clientSecret: fresh.clientSecret,
      scope: 'stats',
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => tokens.getToken()));
    expect(new Set(results).size).toBe(1);
    expect(await issued(fresh.id)).toBe(1);
    expect(await tokens.getToken()).toBe(results[0]); // cached
    expect(await issued(fresh.id)).toBe(1);
  });

  it('keeps one token per scope set, whatever the order of the scopes', async () => {
    const fresh = await keygate.createCredential(['stats', 'users:read']);
    const tokens = createTokenProvider({
      issuer: keygate.config.publicUrl,
      clientId: fresh.clientId,
      clientSecret: fresh.clientSecret,
      scope: 'stats',
    });
    const both = await tokens.getAccessToken({ scope: ['users:read', 'stats'] });
    expect(await tokens.getToken({ scope: 'stats users:read' })).toBe(both.accessToken);
    expect(await tokens.getToken()).not.toBe(both.accessToken);
    // Two token requests: one for both scopes, one for stats alone (usage counts tokens per scope).
    await keygate.flushUsage();
    const perScope = Object.fromEntries(
      (await keygate.store.usage.daily(fresh.id)).map((d) => [d.scope, d.tokensIssued]),
    );
    expect(perScope).toEqual({ stats: 2, 'users:read': 1 });
  });

  it('refreshes ahead of expiry', async () => {
    const tokens = createTokenProvider({
      issuer: keygate.config.publicUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scope: 'stats',
      refreshMarginSeconds: 119.5, // tokens live 120 s here: replaced after the one-second minimum
    });
    const first = await tokens.getToken();
    expect(await tokens.getToken()).toBe(first);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await tokens.getToken()).not.toBe(first);
  });

  it('retries 503 and 429 (honouring Retry-After), then succeeds', async () => {
    const front = await startFlakyFront(keygate.url, [
      { status: 503 },
      { status: 429, headers: { 'retry-after': '1' } },
    ]);
    try {
      const tokens = createTokenProvider({
        tokenUrl: `${front.url}/Auth/connect/token`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        scope: 'stats',
        retry: { baseDelayMs: 10 },
      });
      const started = Date.now();
      expect(await tokens.getToken()).toMatch(/^eyJ/);
      expect(front.requests()).toBe(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // waited as Retry-After said
    } finally {
      await front.close();
    }
  });

  it('gives up after its retries with a typed error', async () => {
    const front = await startFlakyFront(keygate.url, [{ status: 503 }, { status: 503 }, { status: 503 }]);
    try {
      const tokens = createTokenProvider({
        tokenUrl: `${front.url}/Auth/connect/token`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        scope: 'stats',
        retry: { retries: 2, baseDelayMs: 5 },
      });
      const error = await tokens.getToken().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenRequestError);
      expect((error as TokenRequestError).status).toBe(503);
      expect(front.requests()).toBe(3);
    } finally {
      await front.close();
    }
  });

  it('never retries invalid_client or invalid_scope, and surfaces the server’s description', async () => {
    const front = await startFlakyFront(keygate.url, []);
    try {
      const wrong = createTokenProvider({
        tokenUrl: `${front.url}/Auth/connect/token`,
        clientId: client.clientId,
        clientSecret: 'kgs_wrong',
        scope: 'stats',
      });
      const bad = await wrong.getToken().catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(TokenRequestError);
      expect(bad).toMatchObject({
        error: 'invalid_client',
        errorDescription: 'Client authentication failed',
        status: 401,
      });
      expect(front.requests()).toBe(1);

      const scoped = createTokenProvider({
        tokenUrl: `${front.url}/Auth/connect/token`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        scope: 'globalpci',
      });
      const refused = await scoped.getToken().catch((e: unknown) => e);
      expect(refused).toMatchObject({
        error: 'invalid_scope',
        errorDescription: 'The client is not allowed the requested scope: globalpci',
      });
      expect(front.requests()).toBe(2);
    } finally {
      await front.close();
    }
  });

  it('sends client_secret_post when asked', async () => {
    const tokens = createTokenProvider({
      tokenUrl: `${keygate.url}/Auth/connect/token`,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scope: 'users:read',
      authMethod: 'client_secret_post',
    });
    expect((await tokens.getAccessToken()).scope).toBe('users:read');
  });

  it('maps real VCC regions to their hosts and refuses unknown ones', async () => {
    const { vccTokenUrl, vccApiBaseUrl } = await import('@keygate/client');
    expect(vccTokenUrl('emea')).toBe('https://emea.cc.vonage.com/Auth/connect/token');
    expect(vccApiBaseUrl('nam')).toBe('https://nam.api.cc.vonage.com');
    const tokens = createTokenProvider({ region: 'mars', clientId: 'x', clientSecret: 'y', scope: 'stats' });
    await expect(tokens.getToken()).rejects.toThrow(/region must be one of emea, nam, apac/);
  });
});
