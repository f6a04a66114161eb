import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiClient, createTokenProvider } from '@keygate/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const BIN = new URL('../../bin/keygate.js', import.meta.url).pathname;
const run = promisify(execFile);

/** The SDK and `keygate token|call` with a private key instead of a secret, and DPoP-bound tokens. */
describe('client: private_key_jwt and DPoP', () => {
  let keygate: TestKeygate;
  let clientId: string;
  let privateKeyPem: string;
  const dir = mkdtempSync(join(tmpdir(), 'keygate-client-keys-'));

  beforeAll(async () => {
    keygate = await startTestKeygate();
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    privateKeyPem = pair.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    const accountId = (await keygate.store.accounts.list())[0]!.id;
    const { credential } = await keygate.credentials.createWithKeys({
      accountId,
      name: 'Payments',
      scopes: ['agents-availability:read'],
      publicKeys: [pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()],
      requireDpop: true,
    });
    clientId = credential.clientId;
  });
  afterAll(() => keygate.stop());

  it('the SDK signs the assertion and every proof: a DPoP token, then calls the gateway admits', async () => {
    const tokens = createTokenProvider({
      issuer: keygate.config.publicUrl,
      clientId,
      privateKey: privateKeyPem,
      dpop: true,
      scope: 'agents-availability:read',
    });
    const token = await tokens.getAccessToken();
    expect(token.tokenType).toBe('DPoP');
    expect(decodeJwt(token.accessToken).cnf).toHaveProperty('jkt');
    const api = createApiClient({ tokens, apiBaseUrl: keygate.gatewayUrl! });
    for (let i = 0; i < 3; i++) {
      const answer = await api.get('/agents-availability', { query: { skillNames: 'Sales' } });
      expect(answer.status).toBe(200);
    }
  });

  it('without DPoP, the credential that requires it gets no token', async () => {
    const tokens = createTokenProvider({
      issuer: keygate.config.publicUrl,
      clientId,
      privateKey: privateKeyPem,
      scope: 'agents-availability:read',
    });
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'invalid_dpop_proof' });
  });

  it('keygate call --private-key --dpop, and keygate token --dpop-key', async () => {
    const keyFile = join(dir, 'client.key');
    writeFileSync(keyFile, privateKeyPem);
    const dpopKeyFile = join(dir, 'dpop.key');
    writeFileSync(
      dpopKeyFile,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    const env = { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir };
    const common = ['--scope', 'agents-availability:read', '--client-id', clientId, '--private-key', keyFile];
    const called = await run(
      process.execPath,
      [
        BIN,
        'call',
        'GET',
        '/agents-availability?skillNames=Sales',
        ...common,
        '--dpop',
        '--issuer',
        keygate.config.publicUrl,
        '--api-base-url',
        keygate.gatewayUrl!,
      ],
      { env },
    );
    expect(JSON.parse(called.stdout)).toBeTypeOf('object');
    const token = await run(
      process.execPath,
      [BIN, 'token', ...common, '--dpop-key', dpopKeyFile, '--issuer', keygate.config.publicUrl, '--json'],
      { env },
    );
    expect(JSON.parse(token.stdout)).toMatchObject({ token_type: 'DPoP' });
  });
});
