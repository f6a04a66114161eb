import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateClientSecret } from '../../src/core/client-secret.js';
import { addUser, logIn, withApiToken } from '../helpers/admin.js';
import { requestToken, startTestKeygate } from '../helpers/keygate.js';

/**
 * One full scenario through every surface — portal login, credentials, rotation, a personal token, a
 * new user, tokens, gateway calls, a failed guess — then every place Keygate writes is searched for
 * every secret it saw: store files, logs (at trace level), the audit log, metrics, and the admin
 * API's answers after creation.
 */
describe('secrets at rest and in motion', () => {
  it('appear in clear nowhere but the one answer that created them', async () => {
    const keygate = await startTestKeygate({ logLevel: 'trace' });
    const seen: string[] = [];
    const afterCreation: string[] = [];
    try {
      const admin = await logIn(keygate);
      seen.push(admin.cookie.split('=')[1]!);
      const created = await admin.call<{
        credential: { id: string; clientId: string };
        clientSecret: string;
      }>('POST', '/credentials', { name: 'Everything', scopes: ['agents-availability:read', 'stats'] });
      const { credential, clientSecret } = created.body;
      seen.push(clientSecret);
      const rotated = await admin.call<{ clientSecret: string }>(
        'POST',
        `/credentials/${credential.id}/secrets`,
      );
      seen.push(rotated.body.clientSecret);
      const apiToken = await admin.call<{ secret: string }>('POST', '/tokens', { name: 'script' });
      seen.push(apiToken.body.secret);
      const user = await addUser(admin, 'someone@keygate.local', 'supervisor', 'a-user-password-to-hide');
      seen.push(user.password, 'test-admin-password');

      for (const secret of [clientSecret, rotated.body.clientSecret]) {
        const token = await requestToken(
          keygate,
          { clientId: credential.clientId, clientSecret: secret },
          'agents-availability:read',
        );
        const accessToken = String(token.body?.access_token);
        seen.push(accessToken);
        const call = await fetch(`${keygate.gatewayUrl}/agents-availability?skillNames=Sales`, {
          headers: {
            authorization: `Bearer ${accessToken}`,
            accept: 'application/vnd.newvoicemedia.v1+json',
          },
        });
        expect(call.status).toBe(200);
      }
      // A guess, with a well-formed secret that is not this credential's: audited, never stored.
      const guess = generateClientSecret();
      seen.push(guess);
      await requestToken(keygate, { clientId: credential.clientId, clientSecret: guess }, 'stats');
      await expect
        .poll(async () =>
          (await keygate.store.audit.list((await keygate.store.accounts.list())[0]!.id, { limit: 5 })).map(
            (e) => e.action,
          ),
        )
        .toContain('client_authentication.failed');
      await keygate.flushUsage();

      const script = withApiToken(keygate, apiToken.body.secret);
      for (const path of [
        '/credentials',
        `/credentials/${credential.id}`,
        '/tokens',
        '/users',
        '/audit?limit=500',
      ]) {
        afterCreation.push(JSON.stringify((await script.call('GET', path)).body));
      }
      afterCreation.push(await (await fetch(`${keygate.metricsUrl}/metrics`)).text());
      const audit = JSON.parse(afterCreation[4]!) as { entries: Array<{ action: string }> };
      expect(audit.entries.map((e) => e.action)).toContain('client_authentication.failed');
    } finally {
      await keygate.close(); // keep the data folder to read it
    }

    const stored = readdirSync(keygate.dataDir)
      .filter((f) => f.startsWith('keygate.sqlite'))
      .map((f) => readFileSync(join(keygate.dataDir, f)).toString('latin1'))
      .join('');
    const logs = keygate.logs();
    expect(logs).toContain('request completed');
    expect(seen).toHaveLength(9);
    for (const secret of seen) {
      // A token's signature is what makes it a token (its header is the same for all); of a secret, the
      // random part alone must not appear either.
      const probe = secret.includes('.')
        ? secret.split('.')[2]!
        : secret.length > 43
          ? secret.slice(4, 36)
          : secret;
      expect(stored, 'store files').not.toContain(probe);
      expect(logs, 'logs').not.toContain(probe);
      for (const answer of afterCreation)
        expect(answer, 'admin API answers, audit, metrics').not.toContain(probe);
    }
    rmSync(keygate.dataDir, { recursive: true, force: true });
  });
});
