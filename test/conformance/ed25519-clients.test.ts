import { exportJWK } from 'jose';
import * as oauth4webapi from 'oauth4webapi';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

/**
 * openid-client and oauth4webapi as they come, with Ed25519 keys: both sign with the fully
 * specified `alg: "Ed25519"` (RFC 9864), not `EdDSA`, for client assertions and DPoP proofs alike.
 * Nothing is configured but the key.
 */
describe('Ed25519 keys with openid-client and oauth4webapi defaults', () => {
  let keygate: TestKeygate;
  let accountId: string;
  const SCOPE = 'agents-availability:read';

  beforeAll(async () => {
    keygate = await startTestKeygate();
    accountId = (await keygate.store.accounts.list())[0]!.id;
  });
  afterAll(() => keygate.stop());

  const ed25519 = () => oauth.randomDPoPKeyPair('Ed25519', { extractable: true });

  async function keyCredential(publicKey: oauth.CryptoKey) {
    const { credential } = await keygate.credentials.createWithKeys({
      accountId,
      name: 'Ed25519 client',
      scopes: [SCOPE],
      publicKeys: [await exportJWK(publicKey)],
    });
    return credential.clientId;
  }

  const callUrl = () => new URL(`${keygate.gatewayUrl}/agents-availability`);

  describe('openid-client 6', () => {
    const discover = (clientId: string, auth?: oauth.ClientAuth, secret?: string) =>
      oauth.discovery(new URL(keygate.config.publicUrl), clientId, secret, auth, {
        execute: [oauth.allowInsecureRequests],
      });

    it('PrivateKeyJwt with an Ed25519 key gets a token that the gateway admits', async () => {
      const { privateKey, publicKey } = await ed25519();
      const config = await discover(await keyCredential(publicKey), oauth.PrivateKeyJwt(privateKey));
      const tokens = await oauth.clientCredentialsGrant(config, { scope: SCOPE });
      const answer = await oauth.fetchProtectedResource(config, tokens.access_token, callUrl(), 'GET');
      expect(answer.status).toBe(200);
    });

    it('a DPoP handle with an Ed25519 key gets a bound token and calls the gateway with it', async () => {
      const client = await keygate.createCredential([SCOPE]);
      const config = await discover(client.clientId, undefined, client.clientSecret);
      const DPoP = oauth.getDPoPHandle(config, await ed25519());
      const tokens = await oauth.clientCredentialsGrant(config, { scope: SCOPE }, { DPoP });
      expect(tokens.token_type).toBe('dpop');
      const answer = await oauth.fetchProtectedResource(
        config,
        tokens.access_token,
        callUrl(),
        'GET',
        undefined,
        undefined,
        { DPoP },
      );
      expect(answer.status).toBe(200);
    });
  });

  describe('oauth4webapi 3', () => {
    const insecure = { [oauth4webapi.allowInsecureRequests]: true };

    async function server() {
      const issuer = new URL(keygate.config.publicUrl);
      return oauth4webapi.processDiscoveryResponse(
        issuer,
        await oauth4webapi.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
      );
    }

    async function token(
      clientId: string,
      auth: oauth4webapi.ClientAuth,
      DPoP?: oauth4webapi.DPoPHandle,
    ): Promise<oauth4webapi.TokenEndpointResponse> {
      const as = await server();
      const client = { client_id: clientId };
      const response = await oauth4webapi.clientCredentialsGrantRequest(
        as,
        client,
        auth,
        { scope: SCOPE },
        { ...insecure, ...(DPoP && { DPoP }) },
      );
      return oauth4webapi.processClientCredentialsResponse(as, client, response);
    }

    it('PrivateKeyJwt with an Ed25519 key gets a token that the gateway admits', async () => {
      const { privateKey, publicKey } = await oauth4webapi.generateKeyPair('Ed25519', { extractable: true });
      const tokens = await token(await keyCredential(publicKey), oauth4webapi.PrivateKeyJwt(privateKey));
      const answer = await oauth4webapi.protectedResourceRequest(
        tokens.access_token,
        'GET',
        callUrl(),
        undefined,
        undefined,
        insecure,
      );
      expect(answer.status).toBe(200);
    });

    it('a DPoP handle with an Ed25519 key gets a bound token and calls the gateway with it', async () => {
      const client = await keygate.createCredential([SCOPE]);
      const DPoP = oauth4webapi.DPoP({}, await oauth4webapi.generateKeyPair('Ed25519'));
      const tokens = await token(client.clientId, oauth4webapi.ClientSecretBasic(client.clientSecret), DPoP);
      expect(tokens.token_type).toBe('dpop');
      const answer = await oauth4webapi.protectedResourceRequest(
        tokens.access_token,
        'GET',
        callUrl(),
        undefined,
        undefined,
        { DPoP, ...insecure },
      );
      expect(answer.status).toBe(200);
    });
  });
});
