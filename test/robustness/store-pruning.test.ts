import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpopKey, proof } from '../helpers/dpop-proof.js';
import { basic, postForm, startTestKeygate, type TestKeygate, TOKEN_PATH } from '../helpers/keygate.js';
import { printFigures, rowCount, storeFigures } from '../helpers/store-figures.js';

const SCOPE = 'agents-availability:read';
const TABLES = ['used_proofs', 'revoked_tokens', 'changes'];

/**
 * What the store keeps only for a while leaves it: used proof IDs and revocations once their
 * tokens have expired, change-log entries past their retention (15 minutes). The server prunes
 * every minute; the test runs the same pruning at once, as of a moment after they expired.
 */
describe('the store forgets what has expired', () => {
  let keygate: TestKeygate;
  let client: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    keygate = await startTestKeygate({ tokenLifetimeSeconds: 60, logLevel: 'warn' });
    client = await keygate.createCredential([SCOPE], 'Busy client');
  });
  afterAll(() => keygate?.stop());

  const tokenUrl = () => `${keygate.url}${TOKEN_PATH}`;
  const auth = () => ({ authorization: basic(client.clientId, client.clientSecret) });
  const gateway = (token: string) =>
    fetch(`${keygate.gatewayUrl}/agents-availability`, { headers: { authorization: `Bearer ${token}` } });
  const bearer = async () => {
    const answer = await postForm(tokenUrl(), { grant_type: 'client_credentials', scope: SCOPE }, auth());
    return String(answer.body?.access_token);
  };

  it('store flood: 600 DPoP tokens and 600 revocations leave no row once expired and pruned', async () => {
    const key = await dpopKey();
    const before = await storeFigures(keygate, TABLES);
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const answer = await postForm(
            tokenUrl(),
            { grant_type: 'client_credentials', scope: SCOPE },
            { ...auth(), dpop: await proof(key, 'POST', tokenUrl()) },
          );
          expect(answer.status).toBe(200);
          const revoked = await postForm(
            `${keygate.url}/Auth/connect/revocation`,
            { token: String(answer.body?.access_token) },
            auth(),
          );
          expect(revoked.status).toBe(200);
        }),
      );
    }
    const flooded = await storeFigures(keygate, TABLES);
    printFigures('600 DPoP tokens, each revoked', before, flooded);
    expect(flooded.rows.used_proofs).toBe(before.rows.used_proofs! + 600);
    expect(flooded.rows.revoked_tokens).toBe(before.rows.revoked_tokens! + 600);

    // Twenty minutes on: proofs (a minute and leeway), tokens (a minute) and changes (15 min) expired.
    const pruned = await keygate.pruneExpired(new Date(Date.now() + 20 * 60_000));
    const after = await storeFigures(keygate, TABLES);
    printFigures(`pruned ${JSON.stringify(pruned)}`, flooded, after);
    expect(after.rows).toEqual({ used_proofs: 0, revoked_tokens: 0, changes: 1 });
  });

  it('keeps what has not expired, and the change feed follows the log after pruning', async () => {
    const kept = await bearer();
    await postForm(`${keygate.url}/Auth/connect/revocation`, { token: kept }, auth());
    await keygate.pruneExpired();
    expect(
      await keygate.store.revokedTokens.isRevoked(String(JSON.parse(atob(kept.split('.')[1]!)).jti)),
    ).toBe(true);
    expect((await gateway(kept)).status).toBe(401);
    // A change appended after a prune reaches the feed as any other.
    await keygate.pruneExpired(new Date(Date.now() + 20 * 60_000));
    const later = await bearer();
    expect((await gateway(later)).status).toBe(200);
    await keygate.credentials.revokeTokens(client.clientId);
    await keygate.syncChanges();
    expect((await gateway(later)).status).toBe(401);
    expect(await rowCount(keygate.store, 'changes')).toBeGreaterThanOrEqual(1);
  });
});
