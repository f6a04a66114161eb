import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopKey, proof } from '../helpers/dpop-proof.js';
import {
  agentFrom,
  basic,
  postForm,
  requestToken,
  revokeToken,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';
import { dropSchema, SKIP_MESSAGE, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const url = TEST_DATABASE_URL;

/** One deployment: the same database, master key, issuer and audience for every instance. */
function deployment(schema: string, changePollMs: number) {
  return {
    databaseUrl: url!,
    databaseSchema: schema,
    masterKey: randomBytes(32).toString('base64'),
    publicUrl: 'https://emea.keygate.test',
    audience: 'https://emea.api.keygate.test',
    changePollMs,
  };
}

describe.skipIf(!url)('two Keygate instances on one PostgreSQL', () => {
  const schema = uniqueSchema();
  let a: TestKeygate;
  let b: TestKeygate;

  beforeAll(async () => {
    const shared = deployment(schema, 250);
    a = await startTestKeygate(shared);
    b = await startTestKeygate(shared);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchema(url!, schema);
  });

  const gatewayB = (token: string) =>
    fetch(`${b.gatewayUrl}/agents-availability`, { headers: { authorization: `Bearer ${token}` } });

  it('a credential created on A gets tokens on B, which B’s gateway admits', async () => {
    const client = await a.createCredential(['agents-availability:read']);
    const res = await requestToken(b, client, 'agents-availability:read');
    expect(res.status).toBe(200);
    expect((await gatewayB(String(res.body?.access_token))).status).toBe(200);
  });

  it('a credential deleted on A is refused by B’s token endpoint and gateway within 1 s', async () => {
    const client = await a.createCredential(['agents-availability:read']);
    const token = String((await requestToken(b, client, 'agents-availability:read')).body?.access_token);
    expect((await gatewayB(token)).status).toBe(200); // both of B's caches now hold the credential
    await a.credentials.delete(client.id);
    await withinOneSecond(async () => {
      expect((await requestToken(b, client, 'agents-availability:read')).body?.error).toBe('invalid_client');
    });
    await withinOneSecond(async () => {
      expect((await gatewayB(token)).status).toBe(401);
    });
  });

  it('a token revoked at A is refused by B’s gateway within 1 s', async () => {
    const client = await a.createCredential(['agents-availability:read']);
    const token = String((await requestToken(b, client, 'agents-availability:read')).body?.access_token);
    expect((await gatewayB(token)).status).toBe(200);
    expect((await revokeToken(a, client, token)).status).toBe(200);
    await withinOneSecond(async () => {
      expect((await gatewayB(token)).status).toBe(401);
    });
  });

  it('narrowing a credential’s address ranges on A refuses it at B within 1 s: tokens and calls', async () => {
    const client = await a.createCredential(['agents-availability:read']);
    await a.credentials.update(client.id, { allowedCidrs: ['127.0.0.2/32', '127.0.0.6/32'] });
    const from = (address: string) => ({ dispatcher: agentFrom(address) });
    const tokenAt = (address: string) =>
      postForm(
        b.url + TOKEN_PATH,
        {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
          scope: 'agents-availability:read',
        },
        {},
        address,
      );
    const callB = async (address: string, token: string) =>
      (
        await undiciFetch(`${b.gatewayUrl}/agents-availability`, {
          headers: { authorization: `Bearer ${token}` },
          ...from(address),
        })
      ).status;
    let token = '';
    await withinOneSecond(async () => {
      const issued = await tokenAt('127.0.0.6');
      expect(issued.status).toBe(200);
      token = String(issued.body?.access_token);
    });
    expect(await callB('127.0.0.6', token)).toBe(200);
    await a.credentials.update(client.id, { allowedCidrs: ['127.0.0.2/32'] });
    await withinOneSecond(async () => {
      expect(await callB('127.0.0.6', token)).toBe(401);
      expect((await tokenAt('127.0.0.6')).status).toBe(401);
    });
    expect(await callB('127.0.0.2', token)).toBe(200);
  });

  it('a DPoP proof spent at A’s gateway is a replay at B’s, and so is a client assertion', async () => {
    const client = await a.createCredential(['agents-availability:read']);
    const key = await dpopKey();
    const tokenUrl = `${a.config.publicUrl}${TOKEN_PATH}`;
    const bound = String(
      (
        await postForm(
          `${a.url}${TOKEN_PATH}`,
          { grant_type: 'client_credentials', scope: 'agents-availability:read' },
          {
            authorization: basic(client.clientId, client.clientSecret),
            dpop: await proof(key, 'POST', tokenUrl),
          },
        )
      ).body?.access_token,
    );
    const htu = `${a.config.audience}/agents-availability`;
    const spent = await proof(key, 'GET', htu, { accessToken: bound });
    const callWith = (instance: TestKeygate) =>
      fetch(`${instance.gatewayUrl}/agents-availability`, {
        headers: { authorization: `DPoP ${bound}`, dpop: spent },
      });
    expect((await callWith(a)).status).toBe(200);
    const replayed = await callWith(b);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: 'invalid_dpop_proof' });

    const signer = await generateKeyPair('ES256');
    const keyed = await a.credentials.createWithKeys({
      accountId: (await a.store.accounts.list())[0]!.id,
      name: 'Signed',
      scopes: ['agents-availability:read'],
      publicKeys: [await exportJWK(signer.publicKey)],
    });
    const clientId = keyed.credential.clientId;
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenUrl)
      .setExpirationTime('60s')
      .sign(signer.privateKey);
    const form = {
      grant_type: 'client_credentials',
      scope: 'agents-availability:read',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    expect((await postForm(`${a.url}${TOKEN_PATH}`, form)).status).toBe(200);
    const again = await postForm(`${b.url}${TOKEN_PATH}`, form);
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error: 'invalid_client' });
  });
});

if (!url) process.stdout.write(`Multi-instance PostgreSQL tests ${SKIP_MESSAGE}\n`);

describe.skipIf(!url)('change notifications on PostgreSQL', () => {
  it('push a change to another instance within 1 s even when it polls only every 10 s', async () => {
    const schema = uniqueSchema();
    const shared = deployment(schema, 10_000);
    const a = await startTestKeygate(shared);
    const b = await startTestKeygate(shared);
    try {
      const client = await a.createCredential(['stats']);
      expect((await requestToken(b, client, 'stats')).status).toBe(200); // cached in B
      await a.credentials.delete(client.id);
      await withinOneSecond(async () => {
        expect((await requestToken(b, client, 'stats')).body?.error).toBe('invalid_client');
      });
    } finally {
      await a.stop();
      await b.stop();
      await dropSchema(url!, schema);
    }
  });
});
