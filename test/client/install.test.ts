import { execFile } from 'node:child_process';
import { lstatSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { documentedBlock, withPlaceholders } from '../helpers/documented-config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** docs/client.md's install commands, run as written in a project of their own. */
describe('installing the client SDK in another project', () => {
  const project = mkdtempSync(join(tmpdir(), 'keygate-sdk-user-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('gets keygate/client from a Keygate checkout', async () => {
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true }));
    const script = withPlaceholders(documentedBlock('client.md', 'sh'), {
      'my-project': project,
      '/path/to/keygate': ROOT,
    });
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'bash',
        ['-e', '-c', script],
        { env: { PATH: process.env.PATH, HOME: process.env.HOME } },
        (error, out, stderr) => (error ? reject(new Error(`${stderr || error.message}`)) : resolve(out)),
      );
    });

    expect(stdout.trim().split('\n').at(-1)?.split(' ')).toEqual(
      expect.arrayContaining(['createTokenProvider', 'createApiClient', 'createDpopSigner']),
    );
    const installed = join(project, 'node_modules', 'keygate');
    expect(lstatSync(installed).isSymbolicLink()).toBe(true);
    expect(realpathSync(installed)).toBe(realpathSync(ROOT));
  }, 60_000);
});
