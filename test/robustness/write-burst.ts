/**
 * A writer for the kill test: creates credentials, rotates keys and revokes tokens as fast as it
 * can, on the store the environment names (a new one: it creates it, as `keygate migrate` does), until
 * it is killed. Prints "writing" once under way.
 */
import { withStore } from '../../src/cli/store-session.js';
import { rotateSigningKeys } from '../../src/services/verification/signing-keys.js';

await withStore(
  async ({ config, store, keyEncryptionKey, credentials }) => {
    const account = (await store.accounts.list())[0]!;
    process.stdout.write('writing\n');
    for (let i = 0; ; i++) {
      const { credential } = await credentials.create({
        accountId: account.id,
        name: `burst ${i}`,
        scopes: ['stats', 'users:read'],
      });
      if (i % 5 === 0) await credentials.update(credential.id, { addScopes: ['admin:read'] });
      if (i % 7 === 0)
        await rotateSigningKeys(store, keyEncryptionKey, config.region, config.tokenLifetimeSeconds);
      if (i % 3 === 0) {
        await store.revokedTokens.add({
          jti: `burst-${i}`,
          clientId: credential.clientId,
          expiresAt: '2099-01-01T00:00:00.000Z',
        });
      }
    }
  },
  { create: true },
);
