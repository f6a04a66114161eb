import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { distIsCurrent } from '../../scripts/dist-stamp.mjs';
import { listening, npmStart, ROOT, stopWithSigterm } from '../helpers/npm-start.js';
import { readmeBlock } from '../helpers/readme.js';

const STAMP = join(ROOT, 'dist', '.build-stamp');
const BUILT_CLI = join(ROOT, 'dist', 'cli', 'main.js');

describe('npm start, as the README says to run it', () => {
  beforeAll(() => {
    expect(readmeBlock('## Run it').trim()).toBe('npm ci && npm start');
    // Building here would rewrite dist under the tests running beside this one.
    expect(distIsCurrent(), 'dist is older than a source: run `npm run build` first').toBe(true);
  });

  it('starts a current build without building again, and stops when npm gets SIGTERM', async () => {
    const before = { stamp: statSync(STAMP).mtimeMs, cli: statSync(BUILT_CLI).mtimeMs };
    const { npm, port, output } = await npmStart();

    expect(output()).not.toContain('Building Keygate');
    expect({ stamp: statSync(STAMP).mtimeMs, cli: statSync(BUILT_CLI).mtimeMs }).toEqual(before);

    await stopWithSigterm(npm, port);
    expect(await listening(port)).toBe(false);
  }, 60_000);
});
