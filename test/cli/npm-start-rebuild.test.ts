import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distIsCurrent } from '../../scripts/dist-stamp.mjs';
import { npmStart, ROOT, stopWithSigterm } from '../helpers/npm-start.js';

/**
 * It rewrites dist, which the other tests run: vitest.alone.config.ts runs it before them, alone.
 */
describe('npm start after a source changed', () => {
  it('builds again before it starts', async () => {
    const before = statSync(join(ROOT, 'dist', '.build-stamp')).mtimeMs;
    const now = new Date();
    utimesSync(join(ROOT, 'src', 'cli', 'main.ts'), now, now);
    const { npm, port, output } = await npmStart();

    expect(output()).toContain('Building Keygate');
    expect(statSync(join(ROOT, 'dist', '.build-stamp')).mtimeMs).toBeGreaterThan(before);
    expect(distIsCurrent()).toBe(true);
    await stopWithSigterm(npm, port);
  }, 180_000);
});
