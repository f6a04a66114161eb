import { defineConfig } from 'vitest/config';

/** The soak test alone, so its load cannot disturb the timing promises other tests check. */
export default defineConfig({
  test: {
    include: ['test/robustness/soak.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    reporters: ['default'],
  },
});
