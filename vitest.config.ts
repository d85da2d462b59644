import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Node 22 tools' checks run on their own: npm run test:conformance (vitest.conformance.config.ts).
    exclude: [...configDefaults.exclude, 'test/conformance/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn servers; two cores are shared between workers and the processes they start.
    maxWorkers: 2,
  },
});
