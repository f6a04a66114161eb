import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openPostgresStore, openSqliteStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

const WRITER = fileURLToPath(new URL('./write-burst.ts', import.meta.url));

/** Runs the writer, lets it write for a moment, kills it with SIGKILL mid-burst. */
async function killMidBurst(env: NodeJS.ProcessEnv): Promise<void> {
  const writer = spawn(process.execPath, ['--import', 'tsx', WRITER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    writer.stdout.on('data', (chunk) => String(chunk).includes('writing') && resolve());
    writer.once('exit', () => reject(new Error('the writer ended before writing')));
  });
  await new Promise((r) => setTimeout(r, 400 + Math.random() * 400));
  writer.kill('SIGKILL');
  await once(writer, 'exit');
}

/** Every write is one transaction: after the kill, each was applied whole or not at all. */
async function expectConsistent(store: Store, region: string): Promise<void> {
  const account = (await store.accounts.list())[0]!;
  const credentials = await store.credentials.list(account.id);
  expect(credentials.length).toBeGreaterThan(0);
  for (const credential of credentials) {
    const found = await store.credentials.findForAuthentication(credential.clientId);
    expect(found?.secrets.length, `credential ${credential.name} has its secret`).toBe(1);
  }
  const changes = await store.changes.since(0, 1_000_000);
  const created = new Set(changes.filter((c) => c.topic === 'credential.created').map((c) => c.ref));
  expect(created).toEqual(new Set(credentials.map((c) => c.clientId)));
  const revoked = changes
    .filter((c) => c.topic === 'token.revoked')
    .map((c) => c.ref)
    .sort();
  const stored = (await store.revokedTokens.listActive(new Date())).map((r) => r.jti).sort();
  expect(stored).toEqual(revoked);
  const statuses = (await store.signingKeys.list(region)).map((k) => k.status);
  expect(statuses.filter((s) => s === 'active')).toHaveLength(1);
  expect(statuses.filter((s) => s === 'next')).toHaveLength(1);
}

describe('a process killed with SIGKILL in a burst of writes', () => {
  it('leaves the SQLite store consistent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keygate-kill-'));
    try {
      await killMidBurst({ KEYGATE_DATA_DIR: dataDir, KEYGATE_LOG_LEVEL: 'silent' });
      const store = openSqliteStore(join(dataDir, 'keygate.sqlite'));
      try {
        await store.migrate();
        await expectConsistent(store, 'emea');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!TEST_DATABASE_URL)('leaves the PostgreSQL store consistent', async () => {
    const schema = uniqueSchema();
    try {
      await killMidBurst({
        KEYGATE_DATABASE_URL: TEST_DATABASE_URL,
        KEYGATE_DATABASE_SCHEMA: schema,
        KEYGATE_MASTER_KEY: randomBytes(32).toString('base64'),
      });
      const store = openPostgresStore(TEST_DATABASE_URL!, { schema });
      try {
        await expectConsistent(store, 'emea');
      } finally {
        await store.close();
      }
    } finally {
      await dropSchema(TEST_DATABASE_URL!, schema);
    }
  });
});
