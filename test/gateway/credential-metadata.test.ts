import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

/** What a credential's tokens say of it: metadata an upstream can route or attribute by, without a lookup. */
describe('credential metadata in tokens', () => {
  let keygate: TestKeygate;
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    keygate = await startTestKeygate({
      apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
    });
  });
  afterAll(async () => {
    await keygate.stop();
    await upstream.close();
  });

  it('copies it into the token under keygate_metadata and forwards it upstream as X-Keygate-Metadata', async () => {
    const client = await keygate.createCredential(['admin:read'], 'Routed');
    await keygate.credentials.update(client.id, { metadata: { team: 'payments', site: 'Zürich' } });
    const token = await issueToken(keygate, client, 'admin:read');
    expect(decodeJwt(token).keygate_metadata).toEqual({ team: 'payments', site: 'Zürich' });
    const answer = await fetch(`${keygate.gatewayUrl}/orders`, {
      headers: { authorization: `Bearer ${token}`, 'x-keygate-metadata': '{"team":"forged"}' },
    });
    expect(answer.status).toBe(200);
    const seen = upstream.seen.at(-1)!;
    expect(JSON.parse(String(seen.headers['x-keygate-metadata']))).toEqual({
      team: 'payments',
      site: 'Zürich',
    });
  });

  it('a credential without metadata adds neither claim nor header', async () => {
    const client = await keygate.createCredential(['admin:read'], 'Plain');
    const token = await issueToken(keygate, client, 'admin:read');
    expect(decodeJwt(token)).not.toHaveProperty('keygate_metadata');
    await fetch(`${keygate.gatewayUrl}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(upstream.seen.at(-1)!.headers['x-keygate-metadata']).toBeUndefined();
  });

  it.each([
    [{ Team: 'x' }, /key "Team"/],
    [{ team: 'a'.repeat(201) }, /200 characters/],
    [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])), /at most 20 pairs/],
    [{ team: 'line\nbreak' }, /printable/],
  ])('refuses %j with validation_failed', async (metadata, message) => {
    const client = await keygate.createCredential(['admin:read'], 'Bad');
    await expect(keygate.credentials.update(client.id, { metadata })).rejects.toThrow(message);
  });
});
