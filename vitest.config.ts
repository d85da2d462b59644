import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The robustness suites (fuzzing, faults, load) take minutes: `npm run test:stress` runs them.
    exclude: [...configDefaults.exclude, 'test/stress/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn servers; two cores are shared between workers and the processes they start.
    maxWorkers: 2,
  },
});
