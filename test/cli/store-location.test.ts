import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { KEYGATE_BIN } from '../helpers/keygate-process.js';
import { dropSchema, SKIP_MESSAGE, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `keygate …` run from `cwd`, with no KEYGATE_* variable but those in `env`. */
function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [KEYGATE_BIN, ...args],
      { cwd, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-elsewhere-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CREATE = ['credentials', 'create', '--name', 'Wallboard', '--scope', 'stats', '--json'];

describe('which store the CLI works on', () => {
  let keygate: TestKeygate;
  beforeAll(async () => {
    keygate = await startTestKeygate({}, mkdtempSync(join(tmpdir(), 'keygate-server-')));
  });
  afterAll(async () => {
    await keygate.stop();
    rmSync(keygate.dataDir, { recursive: true, force: true });
  });

  it('refuses, run from another folder, to create a store of its own, and says what to set', async () => {
    const elsewhere = emptyDir();
    for (const args of [CREATE, ['credentials', 'list'], ['keys', 'rotate']]) {
      const result = await cli(elsewhere, args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `no Keygate store at ${join(elsewhere, 'data', 'keygate.sqlite')} (data folder from ./data of the current directory, which has no keygate.config.json)`,
      );
      for (const way of ['--data-dir', 'KEYGATE_DATA_DIR', 'KEYGATE_CONFIG', 'keygate migrate'])
        expect(result.stderr).toContain(way);
    }
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('finds the server’s store from another folder through --data-dir, KEYGATE_DATA_DIR or the configuration file', async () => {
    const elsewhere = emptyDir();
    const config = join(elsewhere, 'settings.json');
    writeFileSync(config, JSON.stringify({ dataDir: keygate.dataDir }));
    const ways: Array<[string[], NodeJS.ProcessEnv]> = [
      [['--data-dir', keygate.dataDir, ...CREATE], {}],
      [[...CREATE, '--data-dir', keygate.dataDir], {}],
      [CREATE, { KEYGATE_DATA_DIR: keygate.dataDir }],
      [CREATE, { KEYGATE_CONFIG: config }],
    ];
    for (const [args, env] of ways) {
      const result = await cli(elsewhere, args, env);
      expect(result.stderr).toBe('');
      const created = JSON.parse(result.stdout) as { client_id: string; client_secret: string };
      const issued = await requestToken(
        keygate,
        { clientId: created.client_id, clientSecret: created.client_secret },
        'stats',
      );
      expect(issued.status).toBe(200);
    }
    expect(readdirSync(elsewhere)).toEqual(['settings.json']);
  });

  it('refuses a store whose master key it cannot find, instead of generating another', async () => {
    const copy = emptyDir();
    const migrated = await cli(copy, ['--data-dir', 'data', 'migrate']);
    expect(migrated.code).toBe(0);
    rmSync(join(copy, 'data', 'master.key'));

    const result = await cli(copy, ['--data-dir', 'data', ...CREATE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /has no master key beside it .*KEYGATE_MASTER_KEY or KEYGATE_MASTER_KEY_FILE/,
    );
    expect(existsSync(join(copy, 'data', 'master.key'))).toBe(false);
  });

  it('creates a new store only when asked, with keygate migrate', async () => {
    const fresh = emptyDir();
    expect((await cli(fresh, ['credentials', 'list'])).code).toBe(2);
    const migrated = await cli(fresh, ['migrate']);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(fresh, 'data', 'keygate.sqlite'))).toBe(true);
    const listed = await cli(fresh, ['credentials', 'list', '--json']);
    expect(listed).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  it.skipIf(!TEST_DATABASE_URL)('refuses a PostgreSQL schema that no Keygate has migrated', async () => {
    const schema = uniqueSchema();
    onTestFinished(() => dropSchema(TEST_DATABASE_URL!, schema));
    const env = {
      KEYGATE_DATABASE_URL: TEST_DATABASE_URL,
      KEYGATE_DATABASE_SCHEMA: schema,
      KEYGATE_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    };
    const refused = await cli(emptyDir(), CREATE, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the PostgreSQL schema ${schema} holds no Keygate store`);
    expect((await cli(emptyDir(), ['migrate'], env)).code).toBe(0);
    expect((await cli(emptyDir(), ['credentials', 'list', '--json'], env)).stdout).toBe('[]\n');
  });
});

if (!TEST_DATABASE_URL) process.stdout.write(`PostgreSQL store-location test ${SKIP_MESSAGE}\n`);
