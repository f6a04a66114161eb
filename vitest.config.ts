import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ALONE } from './vitest.alone.config.js';

export default defineConfig({
  // The client package's source, as tsconfig.json's paths: tests need no build of it first.
  resolve: {
    alias: [
      {
        find: /^@keygate\/client$/,
        replacement: fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)),
      },
      {
        find: /^@keygate\/client\/cli$/,
        replacement: fileURLToPath(new URL('./packages/client/src/cli.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // They run alone, first (vitest.alone.config.ts): the soak loads both cores for minutes, and npm
    // start's rebuild rewrites dist.
    exclude: [...ALONE, 'node_modules/**'],
    // Two cores: two forks keep both busy without starving the servers under test.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
