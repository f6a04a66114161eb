import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiredSelfSigned, opensslMissing, selfSigned } from '../helpers/certificates.js';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { ManualClock } from '../helpers/manual-clock.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SCOPE = 'agents-availability:read';
type SigningKey = Parameters<SignJWT['sign']>[0];

/** The details of the one refusal audited for `credentialId`, once it is written (after the answer). */
async function auditedRefusal(keygate: TestKeygate, credentialId: string): Promise<unknown> {
  const accountId = (await keygate.store.accounts.list())[0]!.id;
  let details: unknown;
  await expect
    .poll(async () => {
      const entries = await keygate.store.audit.list(accountId, { limit: 200 });
      details = entries.find(
        (e) => e.action === 'client_authentication.failed' && e.targetId === credentialId,
      )?.details;
      return details;
    })
    .toBeDefined();
  return details;
}

/** What the caller sees, whatever the reason. */
async function refusedAs(answer: { status: number; body: unknown }) {
  expect(answer.status).toBe(401);
  expect(answer.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
}

/**
 * Every refused client authentication answers the same invalid_client, and says why only in its
 * account's audit log (`client_authentication.failed`, details `{method, reason}`), so an admin
 * can tell a clock that drifts from a key that was never registered, and a guesser from both.
 */
describe('why a client authentication was refused, in the audit log', () => {
  const clock = new ManualClock();
  let keygate: TestKeygate;
  let accountId: string;

  beforeAll(async () => {
    keygate = await startTestKeygate({}, undefined, { clock });
    accountId = (await keygate.store.accounts.list())[0]!.id;
  });
  afterAll(() => keygate.stop());

  describe('a client secret', () => {
    const tokenWithSecret = (clientId: string, secret: string) =>
      postForm(
        keygate.url + TOKEN_PATH,
        { grant_type: 'client_credentials', scope: SCOPE },
        { authorization: basic(clientId, secret) },
      );

    it('malformed_secret: not a Keygate secret at all', async () => {
      const client = await keygate.createCredential([SCOPE]);
      await refusedAs(await tokenWithSecret(client.clientId, 'kgs_guess'));
      expect(await auditedRefusal(keygate, client.id)).toEqual({
        method: 'client_secret_basic',
        reason: 'malformed_secret',
      });
    });

    it('wrong_secret: a well-formed secret that is not one of its own', async () => {
      const client = await keygate.createCredential([SCOPE]);
      const other = await keygate.createCredential([SCOPE]);
      await refusedAs(await tokenWithSecret(client.clientId, other.clientSecret));
      expect(await auditedRefusal(keygate, client.id)).toEqual({
        method: 'client_secret_basic',
        reason: 'wrong_secret',
      });
    });

    it('expired_secret: its own old secret, past the expiry its rotation gave it', async () => {
      const client = await keygate.createCredential([SCOPE]);
      // A minute ahead, as the admin API takes only an expiry in the future; then the server's clock past it.
      const expiry = Date.now() + 60_000;
      await keygate.credentials.addSecret(client.id, {
        expireOtherSecretsAt: new Date(expiry).toISOString(),
      });
      await keygate.syncChanges();
      clock.advance(expiry - clock.now());
      await refusedAs(await tokenWithSecret(client.clientId, client.clientSecret));
      expect(await auditedRefusal(keygate, client.id)).toEqual({
        method: 'client_secret_basic',
        reason: 'expired_secret',
      });
    });

    it('no_secret: a secret sent for a credential that authenticates with keys', async () => {
      const { credential } = await keygate.credentials.createWithKeys({
        accountId,
        name: 'Keys only',
        scopes: [SCOPE],
        publicKeys: [await exportJWK((await generateKeyPair('ES256')).publicKey)],
      });
      const other = await keygate.createCredential([SCOPE]);
      await refusedAs(await tokenWithSecret(credential.clientId, other.clientSecret));
      expect(await auditedRefusal(keygate, credential.id)).toEqual({
        method: 'client_secret_basic',
        reason: 'no_secret',
      });
    });
  });

  describe('a signed assertion (private_key_jwt)', () => {
    async function keyCredential() {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const { credential } = await keygate.credentials.createWithKeys({
        accountId,
        name: 'Signed',
        scopes: [SCOPE],
        publicKeys: [await exportJWK(publicKey)],
      });
      return { id: credential.id, clientId: credential.clientId, privateKey };
    }

    function assertion(
      client: { clientId: string; privateKey: SigningKey },
      options: { claims?: Record<string, unknown>; alg?: string; expiresIn?: string } = {},
    ) {
      const jwt = new SignJWT({
        jti: randomUUID(),
        iss: client.clientId,
        sub: client.clientId,
        aud: `${keygate.url}${TOKEN_PATH}`,
        ...options.claims,
      })
        .setProtectedHeader({ alg: options.alg ?? 'ES256' })
        .setIssuedAt();
      if (options.expiresIn !== '') jwt.setExpirationTime(options.expiresIn ?? '60s');
      return jwt.sign(client.privateKey);
    }

    const tokenWith = (clientId: string, signed: string) =>
      postForm(keygate.url + TOKEN_PATH, {
        grant_type: 'client_credentials',
        scope: SCOPE,
        client_id: clientId,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: signed,
      });

    const refusedFor = async (
      client: { id: string; clientId: string },
      signed: string | Promise<string>,
      reason: string,
    ) => {
      await refusedAs(await tokenWith(client.clientId, await signed));
      expect(await auditedRefusal(keygate, client.id)).toEqual({ method: 'private_key_jwt', reason });
    };

    it('malformed_assertion: not a JWT', async () => {
      const client = await keyCredential();
      await refusedFor(client, 'not-a-jwt', 'malformed_assertion');
    });

    it('unsupported_algorithm: HS256, signed with a shared secret', async () => {
      const client = await keyCredential();
      const shared = { ...client, privateKey: new TextEncoder().encode('a'.repeat(32)) };
      await refusedFor(client, assertion(shared, { alg: 'HS256' }), 'unsupported_algorithm');
    });

    it('unknown_key: an RS256 assertion for a credential whose only key is EC', async () => {
      const client = await keyCredential();
      const rsa = { ...client, privateKey: (await generateKeyPair('RS256')).privateKey };
      await refusedFor(client, assertion(rsa, { alg: 'RS256' }), 'unknown_key');
    });

    it('bad_signature: signed by an EC key the credential does not have', async () => {
      const client = await keyCredential();
      const stranger = { ...client, privateKey: (await generateKeyPair('ES256')).privateKey };
      await refusedFor(client, assertion(stranger), 'bad_signature');
    });

    it.each([
      ['wrong_issuer', { claims: { sub: 'someone-else' } }],
      ['wrong_audience', { claims: { aud: 'https://elsewhere.example/token' } }],
      ['no_expiry', { expiresIn: '' }],
      ['expired', { expiresIn: '-5m' }],
      ['lives_too_long', { expiresIn: '62m' }],
      ['not_yet_valid', { claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }],
      ['invalid_jti', { claims: { jti: undefined } }],
    ] as const)('%s', async (reason, options) => {
      const client = await keyCredential();
      await refusedFor(client, assertion(client, options), reason);
    });

    it('replayed: an assertion used once already', async () => {
      const client = await keyCredential();
      const signed = await assertion(client);
      expect((await tokenWith(client.clientId, signed)).status).toBe(200);
      await refusedFor(client, signed, 'replayed');
    });
  });
});

describe.skipIf(opensslMissing)(
  'why a TLS client certificate was refused (self_signed_tls_client_auth)',
  () => {
    const HEADER = 'x-ssl-client-cert';
    const dir = mkdtempSync(join(tmpdir(), 'keygate-refusals-'));
    let behindTls: TestKeygate;

    beforeAll(async () => {
      behindTls = await startTestKeygate({ clientCertificateHeader: HEADER, trustProxy: '127.0.0.1' });
    });
    afterAll(() => behindTls?.stop());

    /** As the TLS terminator passes a certificate on: URL-escaped PEM, from the trusted address. */
    async function refusedFor(registered: string, presented: string, reason: string) {
      const { credential } = await behindTls.credentials.createWithKeys({
        accountId: (await behindTls.store.accounts.list())[0]!.id,
        name: 'Over mutual TLS',
        scopes: [SCOPE],
        publicKeys: [registered],
      });
      const answer = await postForm(
        behindTls.url + TOKEN_PATH,
        { grant_type: 'client_credentials', scope: SCOPE, client_id: credential.clientId },
        { [HEADER]: encodeURIComponent(presented) },
      );
      await refusedAs(answer);
      expect(await auditedRefusal(behindTls, credential.id)).toEqual({
        method: 'self_signed_tls_client_auth',
        reason,
      });
    }

    it('certificate_mismatch: a certificate the credential did not register', async () => {
      const registered = selfSigned(dir, 'registered').cert;
      await refusedFor(registered, selfSigned(dir, 'stranger').cert, 'certificate_mismatch');
    });

    it('certificate_expired: its registered certificate, past its validity', async () => {
      const expired = expiredSelfSigned(dir, 'forgotten').cert;
      await refusedFor(expired, expired, 'certificate_expired');
    });
  },
);
