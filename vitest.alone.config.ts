import { defineConfig } from 'vitest/config';

/**
 * Tests that must run alone, before the rest: the soak, whose load would disturb the timing promises
 * other tests check, and npm start's rebuild and the client package's `npm pack`, which rewrite the
 * dist that other tests run.
 */
export const ALONE = [
  'test/robustness/soak.test.ts',
  'test/cli/npm-start-rebuild.test.ts',
  'test/client/package.test.ts',
];

export default defineConfig({
  test: {
    include: ALONE,
    pool: 'forks',
    maxWorkers: 1,
    reporters: ['default'],
  },
});
