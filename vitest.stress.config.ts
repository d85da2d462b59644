// The robustness suites: fuzzing, fault injection and load. Run with `npm run test:stress`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/stress/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One suite at a time: each one loads both cores on its own, and the fault suite's timings need headroom.
    fileParallelism: false,
  },
});
