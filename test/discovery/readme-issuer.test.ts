import { allowInsecureRequests, discoveryRequest, processDiscoveryResponse } from 'oauth4webapi';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { README, README_ORIGIN, readmeIssuer } from '../helpers/readme.js';

/**
 * The README's issuer given to client libraries as their own docs say, on a Keygate started with
 * the defaults: each forms the well-known URL from it and checks that the document names it
 * (RFC 8414 §3.3, OpenID Connect Discovery §4.3). go-oidc's run is in debian-clients.test.ts.
 */
describe("the README's issuer, discovered by client libraries", () => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };
  let issuer: URL;
  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['stats']);
    issuer = new URL(readmeIssuer(keygate.url));
  });
  afterAll(() => keygate.stop());

  it('is the issuer of the default configuration', () => {
    expect(issuer.href).toBe(keygate.config.publicUrl);
  });

  it.each([
    ['OpenID Connect discovery (its default)', undefined],
    ['RFC 8414 discovery', 'oauth2'],
  ] as const)('openid-client, by %s, finds it and gets a token', async (_name, algorithm) => {
    const config = await oauth.discovery(
      issuer,
      client.clientId,
      undefined,
      oauth.ClientSecretBasic(client.clientSecret),
      { execute: [oauth.allowInsecureRequests], ...(algorithm && { algorithm }) },
    );
    expect(config.serverMetadata().issuer).toBe(issuer.href);
    expect(config.serverMetadata().token_endpoint).toBe(`${keygate.url}/Auth/connect/token`);
    const tokens = await oauth.clientCredentialsGrant(config, { scope: 'stats' });
    expect(tokens.scope).toBe('stats');
  });

  it.each(['oidc', 'oauth2'] as const)(
    'oauth4webapi (%s) finds it and its checks pass',
    async (algorithm) => {
      const response = await discoveryRequest(issuer, { algorithm, [allowInsecureRequests]: true });
      const metadata = await processDiscoveryResponse(issuer, response);
      expect(metadata.issuer).toBe(issuer.href);
      expect(metadata.token_endpoint).toBe(`${keygate.url}/Auth/connect/token`);
    },
  );

  it("answers the quickstart's discovery and key URLs", async () => {
    const urls = [...README.matchAll(/^curl -s (\S+\/\.well-known\/\S+)$/gm)].map((m) => m[1]!);
    expect(urls).toEqual([
      `${README_ORIGIN}/Auth/.well-known/openid-configuration`,
      `${README_ORIGIN}/.well-known/jwks.json`,
    ]);
    for (const url of urls) {
      expect((await fetch(url.replace(README_ORIGIN, keygate.url))).status, url).toBe(200);
    }
  });
});
