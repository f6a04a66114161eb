import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readmeBlock } from '../helpers/readme.js';

const pinned = readFileSync(new URL('../../.node-version', import.meta.url), 'utf8').trim();
const engines = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).engines.node;

/** The README's way to Node's own build from the npm registry, run as written in an empty home. */
describe('README: Node.js', () => {
  const block = readmeBlock('### Node.js');

  it('names the release CI runs on, and the oldest line engines allows', () => {
    expect(block.match(/\d+\.\d+\.\d+/g)).toEqual([pinned, pinned]);
    expect(engines).toBe(`>=${pinned.split('.')[0]}`);
  });

  it('puts that release first on the PATH', () => {
    const home = mkdtempSync(join(tmpdir(), 'keygate-node-home-'));
    try {
      // The npm cache stays the machine's: .ci/run has fetched the same package into it.
      const cache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
      const printed = execFileSync('bash', ['-euo', 'pipefail', '-c', `${block}\nnode -v`], {
        cwd: home,
        env: { ...process.env, HOME: home, npm_config_cache: cache },
        encoding: 'utf8',
      });
      expect(printed.trim().split('\n').at(-1)).toBe(`v${pinned}`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});
