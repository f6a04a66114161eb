import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

describe('regions: an account lives in one region', () => {
  const shared = mkdtempSync(join(tmpdir(), 'keygate-regions-'));
  let emea: TestKeygate;
  let nam: TestKeygate;
  let namClient: { clientId: string; clientSecret: string };
  let emeaClient: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    emea = await startTestKeygate({ region: 'emea' }, shared);
    nam = await startTestKeygate({ region: 'nam' }, shared);
    const namAccount = await nam.store.accounts.create({ name: 'Nam Co', region: 'nam' });
    const made = await nam.credentials.create({
      accountId: namAccount.id,
      name: 'N',
      scopes: ['agents-availability:read'],
    });
    namClient = { clientId: made.credential.clientId, clientSecret: made.clientSecret };
    emeaClient = await emea.createCredential(['agents-availability:read']); // the default account is in emea
  });
  afterAll(async () => {
    await emea.close();
    await nam.close();
    rmSync(shared, { recursive: true, force: true });
  });

  it('gets tokens only from its region’s token endpoint; elsewhere invalid_client names the right region', async () => {
    expect((await requestToken(nam, namClient, 'agents-availability:read')).status).toBe(200);
    const elsewhere = await requestToken(emea, namClient, 'agents-availability:read');
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body).toEqual({
      error: 'invalid_client',
      error_description:
        "This client belongs to region nam; request tokens from that region's token endpoint",
    });
  });

  it('a gateway refuses tokens of another region', async () => {
    const emeaToken = String(
      (await requestToken(emea, emeaClient, 'agents-availability:read')).body?.access_token,
    );
    const call = (gateway: TestKeygate) =>
      fetch(`${gateway.gatewayUrl}/agents-availability`, {
        headers: { authorization: `Bearer ${emeaToken}` },
      });
    expect((await call(emea)).status).toBe(200);
    const refused = await call(nam);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('each region signs with keys of its own, even in one store', async () => {
    const kids = async (k: TestKeygate) =>
      (
        (await (await fetch(`${k.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
      ).keys.map((key) => key.kid);
    const [emeaKids, namKids] = [await kids(emea), await kids(nam)];
    expect(emeaKids).toHaveLength(2);
    expect(namKids).toHaveLength(2);
    expect(emeaKids.filter((kid) => namKids.includes(kid))).toEqual([]);
  });
});
