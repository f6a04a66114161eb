import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import * as oauth from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const BIN = new URL('../../bin/keygate.js', import.meta.url).pathname;
const run = promisify(execFile);
type SigningKey = Parameters<SignJWT['sign']>[0];

/** Credentials without a shared secret: the client signs an assertion with its own key (RFC 7523). */
describe('private_key_jwt', () => {
  let keygate: TestKeygate;
  let accountId: string;

  beforeAll(async () => {
    keygate = await startTestKeygate();
    accountId = (await keygate.store.accounts.list())[0]!.id;
  });
  afterAll(() => keygate.stop());

  async function keyCredential(alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA' = 'ES256') {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const { credential, keys } = await keygate.credentials.createWithKeys({
      accountId,
      name: `Signed ${alg}`,
      scopes: ['agents-availability:read'],
      publicKeys: [await exportJWK(publicKey)],
    });
    return {
      clientId: credential.clientId,
      id: credential.id,
      privateKey,
      alg,
      thumbprint: keys[0]!.thumbprint,
    };
  }

  function assertion(
    client: { clientId: string; privateKey: SigningKey; alg: string },
    claims: Record<string, unknown> = {},
    expiresIn = '60s',
  ) {
    const standard = { iss: client.clientId, sub: client.clientId, aud: `${keygate.url}${TOKEN_PATH}` };
    return new SignJWT({ jti: randomUUID(), ...standard, ...claims })
      .setProtectedHeader({ alg: client.alg })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(client.privateKey);
  }

  const tokenWith = (signed: string, extra: Record<string, string> = {}) =>
    postForm(keygate.url + TOKEN_PATH, {
      grant_type: 'client_credentials',
      scope: 'agents-availability:read',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: signed,
      ...extra,
    });

  it('is advertised in the metadata with its algorithms', async () => {
    const metadata = (await (
      await fetch(`${keygate.url}/.well-known/oauth-authorization-server/Auth`)
    ).json()) as Record<string, unknown>;
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual([
      'ES256',
      'RS256',
      'PS256',
      'EdDSA',
      'Ed25519',
    ]);
  });

  it('openid-client’s PrivateKeyJwt gets a token that the gateway admits', async () => {
    const client = await keyCredential('ES256');
    const config = await oauth.discovery(
      new URL(keygate.config.publicUrl),
      client.clientId,
      undefined,
      oauth.PrivateKeyJwt(client.privateKey as Parameters<typeof oauth.PrivateKeyJwt>[0]),
      { execute: [oauth.allowInsecureRequests] },
    );
    const tokens = await oauth.clientCredentialsGrant(config, { scope: 'agents-availability:read' });
    const call = await fetch(`${keygate.gatewayUrl}/agents-availability`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(call.status).toBe(200);
  });

  it.each(['RS256', 'PS256', 'EdDSA'] as const)('takes %s keys', async (alg) => {
    const client = await keyCredential(alg);
    const answer = await tokenWith(await assertion(client));
    expect(answer.status, answer.text).toBe(200);
  });

  it('accepts each assertion once: a replayed jti is invalid_client', async () => {
    const client = await keyCredential();
    const signed = await assertion(client);
    expect((await tokenWith(signed)).status).toBe(200);
    const replayed = await tokenWith(signed);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
  });

  it('takes an assertion that lives an hour, as authlib makes them, once: kept until its exp', async () => {
    const client = await keyCredential();
    const signed = await assertion(client, {}, '1h');
    expect((await tokenWith(signed)).status).toBe(200);
    // Past any shorter bound the store might keep it for, the replay is still refused.
    await keygate.pruneExpired(new Date(Date.now() + 59 * 60_000));
    expect((await tokenWith(signed)).status).toBe(401);
  });

  it.each([
    ['another audience', { aud: 'https://elsewhere.example/token' }, '60s'],
    ['iss and sub that differ', { sub: 'someone-else' }, '60s'],
    ['an exp more than an hour ahead', {}, '62m'],
    ['an exp in the past', {}, '-5m'],
    ['no jti', { jti: undefined }, '60s'],
  ])('refuses an assertion with %s, as it refuses a wrong secret', async (_why, claims, expiresIn) => {
    const client = await keyCredential();
    const answer = await tokenWith(await assertion(client, claims, expiresIn));
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
  });

  it('refuses an assertion signed by another key, and audits the failure', async () => {
    const client = await keyCredential();
    const stranger = { ...client, privateKey: (await generateKeyPair('ES256')).privateKey };
    const answer = await tokenWith(await assertion(stranger));
    expect(answer.status).toBe(401);
    await expect
      .poll(async () =>
        (await keygate.store.audit.list(accountId, { limit: 50 })).some(
          (e) =>
            e.action === 'client_authentication.failed' &&
            e.targetId === client.id &&
            (e.details as { method?: string }).method === 'private_key_jwt',
        ),
      )
      .toBe(true);
  });

  it('a removed key signs nothing more; the credential has no secret to fall back on', async () => {
    const client = await keyCredential();
    expect((await tokenWith(await assertion(client))).status).toBe(200);
    // The only key of a credential without a secret stays: it is the one way in.
    await expect(keygate.credentials.removeKey(client.id, client.thumbprint)).rejects.toThrow(
      /only key and the credential has no usable secret/,
    );
    const next = await generateKeyPair('ES256', { extractable: true });
    await keygate.credentials.addKey(client.id, await exportJWK(next.publicKey));
    await keygate.credentials.removeKey(client.id, client.thumbprint);
    expect((await tokenWith(await assertion(client))).status).toBe(401);
    expect((await tokenWith(await assertion({ ...client, privateKey: next.privateKey }))).status).toBe(200);
    const noSecret = await postForm(keygate.url + TOKEN_PATH, {
      grant_type: 'client_credentials',
      scope: 'agents-availability:read',
      client_id: client.clientId,
      client_secret: 'kgs_guess',
    });
    expect(noSecret.status).toBe(401);
  });

  it('introspection takes the same assertions', async () => {
    const client = await keyCredential();
    const token = (await tokenWith(await assertion(client))).body!.access_token as string;
    const answer = await postForm(`${keygate.url}/Auth/connect/introspect`, {
      token,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(client.clientId)
        .setSubject(client.clientId)
        .setAudience(keygate.config.publicUrl)
        .setExpirationTime('60s')
        .sign(client.privateKey),
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ active: true, client_id: client.clientId });
  });

  it('refuses a private key given as the public one, and says so', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    await expect(
      keygate.credentials.createWithKeys({
        accountId,
        name: 'Careless',
        scopes: ['stats'],
        publicKeys: [await exportJWK(privateKey)],
      }),
    ).rejects.toThrow(/private key; give its public key/);
  });

  it('the CLI journey: openssl keys, a credential without a secret, a signed token request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-pkjwt-'));
    const key = join(dir, 'client.key');
    const pem = join(dir, 'client.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    execFileSync('openssl', ['ec', '-in', key, '-pubout', '-out', pem], { stdio: 'ignore' });
    const env = { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir };
    const created = JSON.parse(
      (
        await run(
          process.execPath,
          [
            BIN,
            'credentials',
            'create',
            '--name',
            'Payments',
            '--scope',
            'stats',
            '--public-key',
            pem,
            '--json',
          ],
          { env },
        )
      ).stdout,
    );
    expect(created).not.toHaveProperty('client_secret');
    expect(created.keys).toHaveLength(1);
    // openssl writes SEC1; jose signs with PKCS#8, as most libraries take it.
    const pkcs8 = execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', key], { encoding: 'utf8' });
    const client = {
      clientId: created.client_id,
      privateKey: await importPKCS8(pkcs8, 'ES256'),
      alg: 'ES256',
    };
    await keygate.syncChanges();
    const answer = await postForm(keygate.url + TOKEN_PATH, {
      grant_type: 'client_credentials',
      scope: 'stats',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: await assertion(client),
    });
    expect(answer.status, answer.text).toBe(200);
    const listed = JSON.parse(
      (await run(process.execPath, [BIN, 'credentials', 'keys', created.client_id, '--json'], { env }))
        .stdout,
    );
    expect(listed.map((k: { thumbprint: string }) => k.thumbprint)).toEqual([created.keys[0].thumbprint]);
    expect(readFileSync(pem, 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
  });
});
