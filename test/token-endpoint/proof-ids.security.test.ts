import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { type DpopKey, dpopKey, proof } from '../helpers/dpop-proof.js';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';
import { printFigures, rowCount, storeFigures } from '../helpers/store-figures.js';

const SCOPE = 'agents-availability:read';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
type SigningKey = Parameters<SignJWT['sign']>[0];

/** A client ID that could be Keygate's (22 base62 characters) but is no credential's. */
const unknownClientId = () => randomBytes(16).toString('hex').slice(0, 22);

const stores: Array<{ name: string; config: () => ConfigInput; cleanUp: () => Promise<void> }> = [
  { name: 'SQLite', config: () => ({}), cleanUp: async () => {} },
];
const url = TEST_DATABASE_URL;
if (url) {
  const schema = uniqueSchema();
  stores.push({
    name: 'PostgreSQL',
    config: () => ({
      databaseUrl: url,
      databaseSchema: schema,
      masterKey: randomBytes(32).toString('base64'),
    }),
    cleanUp: () => dropSchema(url, schema),
  });
}

/**
 * A DPoP proof or client assertion costs its sender a signature with a key of their own: nothing a
 * caller without credentials sends is kept, and no identifier reaches a store before it is checked.
 */
describe.each(stores)('proof IDs at the token endpoint ($name)', (store) => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };
  const tokenUrl = () => `${keygate.url}${TOKEN_PATH}`;

  beforeAll(async () => {
    keygate = await startTestKeygate({ ...store.config(), logLevel: 'warn' });
    client = await keygate.createCredential([SCOPE], 'DPoP user');
  });
  afterAll(async () => {
    await keygate?.stop();
    await store.cleanUp();
  });

  const withProof = async (who: { clientId: string; clientSecret: string }, dpop: string, from?: string) =>
    postForm(
      tokenUrl(),
      { grant_type: 'client_credentials', scope: SCOPE },
      { authorization: basic(who.clientId, who.clientSecret), dpop },
      from,
    );

  it('store flood: 1,500 DPoP proofs of unknown clients write no row to used_proofs', async () => {
    const key = await dpopKey();
    const before = await storeFigures(keygate, ['used_proofs']);
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 30; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async () =>
          withProof(
            { clientId: unknownClientId(), clientSecret: 'kgs_wrong' },
            await proof(key, 'POST', tokenUrl()),
            // From an address of its own: the guesser's address is the one refused.
            '127.0.0.2',
          ),
        ),
      );
      for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const after = await storeFigures(keygate, ['used_proofs']);
    printFigures(
      `${store.name}: 1,500 unauthenticated DPoP proofs (${JSON.stringify([...statuses])})`,
      before,
      after,
    );
    // Refused as guesses (401), then as a guessing address (429): never a token, never a row.
    expect([...statuses.keys()].every((status) => status === 401 || status === 429)).toBe(true);
    expect(after.rows.used_proofs).toBe(before.rows.used_proofs);
  });

  it("records an authenticated client's proof once, and refuses its replay", async () => {
    const key = await dpopKey();
    const fresh = await proof(key, 'POST', tokenUrl());
    const before = await rowCount(keygate.store, 'used_proofs');
    expect((await withProof(client, fresh)).status).toBe(200);
    expect(await rowCount(keygate.store, 'used_proofs')).toBe(before + 1);
    const replayed = await withProof(client, fresh);
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: 'invalid_dpop_proof' });
    expect(await rowCount(keygate.store, 'used_proofs')).toBe(before + 1);
  });

  it('does not spend a one-time client assertion on a replayed proof', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const accountId = (await keygate.store.accounts.list())[0]!.id;
    const { credential } = await keygate.credentials.createWithKeys({
      accountId,
      name: 'Signed',
      scopes: [SCOPE],
      publicKeys: [await exportJWK(publicKey)],
    });
    const assertion = () =>
      new SignJWT({ jti: randomUUID(), iss: credential.clientId, sub: credential.clientId, aud: tokenUrl() })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(privateKey as SigningKey);
    const ask = (signed: string, dpop: string) =>
      postForm(
        tokenUrl(),
        {
          grant_type: 'client_credentials',
          scope: SCOPE,
          client_id: credential.clientId,
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: signed,
        },
        { dpop },
      );
    const key: DpopKey = await dpopKey();
    const used = await proof(key, 'POST', tokenUrl());
    expect((await ask(await assertion(), used)).status).toBe(200);
    const second = await assertion();
    const replay = await ask(second, used);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_dpop_proof' });
    // The same assertion with a new proof: it was not spent on the refusal.
    expect((await ask(second, await proof(key, 'POST', tokenUrl()))).status).toBe(200);
  });

  it('refuses a NUL in a DPoP proof’s jti with 400 invalid_dpop_proof, before the store, and stays ready', async () => {
    const key = await dpopKey();
    const nul = await proof(key, 'POST', tokenUrl(), { claims: { jti: `a\u0000b-${randomUUID()}` } });
    for (const who of [client, { clientId: unknownClientId(), clientSecret: 'kgs_wrong' }]) {
      const answer = await withProof(who, nul, '127.0.0.3');
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_dpop_proof' });
      expect(String(answer.body?.error_description)).toMatch(/control character/);
    }
    expect(await (await fetch(`${keygate.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('refuses a NUL in a client assertion’s jti as a failed authentication (401 invalid_client)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const accountId = (await keygate.store.accounts.list())[0]!.id;
    const { credential } = await keygate.credentials.createWithKeys({
      accountId,
      name: 'Signed with NUL',
      scopes: [SCOPE],
      publicKeys: [await exportJWK(publicKey)],
    });
    const signed = await new SignJWT({
      jti: `a\u0000b-${randomUUID()}`,
      iss: credential.clientId,
      sub: credential.clientId,
      aud: tokenUrl(),
    })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(privateKey as SigningKey);
    const answer = await postForm(tokenUrl(), {
      grant_type: 'client_credentials',
      scope: SCOPE,
      client_id: credential.clientId,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: signed,
    });
    expect(answer.status, answer.text).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_client' });
    expect(await (await fetch(`${keygate.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});

describe('proof IDs at the token endpoint, with server nonces', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate({ dpopNonces: true, logLevel: 'warn' });
  });
  afterAll(() => keygate?.stop());

  it('50 proofs with a good nonce from unknown clients write no row to used_proofs', async () => {
    const tokenUrl = `${keygate.url}${TOKEN_PATH}`;
    const key = await dpopKey();
    const ask = async (claims: Record<string, unknown>) =>
      postForm(
        tokenUrl,
        { grant_type: 'client_credentials', scope: SCOPE },
        {
          authorization: basic(unknownClientId(), 'kgs_wrong'),
          dpop: await proof(key, 'POST', tokenUrl, { claims }),
        },
      );
    const told = await ask({});
    expect(told.body).toMatchObject({ error: 'use_dpop_nonce' });
    const nonce = told.headers.get('dpop-nonce');
    const before = await storeFigures(keygate, ['used_proofs']);
    for (let i = 0; i < 50; i++) expect((await ask({ nonce })).status).toBe(401);
    const after = await storeFigures(keygate, ['used_proofs']);
    printFigures('SQLite, dpopNonces on: 50 unauthenticated proofs with a good nonce', before, after);
    expect(after.rows.used_proofs).toBe(before.rows.used_proofs);
  });
});
