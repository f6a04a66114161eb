import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keygateWithAdmin } from '../helpers/keygate-with-admin.js';
import { issueToken } from '../helpers/tokens.js';
import { startEchoUpstream, writeOrdersDocument } from '../helpers/upstream.js';

/** What a credential's tokens say of it: metadata an upstream can route or attribute by, without a lookup. */
describe('credential metadata in tokens', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });
  afterAll(() => upstream.close());
  const given = keygateWithAdmin(() => ({
    apiDocuments: [{ file: writeOrdersDocument(), upstream: upstream.url }],
  }));

  it('copies it into the token under keygate_metadata and forwards it upstream as X-Keygate-Metadata', async () => {
    const client = await given.keygate.createCredential(['admin:read'], 'Routed');
    await given.keygate.credentials.update(client.id, { metadata: { team: 'payments', site: 'Zürich' } });
    const token = await issueToken(given.keygate, client, 'admin:read');
    expect(decodeJwt(token).keygate_metadata).toEqual({ team: 'payments', site: 'Zürich' });
    const answer = await fetch(`${given.keygate.gatewayUrl}/orders`, {
      headers: { authorization: `Bearer ${token}`, 'x-keygate-metadata': '{"team":"forged"}' },
    });
    expect(answer.status).toBe(200);
    const seen = upstream.seen.at(-1)!;
    expect(JSON.parse(String(seen.headers['x-keygate-metadata']))).toEqual({
      team: 'payments',
      site: 'Zürich',
    });
  });

  it('a credential without metadata adds no claim, and an empty object as the header', async () => {
    const client = await given.keygate.createCredential(['admin:read'], 'Plain');
    const token = await issueToken(given.keygate, client, 'admin:read');
    expect(decodeJwt(token)).not.toHaveProperty('keygate_metadata');
    await fetch(`${given.keygate.gatewayUrl}/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(upstream.seen.at(-1)!.headers['x-keygate-metadata']).toBe('{}');
  });

  it.each([
    [{ Team: 'x' }, /key "Team"/],
    [{ team: 'a'.repeat(201) }, /200 characters/],
    [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])), /at most 20 pairs/],
    [{ team: 'line\nbreak' }, /printable/],
  ])('refuses %j with validation_failed', async (metadata, message) => {
    const client = await given.keygate.createCredential(['admin:read'], 'Bad');
    await expect(given.keygate.credentials.update(client.id, { metadata })).rejects.toThrow(message);
  });

  /** Nine values of 200 Cyrillic letters: 1.9 K characters of JSON, 11 KB as the header. */
  const cyrillic = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'ж'.repeat(200)]));

  it('measures the 2 KB in bytes of X-Keygate-Metadata, as the admin API refuses it', async () => {
    const answer = await given.admin.call('POST', '/credentials', {
      name: 'Wide',
      scopes: ['admin:read'],
      metadata: cyrillic,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      code: 'validation_failed',
      field: 'metadata',
      message: expect.stringContaining('at most 2048 bytes in all as the X-Keygate-Metadata header'),
    });
    const created = await given.admin.call<{ credential: { id: string } }>('POST', '/credentials', {
      name: 'Narrow',
      scopes: ['admin:read'],
    });
    const patched = await given.admin.call('PATCH', `/credentials/${created.body.credential.id}`, {
      metadata: cyrillic,
    });
    expect(patched.status).toBe(400);
    expect(patched.body).toMatchObject({ code: 'validation_failed', field: 'metadata' });
  });

  it('takes metadata up to 2048 bytes as the header, and the upstream gets exactly that many', async () => {
    // 337 letters of six bytes each escaped, four ASCII ones and 22 of JSON: 2048 bytes.
    const metadata = { a: 'ж'.repeat(167), b: 'ж'.repeat(167), c: 'жжжabcd' };
    const created = await given.admin.call<{ credential: { clientId: string }; clientSecret: string }>(
      'POST',
      '/credentials',
      { name: 'Full', scopes: ['admin:read'], metadata },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const token = await issueToken(
      given.keygate,
      { clientId: created.body.credential.clientId, clientSecret: created.body.clientSecret },
      'admin:read',
    );
    expect(
      (await fetch(`${given.keygate.gatewayUrl}/orders`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
    const header = String(upstream.seen.at(-1)!.headers['x-keygate-metadata']);
    expect(Buffer.byteLength(header)).toBe(2048);
    expect(JSON.parse(header)).toEqual(metadata);
    const over = await given.admin.call('POST', '/credentials', {
      name: 'Over',
      scopes: ['admin:read'],
      metadata: { ...metadata, c: 'жжжabcde' },
    });
    expect(over.status).toBe(400);
  });

  it.each([
    ['a right-to-left override (U+202E)', 'invoice\u202etxt.exe'],
    ['a zero-width space (U+200B)', 'pay\u200bments'],
  ])('refuses a value with %s, as credential names do', async (_what, value) => {
    const answer = await given.admin.call('POST', '/credentials', {
      name: 'Hidden',
      scopes: ['admin:read'],
      metadata: { team: value },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      code: 'validation_failed',
      field: 'metadata',
      message: expect.stringContaining('direction-override or zero-width'),
    });
  });
});
