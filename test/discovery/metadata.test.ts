import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';

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
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'],
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

  it('serves the same document as OpenID discovery at the root, and none under /Auth', async () => {
    const expected = await (await fetch(`${keygate.url}/.well-known/oauth-authorization-server`)).json();
    const res = await fetch(`${keygate.url}/.well-known/openid-configuration`, { redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(expected);
    // It would name the root issuer at a URL formed from `…/Auth`: clients must refuse that.
    expect((await fetch(`${keygate.url}/Auth/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('advertises nothing Keygate does not do, and no empty list', async () => {
    const metadata = (await (
      await fetch(`${keygate.url}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    for (const field of [
      'authorization_endpoint',
      'userinfo_endpoint',
      'response_types_supported',
      'id_token_signing_alg_values_supported',
    ]) {
      expect(metadata, field).not.toHaveProperty(field);
    }
    for (const [field, value] of Object.entries(metadata)) {
      if (Array.isArray(value)) expect(value.length, field).toBeGreaterThan(0);
    }
    expect(metadata.grant_types_supported).toEqual(['client_credentials']);
    expect(metadata.subject_types_supported).toEqual(['public']);
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

describe("discovery for an issuer with a path (VCC's IdentityServer layout, /Auth)", () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate({ publicUrl: 'https://emea.keygate.example/Auth' });
  });
  afterAll(() => keygate.stop());

  it('serves the metadata where RFC 8414 and OpenID Discovery each look, endpoints on the origin', async () => {
    for (const path of [
      '/Auth/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/Auth',
      '/.well-known/openid-configuration/Auth',
    ]) {
      const res = await fetch(`${keygate.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({
        issuer: 'https://emea.keygate.example/Auth',
        token_endpoint: 'https://emea.keygate.example/Auth/connect/token',
        jwks_uri: 'https://emea.keygate.example/.well-known/jwks.json',
      });
    }
    // The root document would name another issuer than the URL it came from: not served.
    expect((await fetch(`${keygate.url}/.well-known/openid-configuration`)).status).toBe(404);
  });
});

describe('discovery on the default configuration: the issuer under /Auth (ADR 0007)', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate();
  });
  afterAll(() => keygate.stop());

  it('names the origin plus /Auth as the issuer, in the metadata and in the tokens', async () => {
    expect(keygate.config.publicUrl).toBe(`${keygate.url}/Auth`);
    for (const path of [
      '/Auth/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/Auth',
      '/.well-known/openid-configuration/Auth',
    ]) {
      const res = await fetch(`${keygate.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({
        issuer: `${keygate.url}/Auth`,
        token_endpoint: `${keygate.url}/Auth/connect/token`,
        jwks_uri: `${keygate.url}/.well-known/jwks.json`,
      });
    }
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      expect((await fetch(`${keygate.url}${path}`)).status, path).toBe(404);
    }
    const client = await keygate.createCredential(['stats']);
    expect(decodeJwt(await issueToken(keygate, client, 'stats')).iss).toBe(`${keygate.url}/Auth`);
  });

  it('keeps the issuer an existing deployment configured, at the root', async () => {
    const kept = await startTestKeygate({ publicUrl: 'http://127.0.0.1:8080' });
    try {
      const client = await kept.createCredential(['stats']);
      expect(decodeJwt(await issueToken(kept, client, 'stats')).iss).toBe('http://127.0.0.1:8080');
    } finally {
      await kept.stop();
    }
  });
});
