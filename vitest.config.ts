import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run on their own: the Node 22 tools' checks (npm run test:conformance), the robustness suites, which
    // take minutes (npm run test:stress), and the install paths, which install from the registry (npm run test:install).
    exclude: [...configDefaults.exclude, 'test/conformance/**', 'test/stress/**', 'test/install/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests spawn servers; two cores are shared between workers and the processes they start.
    maxWorkers: 2,
  },
});
