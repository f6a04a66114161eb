/** Fills a Keygate data folder with N credentials and prints one client's ID and secret as JSON. */

import { loadConfig } from '../../src/config/load.js';
import { ClientSecretHasher } from '../../src/core/client-secret.js';
import { deriveKeys, loadMasterKey } from '../../src/crypto/master-key.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { CredentialService } from '../../src/services/credentials.js';
import { openStore } from '../../src/store/open-store.js';
import { BENCH_SCOPE } from './shared.js';

const count = Number(process.argv[2] ?? 10);
const config = loadConfig();
const keys = deriveKeys(loadMasterKey(config).key);
const store = openStore(config);
await store.migrate();
await bootstrap(store, config, keys.keyEncryptionKey, { createAdmin: false });
const service = new CredentialService(store, new ClientSecretHasher(keys.secretPepper));
const account = (await store.accounts.list())[0]!;
let chosen: { client_id: string; client_secret: string } | undefined;
for (let i = 0; i < count; i++) {
  const { credential, clientSecret } = await service.create({
    accountId: account.id,
    name: `bench ${i}`,
    scopes: [BENCH_SCOPE, 'stats'],
  });
  if (i === Math.floor(count / 2)) chosen = { client_id: credential.clientId, client_secret: clientSecret };
}
await store.close();
process.stdout.write(JSON.stringify(chosen));
