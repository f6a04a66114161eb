import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:unit`, the inner loop: the pure core, configuration, crypto, the store (SQLite), the
 * server's parts, introspection and revocation, and the documentation contracts, with no build, no
 * browser, no outside peer and no soak. `npm test` runs everything.
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    ...base.test,
    include: [
      'test/core/**/*.test.ts',
      'test/config/**/*.test.ts',
      'test/crypto/**/*.test.ts',
      'test/architecture/**/*.test.ts',
      'test/store/**/*.test.ts',
      'test/server/**/*.test.ts',
      'test/introspection/**/*.test.ts',
      'test/revocation/**/*.test.ts',
      'test/docs/*-documented.test.ts',
    ],
    // It runs the built `keygate` (dist) to see the warning an operator sees.
    exclude: ['node_modules/**', 'test/config/config.test.ts'],
  },
});
