import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** A Node older than engines allows, where the machine has one: Debian 12's own is 20. */
function olderNode(): string | undefined {
  const candidate = '/usr/bin/node';
  if (!existsSync(candidate)) return undefined;
  const version = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  return Number(version.split('.')[0]) < 24 ? candidate : undefined;
}

const older = olderNode();

describe.skipIf(older === undefined)('on a Node older than engines allows', () => {
  it.each([
    ['keygate', 'bin/keygate.js', '--version'],
    ['npm start', 'scripts/start.mjs', '--help'],
  ])('%s says which Node to install, and exits 1', (_name, entry, argument) => {
    const run = spawnSync(older!, [root(entry), argument], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Keygate needs Node\.js 24 or newer, and this is v\d+\./);
    expect(run.stderr).toContain('.node-version');
    expect(run.stdout).toBe('');
  });
});
