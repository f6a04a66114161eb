import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postForm, startTestKeygate, TOKEN_PATH } from '../helpers/keygate.js';

describe('token endpoint: security', () => {
  it('client lockout: a guesser’s wrong secrets throttle the guesser’s address, not the victim', async () => {
    const keygate = await startTestKeygate({
      authFailureLimit: { perClient: 3, perAddress: 1000, windowSeconds: 60 },
    });
    try {
      const victim = await keygate.createCredential(['stats']);
      const wrong = await keygate.createCredential(['stats']);
      const form = { grant_type: 'client_credentials', client_id: victim.clientId, scope: 'stats' };
      const guesser = '127.0.0.2';
      for (let i = 0; i < 3; i++) {
        const guess = await postForm(
          keygate.url + TOKEN_PATH,
          { ...form, client_secret: wrong.clientSecret },
          {},
          guesser,
        );
        expect(guess.status).toBe(401);
      }
      const throttled = await postForm(
        keygate.url + TOKEN_PATH,
        { ...form, client_secret: wrong.clientSecret },
        {},
        guesser,
      );
      expect(throttled.status).toBe(429);
      expect(throttled.body?.error).toBe('too_many_requests');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      // The victim's own program, from an address that has not failed, still gets its token.
      const own = await postForm(keygate.url + TOKEN_PATH, { ...form, client_secret: victim.clientSecret });
      expect(own.status).toBe(200);
      // Every failure is in the victim's audit log, the malformed guess below too.
      const malformed = await postForm(
        keygate.url + TOKEN_PATH,
        { ...form, client_secret: 'not-a-keygate-secret' },
        {},
        '127.0.0.3',
      );
      expect(malformed.status).toBe(401);
      const accountId = (await keygate.store.credentials.get(victim.id))!.accountId;
      await expect
        .poll(async () => {
          const entries = await keygate.store.audit.list(accountId, { limit: 50 });
          return entries.filter(
            (e) => e.action === 'client_authentication.failed' && e.targetId === victim.id,
          ).length;
        })
        .toBe(4);
    } finally {
      await keygate.stop();
    }
  });

  it('limits failures per source address across client IDs', async () => {
    const keygate = await startTestKeygate({
      authFailureLimit: { perClient: 1000, perAddress: 5, windowSeconds: 60 },
    });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await postForm(keygate.url + TOKEN_PATH, {
          grant_type: 'client_credentials',
          client_id: `guess${i}`,
          client_secret: 'kgs_guess',
          scope: 'stats',
        });
        expect(res.status).toBe(401);
      }
      const res = await postForm(keygate.url + TOKEN_PATH, {
        grant_type: 'client_credentials',
        client_id: 'guess-next',
        client_secret: 'kgs_guess',
        scope: 'stats',
      });
      expect(res.status).toBe(429);
    } finally {
      await keygate.stop();
    }
  });

  it('never writes a client secret or an access token to the SQLite files or the logs', async () => {
    const keygate = await startTestKeygate({ logLevel: 'trace' });
    const client = await keygate.createCredential(['stats']);
    const tokens: string[] = [];
    for (const [header, form] of [
      [{}, { client_id: client.clientId, client_secret: client.clientSecret }],
      [
        {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        {},
      ],
    ] as const) {
      const res = await postForm(
        keygate.url + TOKEN_PATH,
        { grant_type: 'client_credentials', scope: 'stats', ...form },
        header,
      );
      tokens.push(String(res.body?.access_token));
    }
    // A client that wrongly puts its secret in the query string must not get it logged either.
    await fetch(`${keygate.url}${TOKEN_PATH}?client_secret=${client.clientSecret}`, { method: 'POST' });
    await postForm(keygate.url + TOKEN_PATH, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: `${client.clientSecret}x`,
      scope: 'stats',
    });
    await keygate.flushUsage();
    const logs = keygate.logs();
    await keygate.close(); // keep the data folder to read it

    expect(logs).toContain('request completed');
    const files = readdirSync(keygate.dataDir).filter((f) => f.startsWith('keygate.sqlite'));
    expect(files).toContain('keygate.sqlite');
    const stored = files.map((f) => readFileSync(join(keygate.dataDir, f)).toString('latin1')).join('');
    for (const secret of [client.clientSecret, ...tokens]) {
      expect(logs).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    // The random part alone must not leak either (e.g. percent-encoded or truncated forms).
    expect(logs).not.toContain(client.clientSecret.slice(4, 30));
    expect(stored).not.toContain(client.clientSecret.slice(4, 30));
    rmSync(keygate.dataDir, { recursive: true, force: true });
  });

  it('stores the signing keys encrypted: no private JWK member appears in the store', async () => {
    const keygate = await startTestKeygate();
    const keys = await keygate.store.signingKeys.list(keygate.config.region);
    await keygate.stop();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.privateJwkEncrypted).toMatch(/^v1\./);
      expect(key.privateJwkEncrypted).not.toContain('"d"');
    }
  });
});
