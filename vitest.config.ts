import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Tests create real temp trees and child processes; two workers match the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
