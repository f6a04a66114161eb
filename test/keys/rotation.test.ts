import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { rotateKeys } from '../helpers/tokens.js';

describe('signing key rotation', () => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };
  const issue = async () =>
    String(
      (
        await postForm(
          keygate.url + TOKEN_PATH,
          { grant_type: 'client_credentials', scope: 'stats' },
          { authorization: basic(client.clientId, client.clientSecret) },
        )
      ).body?.access_token,
    );

  beforeAll(async () => {
    keygate = await startTestKeygate({ changePollMs: 250 });
    client = await keygate.createCredential(['stats']);
  });
  afterAll(() => keygate.stop());

  it('never breaks a live token: the old key stays published, the pre-published key signs within 1 s', async () => {
    const before = await issue();
    const jwks = createRemoteJWKSet(new URL(`${keygate.url}/.well-known/jwks.json`));
    const verifyOptions = {
      issuer: keygate.config.publicUrl,
      audience: keygate.config.audience,
      typ: 'at+jwt',
    };
    await jwtVerify(before, jwks, verifyOptions); // a verifier that cached the JWKS before the rotation
    const published = (
      (await (await fetch(`${keygate.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
    ).keys;
    const oldKid = decodeProtectedHeader(before).kid;
    const nextKid = published.find((k) => k.kid !== oldKid)!.kid;

    // Rotate as `keygate keys rotate` does: through the store, from outside the server.
    const rotatedAt = Date.now();
    await rotateKeys(keygate);

    let after = await issue();
    while (decodeProtectedHeader(after).kid === oldKid && Date.now() - rotatedAt < 1000) {
      await new Promise((r) => setTimeout(r, 50));
      after = await issue();
    }
    expect(decodeProtectedHeader(after).kid).toBe(nextKid);

    // The verifier's cached JWKS already held the new key (pre-published), and the old token still verifies.
    await jwtVerify(after, jwks, verifyOptions);
    await jwtVerify(before, jwks, verifyOptions);
    const fresh = createRemoteJWKSet(new URL(`${keygate.url}/.well-known/jwks.json`));
    await jwtVerify(before, fresh, verifyOptions);

    const introspected = await postForm(
      `${keygate.url}/Auth/connect/introspect`,
      { token: before },
      { authorization: basic(client.clientId, client.clientSecret) },
    );
    expect(introspected.body?.active).toBe(true);

    const keys = await keygate.store.signingKeys.list(keygate.config.region);
    expect(keys.map((k) => k.status).sort()).toEqual(['active', 'next', 'retired']);
    const retired = keys.find((k) => k.status === 'retired')!;
    expect(retired.kid).toBe(oldKid);
    expect(Date.parse(retired.retireAfter!)).toBeGreaterThanOrEqual(rotatedAt + 7200 * 1000);
  });
});
