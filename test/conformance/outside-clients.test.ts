import { createRemoteJWKSet, jwtVerify } from 'jose';
import { allowInsecureRequests, discoveryRequest, processDiscoveryResponse } from 'oauth4webapi';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

/** Keygate as an outside client sees it: openid-client for the grant, jose for verification. */
describe('conformance with openid-client and jose', () => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['interaction-content:read', 'users:read']);
  });
  afterAll(() => keygate.stop());

  const discover = (auth: oauth.ClientAuth) =>
    oauth.discovery(new URL(keygate.config.publicUrl), client.clientId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [oauth.allowInsecureRequests],
    });

  it.each([
    ['client_secret_post', () => oauth.ClientSecretPost(client.clientSecret)],
    ['client_secret_basic', () => oauth.ClientSecretBasic(client.clientSecret)],
  ])('discovers the server and runs the client credentials grant with %s', async (_name, auth) => {
    const config = await discover(auth());
    expect(config.serverMetadata().token_endpoint).toBe(`${keygate.url}/Auth/connect/token`);
    const tokens = await oauth.clientCredentialsGrant(config, { scope: 'interaction-content:read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expiresIn()).toBeGreaterThan(7190);
    expect(tokens.scope).toBe('interaction-content:read');

    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: config.serverMetadata().issuer,
      audience: keygate.config.audience,
      typ: 'at+jwt',
      requiredClaims: ['jti', 'client_id', 'scope', 'sub', 'iat', 'exp'],
    });
    expect(payload.client_id).toBe(client.clientId);
  });

  it('is found by openid-client’s default discovery (OpenID Connect), which then gets a token', async () => {
    const config = await oauth.discovery(
      new URL(keygate.config.publicUrl),
      client.clientId,
      undefined,
      oauth.ClientSecretBasic(client.clientSecret),
      { execute: [oauth.allowInsecureRequests] },
    );
    const tokens = await oauth.clientCredentialsGrant(config, { scope: 'users:read' });
    expect(tokens.scope).toBe('users:read');
  });

  it('is found by oauth4webapi’s default discovery, and its metadata passes oauth4webapi’s checks', async () => {
    const issuer = new URL(keygate.config.publicUrl);
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const response = await discoveryRequest(issuer, { algorithm, [allowInsecureRequests]: true });
      const metadata = await processDiscoveryResponse(issuer, response);
      expect(metadata.token_endpoint, algorithm).toBe(`${keygate.url}/Auth/connect/token`);
    }
  });

  it('introspects and revokes through openid-client', async () => {
    const config = await discover(oauth.ClientSecretBasic(client.clientSecret));
    const { access_token } = await oauth.clientCredentialsGrant(config, { scope: 'users:read' });
    const active = await oauth.tokenIntrospection(config, access_token);
    expect(active).toMatchObject({ active: true, scope: 'users:read', client_id: client.clientId });
    await oauth.tokenRevocation(config, access_token);
    expect((await oauth.tokenIntrospection(config, access_token)).active).toBe(false);
  });

  it('surfaces the server’s error code and description to openid-client', async () => {
    const config = await discover(oauth.ClientSecretPost(client.clientSecret));
    const error = await oauth.clientCredentialsGrant(config, { scope: 'globalpci' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(oauth.ResponseBodyError);
    expect((error as oauth.ResponseBodyError).error).toBe('invalid_scope');
    expect((error as oauth.ResponseBodyError).error_description).toBe(
      'The client is not allowed the requested scope: globalpci',
    );
  });
});
