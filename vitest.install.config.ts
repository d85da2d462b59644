// How MCP users get the server (npm run test:install): a fresh clone installed with npm 10 and with npm 11 and
// started as the README says, the packed package run through npx, and the MCP bundle run as its manifest says.
// They install from the npm registry and take minutes, so they run apart from npm test; CI runs them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/install/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // One at a time: each one installs and builds, and the times they print should not be each other's.
    fileParallelism: false,
  },
});
