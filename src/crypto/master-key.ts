import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The keys Keygate derives from its one master key, each for one purpose (HKDF-SHA-256). */
export interface DerivedKeys {
  /** Pepper of the client-secret HMAC. */
  readonly secretPepper: Buffer;
  /** AES-256-GCM key that encrypts signing keys at rest. */
  readonly keyEncryptionKey: Buffer;
}

export interface MasterKeySource {
  masterKey?: string | undefined;
  masterKeyFile?: string | undefined;
  dataDir: string;
  /** Set when the store is PostgreSQL, which instances on other hosts share. */
  databaseUrl?: string | undefined;
}

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

/**
 * Resolves the master key: configuration value, then a named file, then `master.key` in the data
 * folder (generated on first use, mode 0600 in a 0700 folder, so a laptop start needs no set-up).
 * A PostgreSQL store is shared by instances on several hosts, which must all hold one key: there a
 * key file of this host's own would seal signing keys the others cannot open, so one is required.
 */
export function loadMasterKey(source: MasterKeySource): {
  key: Buffer;
  origin: 'config' | 'file' | 'generated';
} {
  if (source.masterKey) return { key: decodeMasterKey(source.masterKey, 'masterKey'), origin: 'config' };
  if (source.masterKeyFile) {
    const text = readFileSync(source.masterKeyFile, 'utf8').trim();
    return { key: decodeMasterKey(text, 'masterKeyFile'), origin: 'file' };
  }
  const path = join(source.dataDir, 'master.key');
  if (source.databaseUrl) {
    const earlier = existsSync(path)
      ? ` (an earlier start generated ${path}: if the store's keys were sealed with it, point KEYGATE_MASTER_KEY_FILE at it)`
      : '';
    throw new MasterKeyError(
      'a PostgreSQL store needs a master key shared by every instance: set KEYGATE_MASTER_KEY ' +
        '(32 bytes, base64 or hex, e.g. `openssl rand -base64 32`) or KEYGATE_MASTER_KEY_FILE to the ' +
        `same key on each; Keygate does not generate one per host for a shared store${earlier}`,
    );
  }
  if (existsSync(path))
    return { key: decodeMasterKey(readFileSync(path, 'utf8').trim(), path), origin: 'file' };
  mkdirSync(source.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { key, origin: 'generated' };
}

export function decodeMasterKey(text: string, where: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new MasterKeyError(`${where}: the master key must be 32 bytes, base64 or hex`);
  return key;
}

export function deriveKeys(masterKey: Buffer): DerivedKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  return {
    secretPepper: derive('keygate/client-secret-pepper/v1'),
    keyEncryptionKey: derive('keygate/signing-key-encryption/v1'),
  };
}
