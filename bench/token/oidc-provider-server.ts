/**
 * Reference: node-oidc-provider configured for the client credentials grant with JWT access tokens
 * (resource indicators), ES256, the same client, scope and lifetime.
 */
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { BENCH_AUDIENCE, BENCH_CLIENT_ID, BENCH_SCOPE, TOKEN_LIFETIME } from './shared.js';

const port = Number(process.argv[2] ?? 0);
const secret = process.argv[3] ?? '';
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'ref' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: BENCH_CLIENT_ID,
      client_secret: secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [jwk] },
  scopes: [BENCH_SCOPE],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => BENCH_AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: BENCH_SCOPE,
        audience: BENCH_AUDIENCE,
        accessTokenTTL: TOKEN_LIFETIME,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});
provider.listen(port, '127.0.0.1', () => process.send?.('ready'));
