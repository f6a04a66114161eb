import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The soak loads both cores for minutes: it runs alone, first (vitest.soak.config.ts).
    exclude: ['test/robustness/soak.test.ts', 'node_modules/**'],
    // Two cores: two forks keep both busy without starving the servers under test.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
