import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate } from '../helpers/keygate.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/**
 * The embedded store holds emails, password hashes and the audit log, and the generated master key
 * sits beside it: other local users must not read them. Run under the usual umask 022, with which
 * a folder and files made with default modes come out 0755 and 0644.
 */
describe('the embedded store on disk', () => {
  const parent = mkdtempSync(join(tmpdir(), 'keygate-perms-'));
  let umask: number;

  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates the data directory 0700 and the database, its -wal and -shm and the master key 0600', async () => {
    const dataDir = join(parent, 'fresh', 'data');
    const keygate = await startTestKeygate({}, dataDir);
    try {
      // A write, so that the write-ahead log surely exists.
      await keygate.createCredential(['stats']);
      expect(keygate.masterKeyOrigin).toBe('generated');
      expect(mode(dataDir).toString(8)).toBe('700');
      for (const file of ['keygate.sqlite', 'keygate.sqlite-wal', 'keygate.sqlite-shm', 'master.key']) {
        expect(existsSync(join(dataDir, file)), file).toBe(true);
        expect(mode(join(dataDir, file)).toString(8), file).toBe('600');
      }
      expect(keygate.logs()).not.toContain('chmod');
    } finally {
      await keygate.stop();
    }
  });

  it('warns at start, saying what to run, when an existing data directory is open to other users', async () => {
    const dataDir = join(parent, 'shared');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const keygate = await startTestKeygate({}, dataDir);
    try {
      const warnings = keygate
        .logs()
        .split('\n')
        .filter((line) => line.includes(`chmod 700 ${dataDir}`));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
      // An operator's choice of mode is theirs to change: Keygate only says so.
      expect(mode(dataDir).toString(8)).toBe('755');
    } finally {
      await keygate.stop();
    }
  });
});
