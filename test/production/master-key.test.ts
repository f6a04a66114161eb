import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { startKeygateWithRoles, startTestKeygate } from '../helpers/keygate.js';
import { dropSchema, SKIP_MESSAGE, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

const url = TEST_DATABASE_URL;
const newMasterKey = () => randomBytes(32).toString('base64');
const DIFFERENT_KEY = /signing keys were sealed with a different master key.*same KEYGATE_MASTER_KEY/;

/**
 * Instances on one store must share its master key. One given another key must stop at start with
 * what to do, whichever of its roles holds the key, and before it serves or writes anything.
 */
async function expectRefusedWithAnotherKey(store: ConfigInput, dataDir: string): Promise<void> {
  const first = await startTestKeygate({ ...store, masterKey: newMasterKey() }, dataDir);
  try {
    for (const roles of [undefined, ['token-service'], ['admin']] as const) {
      const overrides = { ...store, masterKey: newMasterKey(), ...(roles ? { roles: [...roles] } : {}) };
      await expect(startKeygateWithRoles(overrides, dataDir), `roles ${roles ?? 'all'}`).rejects.toThrow(
        DIFFERENT_KEY,
      );
    }
  } finally {
    await first.stop();
  }
}

describe('a master key that does not match the store', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygate-master-key-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stops a second instance on the same SQLite file, saying to give both the same key', async () => {
    await expectRefusedWithAnotherKey({}, tempDir());
  });

  describe.skipIf(!url)('on PostgreSQL', () => {
    it('stops a second instance on the same database, saying to give both the same key', async () => {
      const schema = uniqueSchema();
      try {
        await expectRefusedWithAnotherKey({ databaseUrl: url!, databaseSchema: schema }, tempDir());
      } finally {
        await dropSchema(url!, schema);
      }
    });

    it('refuses to start without a configured master key instead of generating one for this host', async () => {
      const schema = uniqueSchema();
      const dataDir = tempDir();
      try {
        await expect(
          startTestKeygate({ databaseUrl: url!, databaseSchema: schema }, dataDir),
        ).rejects.toThrow(
          /PostgreSQL store needs a master key shared by every instance: set KEYGATE_MASTER_KEY/,
        );
        expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
      } finally {
        await dropSchema(url!, schema);
      }
    });
  });
});

if (!url) process.stdout.write(`PostgreSQL master-key tests ${SKIP_MESSAGE}\n`);
