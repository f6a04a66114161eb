import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { postForm, TOKEN_PATH } from '../helpers/keygate.js';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';

interface Key {
  id: string;
  thumbprint: string;
  algorithms: string[];
  jwk: Record<string, string>;
  lastUsedAt: string | null;
}
interface Credential {
  id: string;
  clientId: string;
  secrets: unknown[];
  keys: Key[];
}

/** Public keys through the admin API, as the portal and scripts manage them. */
describe('admin API: credentials with public keys (private_key_jwt)', () => {
  const given = keygateWithAdmin();

  const signedBy = (clientId: string, privateKey: Parameters<SignJWT['sign']>[0]) =>
    new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(given.keygate.config.publicUrl)
      .setExpirationTime('60s')
      .sign(privateKey);
  const tokenWith = async (clientId: string, privateKey: Parameters<SignJWT['sign']>[0]) =>
    (
      await postForm(given.keygate.url + TOKEN_PATH, {
        grant_type: 'client_credentials',
        scope: 'stats',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await signedBy(clientId, privateKey),
      })
    ).status;

  it('creates a credential from a PEM key with no secret, adds a JWK, removes the first', async () => {
    const first = await generateKeyPair('ES256', { extractable: true });
    const created = await given.admin.call<{ credential: Credential; clientSecret?: string }>(
      'POST',
      '/credentials',
      {
        name: 'Payments',
        scopes: ['stats'],
        publicKeys: [await exportSPKI(first.publicKey)],
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.clientSecret).toBeUndefined();
    const { credential } = created.body;
    expect(credential.secrets).toEqual([]);
    expect(credential.keys).toHaveLength(1);
    expect(credential.keys[0]!.algorithms).toEqual(['ES256']);
    expect(credential.keys[0]!.jwk).not.toHaveProperty('d');
    expect(await tokenWith(credential.clientId, first.privateKey)).toBe(200);

    const second = await generateKeyPair('ES256', { extractable: true });
    const added = await given.admin.call<{ credential: Credential }>(
      'POST',
      `/credentials/${credential.id}/keys`,
      {
        publicKey: await exportJWK(second.publicKey),
      },
    );
    expect(added.status).toBe(201);
    expect(added.body.credential.keys).toHaveLength(2);
    expect(await tokenWith(credential.clientId, second.privateKey)).toBe(200);
    // Each key's last use, as a secret's: the one that signed, once usage is flushed.
    expect(added.body.credential.keys.map((k) => k.lastUsedAt)).toEqual([null, null]);
    await given.keygate.flushUsage();
    const used = await given.admin.call<{ credential: Credential }>('GET', `/credentials/${credential.id}`);
    expect(used.body.credential.keys.every((k) => k.lastUsedAt !== null)).toBe(true);

    const again = await given.admin.call('POST', `/credentials/${credential.id}/keys`, {
      publicKey: await exportJWK(second.publicKey),
    });
    expect(again.status).toBe(409);

    const removed = await given.admin.call<{ credential: Credential }>(
      'DELETE',
      `/credentials/${credential.id}/keys/${credential.keys[0]!.thumbprint}`,
    );
    expect(removed.status).toBe(200);
    expect(removed.body.credential.keys.map((k) => k.thumbprint)).toEqual([
      added.body.credential.keys[1]!.thumbprint,
    ]);
    expect(await tokenWith(credential.clientId, first.privateKey)).toBe(401);

    const entries = await given.admin.call<{ entries: Array<{ action: string; targetId: string }> }>(
      'GET',
      '/audit',
    );
    const actions = entries.body.entries.filter((e) => e.targetId === credential.id).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['credential.created', 'credential.key_added', 'credential.key_removed']),
    );
  });

  it.each([
    [
      'a private key',
      async () => exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey),
      /private key/,
    ],
    [
      'a P-384 key',
      async () => exportJWK((await generateKeyPair('ES384', { extractable: true })).publicKey),
      /P-256/,
    ],
    ['text that is no key', async () => 'hello', /not a public key/],
  ])('refuses %s with validation_failed, naming the field', async (_what, key, message) => {
    const answer = await given.admin.call<{ code: string; message: string; field?: string }>(
      'POST',
      '/credentials',
      {
        name: 'Bad key',
        scopes: ['stats'],
        publicKeys: [await key()],
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(answer.body.message).toMatch(message);
  });
});
