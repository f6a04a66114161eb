/**
 * A writer for the kill test: creates credentials, rotates keys and revokes tokens as fast as it
 * can, on the store the environment names, until it is killed. Prints "writing" once under way.
 */

import { loadConfig } from '../../src/config/load.js';
import { ClientSecretHasher } from '../../src/core/client-secret.js';
import { deriveKeys, loadMasterKey } from '../../src/crypto/master-key.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { CredentialService } from '../../src/services/credentials.js';
import { rotateSigningKeys } from '../../src/services/signing-keys.js';
import { openStore } from '../../src/store/open-store.js';

const config = loadConfig();
const keys = deriveKeys(loadMasterKey(config).key);
const store = openStore(config);
await store.migrate();
await bootstrap(store, config, keys.keyEncryptionKey, { createAdmin: false });
const account = (await store.accounts.list())[0]!;
const service = new CredentialService(store, new ClientSecretHasher(keys.secretPepper));
process.stdout.write('writing\n');
for (let i = 0; ; i++) {
  const { credential } = await service.create({
    accountId: account.id,
    name: `burst ${i}`,
    scopes: ['stats', 'users:read'],
  });
  if (i % 5 === 0) await service.update(credential.id, { addScopes: ['admin:read'] });
  if (i % 7 === 0)
    await rotateSigningKeys(store, keys.keyEncryptionKey, config.region, config.tokenLifetimeSeconds);
  if (i % 3 === 0) {
    await store.revokedTokens.add({
      jti: `burst-${i}`,
      clientId: credential.clientId,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
  }
}
