import type { Config } from '../../config/schema.js';
import { generatePassword, hashPassword } from '../../crypto/password-hash.js';
import type { Store } from '../../store/store.js';
import { ensureSigningKeys, prePublishSigningAlgorithm } from '../verification/signing-keys.js';

export interface BootstrapResult {
  /** Set only when this start created the first admin with a generated password: print it once. */
  generatedAdminPassword?: string;
  createdAccount: boolean;
  createdAdmin: boolean;
}

/** First start on an empty store: a default account in this region, the first admin, signing keys. */
export async function bootstrap(
  store: Store,
  config: Config,
  keyEncryptionKey: Buffer,
  /**
   * A server's start (the default) creates the first admin and applies tokenSigningAlgorithm; a CLI
   * command does neither, so a command run without the servers' settings changes nothing of theirs.
   */
  options: { createAdmin: boolean; applySigningAlgorithm: boolean } = {
    createAdmin: true,
    applySigningAlgorithm: true,
  },
): Promise<BootstrapResult> {
  const result: BootstrapResult = { createdAccount: false, createdAdmin: false };
  let accounts = await store.accounts.list();
  if (accounts.length === 0) {
    try {
      await store.accounts.create({ name: 'Default', region: config.region });
      result.createdAccount = true;
    } catch (error) {
      // Another process starting on the same store created it first: use theirs.
      if ((await store.accounts.list()).length === 0) throw error;
    }
    accounts = await store.accounts.list();
  }
  // The CLI leaves the admin to `start`, which is where a generated password can be printed.
  if (options.createAdmin && (await store.users.count()) === 0) {
    const password = config.bootstrapAdminPassword ?? generatePassword();
    if (!config.bootstrapAdminPassword) result.generatedAdminPassword = password;
    await store.users.create({
      accountId: accounts[0]!.id,
      email: config.bootstrapAdminEmail,
      passwordHash: await hashPassword(password),
      licence: 'admin',
    });
    result.createdAdmin = true;
  }
  await ensureSigningKeys(store, keyEncryptionKey, config.region, config.tokenSigningAlgorithm);
  if (options.applySigningAlgorithm) {
    await prePublishSigningAlgorithm(store, keyEncryptionKey, config.region, config.tokenSigningAlgorithm);
  }
  return result;
}
