import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Storage tests do real file I/O in temp dirs; two cores, so two forks.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
