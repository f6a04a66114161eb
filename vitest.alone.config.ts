import { defineConfig } from 'vitest/config';

/**
 * Tests that must run alone, before the rest: the soak, whose load would disturb the timing promises
 * other tests check, and npm start's rebuild, which rewrites the dist that other tests run.
 */
export const ALONE = ['test/robustness/soak.test.ts', 'test/cli/npm-start-rebuild.test.ts'];

export default defineConfig({
  test: {
    include: ALONE,
    pool: 'forks',
    maxWorkers: 1,
    reporters: ['default'],
  },
});
