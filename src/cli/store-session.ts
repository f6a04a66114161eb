import type { Config } from '../config/schema.js';
import { ClientSecretHasher } from '../core/client-secret.js';
import { deriveKeys, loadMasterKey } from '../crypto/master-key.js';
import { scopeCatalogueOf } from '../gateway/api-documents.js';
import { CredentialService } from '../services/credentials/credentials.js';
import { OperatorCredentials } from '../services/credentials/operator-credentials.js';
import { bootstrap } from '../services/upkeep/bootstrap.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { cliConfig } from './cli-config.js';
import { requireCreatedStore, requireExistingStore } from './existing-store.js';

export interface StoreSession {
  config: Config;
  store: Store;
  keyEncryptionKey: Buffer;
  credentials: OperatorCredentials;
  /** The operator's credential use cases over another store: one transaction's (`keygate apply`). */
  credentialsOver(store: Store): OperatorCredentials;
}

/**
 * CLI commands work on the store the configuration names, like Hydra's admin commands; a running
 * server sees their writes through the change log. Only `create` (keygate migrate) makes a new one.
 */
export async function withStore<T>(
  work: (session: StoreSession) => Promise<T>,
  { create = false }: { create?: boolean } = {},
): Promise<T> {
  const config = cliConfig();
  if (!create) requireExistingStore(config);
  const keys = deriveKeys(loadMasterKey(config).key);
  const store = openStore(config);
  try {
    if (!create) await requireCreatedStore(store, config);
    await store.migrate();
    await bootstrap(store, config, keys.keyEncryptionKey, {
      createAdmin: false,
      applySigningAlgorithm: false,
    });
    const hasher = new ClientSecretHasher(keys.secretPepper);
    const catalogue = scopeCatalogueOf(config);
    const credentialsOver = (over: Store) =>
      new OperatorCredentials(new CredentialService(over, hasher, catalogue));
    return await work({
      config,
      store,
      keyEncryptionKey: keys.keyEncryptionKey,
      credentials: credentialsOver(store),
      credentialsOver,
    });
  } finally {
    await store.close();
  }
}
