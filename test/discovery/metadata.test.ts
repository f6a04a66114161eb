import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

describe('RFC 8414 metadata and JWKS', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate({ publicUrl: 'https://emea.keygate.example/' });
  });
  afterAll(() => keygate.stop());

  it('names every endpoint under the configured issuer, with the VCC token path', async () => {
    const res = await fetch(`${keygate.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: 'https://emea.keygate.example',
      token_endpoint: 'https://emea.keygate.example/Auth/connect/token',
      jwks_uri: 'https://emea.keygate.example/.well-known/jwks.json',
      introspection_endpoint: 'https://emea.keygate.example/Auth/connect/introspect',
      revocation_endpoint: 'https://emea.keygate.example/Auth/connect/revocation',
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining([
        'agents-availability:read',
        'users:read',
        'users:write',
        'stats',
        'globalpci',
        'admin:write',
      ]),
    );
  });

  it('publishes the active and the pre-published next key, public parts only', async () => {
    const res = await fetch(`${keygate.url}/.well-known/jwks.json`);
    expect(res.headers.get('cache-control')).toMatch(/max-age/);
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toMatchObject({
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
        use: 'sig',
        kid: expect.any(String),
      });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('answers health and readiness', async () => {
    expect(await (await fetch(`${keygate.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${keygate.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
