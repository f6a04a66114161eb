import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { printFigures, storeFigures } from '../helpers/store-figures.js';

const REVOKE = '/Auth/connect/revocation';
const SCOPE = 'agents-availability:read';
type Client = { clientId: string; clientSecret: string };

async function issue(keygate: TestKeygate, client: Client): Promise<string> {
  const answer = await postForm(
    keygate.url + TOKEN_PATH,
    { grant_type: 'client_credentials', scope: SCOPE },
    { authorization: basic(client.clientId, client.clientSecret) },
  );
  expect(answer.status, answer.text).toBe(200);
  return String(answer.body?.access_token);
}

async function revoke(keygate: TestKeygate, client: Client, token: string): Promise<void> {
  const answer = await postForm(
    keygate.url + REVOKE,
    { token },
    { authorization: basic(client.clientId, client.clientSecret) },
  );
  expect(answer.status, answer.text).toBe(200);
}

const liveRevocations = async (keygate: TestKeygate, client: Client) =>
  (await keygate.store.revokedTokens.listActive(new Date())).filter((r) => r.clientId === client.clientId)
    .length;

/**
 * A client revokes its own tokens (RFC 7009) as often as it likes; each revocation is a row and an
 * entry in every instance's memory until the token expires. Past `maxRevokedTokensPerCredential`
 * live ones, the credential's tokens are all revoked at once instead, and the rows go.
 */
describe('revocations per credential are bounded', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate({ maxRevokedTokensPerCredential: 20, logLevel: 'warn' });
  });
  afterAll(() => keygate?.stop());

  const gateway = (token: string) =>
    fetch(`${keygate.gatewayUrl}/agents-availability`, { headers: { authorization: `Bearer ${token}` } });

  it('past the bound, revokes every token of the credential, keeps no row, and audits it', async () => {
    const client = await keygate.createCredential([SCOPE], 'Revoker');
    const bystander = await keygate.createCredential([SCOPE], 'Bystander');
    const bystanderToken = await issue(keygate, bystander);
    await revoke(keygate, bystander, await issue(keygate, bystander));
    const tokens: string[] = [];
    for (let i = 0; i < 25; i++) tokens.push(await issue(keygate, client));
    for (const token of tokens.slice(0, 20)) await revoke(keygate, client, token);
    expect(await liveRevocations(keygate, client)).toBe(20);
    expect((await gateway(tokens[0]!)).status).toBe(401);
    expect((await gateway(tokens[24]!)).status).toBe(200);

    // The 21st: the credential's tokens all go, the ones never revoked included.
    await revoke(keygate, client, tokens[20]!);
    await keygate.syncChanges();
    expect(await liveRevocations(keygate, client)).toBe(0);
    for (const token of tokens) expect((await gateway(token)).status).toBe(401);
    const credential = await keygate.store.credentials.findByClientId(client.clientId);
    expect(credential?.tokensRevokedAt).not.toBeNull();
    const account = (await keygate.store.accounts.list())[0]!;
    const [entry] = await keygate.store.audit.list(account.id, { limit: 1 });
    expect(entry).toMatchObject({
      action: 'credential.tokens_revoked',
      targetId: credential?.id,
      actorEmail: `client ${client.clientId}`,
      details: { reason: 'revocation_limit', maxRevokedTokens: 20 },
    });

    // The client carries on with new tokens; another credential was never touched.
    expect((await gateway(await issue(keygate, client))).status).toBe(200);
    expect((await gateway(bystanderToken)).status).toBe(200);
    expect(await liveRevocations(keygate, bystander)).toBe(1);
  });

  it('revoking what is already refused writes nothing: no re-arming the bound, no growing the log', async () => {
    const client = await keygate.createCredential([SCOPE], 'Re-revoker');
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push(await issue(keygate, client));
    await revoke(keygate, client, tokens[0]!);
    await keygate.credentials.revokeTokens(client.id);
    const before = await storeFigures(keygate, ['revoked_tokens', 'changes', 'audit_log']);
    // Each answers 200, as RFC 7009 asks of a token already revoked.
    for (let round = 0; round < 10; round++) for (const token of tokens) await revoke(keygate, client, token);
    const after = await storeFigures(keygate, ['revoked_tokens', 'changes', 'audit_log']);
    expect(after.rows).toEqual(before.rows);
  });
});

describe('revocation flood', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    // The shipped bound, 1,000.
    keygate = await startTestKeygate({ logLevel: 'warn' });
  });
  afterAll(() => keygate?.stop());

  it('store flood: 1,500 revocations by one client keep revoked_tokens within the bound of 1,000', async () => {
    expect(keygate.config.maxRevokedTokensPerCredential).toBe(1000);
    const client = await keygate.createCredential([SCOPE], 'Flooder');
    const tables = ['revoked_tokens', 'changes', 'audit_log'];
    const before = await storeFigures(keygate, tables);
    for (let batch = 0; batch < 75; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => revoke(keygate, client, await issue(keygate, client))),
      );
    }
    const after = await storeFigures(keygate, tables);
    printFigures('1,500 revocations by one client, bound 1,000', before, after);
    // 1,000 rows, then one credential-wide revocation in their place, then 499 more.
    expect(await liveRevocations(keygate, client)).toBeLessThanOrEqual(1000);
    expect(after.rows.revoked_tokens! - before.rows.revoked_tokens!).toBeLessThanOrEqual(1000);
  });
});
