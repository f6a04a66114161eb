import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentFrom, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { withinOneSecond } from '../helpers/within-one-second.js';

const BIN = new URL('../../bin/keygate.js', import.meta.url).pathname;
const run = promisify(execFile);

/**
 * Where a credential may be used from: its token requests and its tokens' API calls, from
 * addresses in 127.0.0.0/8 chosen by binding the client socket, as other machines would be.
 */
describe('credential address allowlist', () => {
  let keygate: TestKeygate;
  let client: { id: string; clientId: string; clientSecret: string };

  beforeAll(async () => {
    keygate = await startTestKeygate();
    client = await keygate.createCredential(['agents-availability:read'], 'Office only');
    await keygate.credentials.update(client.id, { allowedCidrs: ['127.0.0.2/32', '127.0.0.5/32'] });
  });
  afterAll(() => keygate.stop());

  const tokenFrom = (address: string) =>
    postForm(
      keygate.url + TOKEN_PATH,
      {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
        scope: 'agents-availability:read',
      },
      {},
      address,
    );
  const callFrom = async (address: string, token: string) =>
    (
      await undiciFetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: agentFrom(address),
      })
    ).status;

  it('issues tokens only to requests from the allowed ranges; the refusal is audited with the address', async () => {
    expect((await tokenFrom('127.0.0.2')).status).toBe(200);
    const refused = await tokenFrom('127.0.0.3');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
    const accountId = (await keygate.store.accounts.list())[0]!.id;
    await expect
      .poll(async () =>
        (await keygate.store.audit.list(accountId, { limit: 20 })).find(
          (e) => e.action === 'client_authentication.failed' && e.targetId === client.id,
        ),
      )
      .toMatchObject({ ip: '127.0.0.3', details: { reason: 'address_not_allowed' } });
  });

  it('admits its tokens only from the allowed ranges at the gateway', async () => {
    const token = (await tokenFrom('127.0.0.2')).body!.access_token as string;
    expect(await callFrom('127.0.0.2', token)).toBe(200);
    expect(await callFrom('127.0.0.3', token)).toBe(401);
  });

  it('narrowing the list from the CLI stops live tokens from the removed range within 1 s; any clears it', async () => {
    const token = (await tokenFrom('127.0.0.5')).body!.access_token as string;
    expect(await callFrom('127.0.0.5', token)).toBe(200);
    const env = { PATH: process.env.PATH, KEYGATE_DATA_DIR: keygate.dataDir };
    await run(
      process.execPath,
      [BIN, 'credentials', 'update', client.clientId, '--allow-ip', '127.0.0.2/32'],
      { env },
    );
    await withinOneSecond(async () => {
      expect(await callFrom('127.0.0.5', token)).toBe(401);
    });
    expect(await callFrom('127.0.0.2', token)).toBe(200);
    await run(process.execPath, [BIN, 'credentials', 'update', client.clientId, '--allow-ip', 'any'], {
      env,
    });
    await withinOneSecond(async () => {
      expect(await callFrom('127.0.0.5', token)).toBe(200);
    });
  });
});

/** Whether this machine has IPv6 loopback; the IPv6 case runs only where it does. */
const hasIpv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createServer()
    .once('error', () => resolve(false))
    .listen(0, '::1', () => probe.close(() => resolve(true)));
});

describe.skipIf(!hasIpv6Loopback)('credential address allowlist over IPv6', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    // Dual-stack listeners: callers over IPv4 arrive as IPv4-mapped IPv6 addresses.
    keygate = await startTestKeygate({ host: '::' });
  });
  afterAll(() => keygate.stop());

  it('an IPv6 range admits ::1 and refuses an IPv4 caller', async () => {
    const client = await keygate.createCredential(['agents-availability:read'], 'IPv6 only');
    await keygate.credentials.update(client.id, { allowedCidrs: ['::1/128'] });
    const port = new URL(keygate.url).port;
    const form = {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: 'agents-availability:read',
    };
    const overIpv6 = await postForm(`http://[::1]:${port}${TOKEN_PATH}`, form);
    expect(overIpv6.status, overIpv6.text).toBe(200);
    const overIpv4 = await postForm(`http://127.0.0.1:${port}${TOKEN_PATH}`, form);
    expect(overIpv4.status).toBe(401);

    const gatewayPort = new URL(keygate.gatewayUrl!).port;
    const token = String(overIpv6.body?.access_token);
    const call = (host: string) =>
      fetch(`http://${host}:${gatewayPort}/agents-availability`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call('[::1]')).status).toBe(200);
    expect((await call('127.0.0.1')).status).toBe(401);
  });
});
