// The third-party conformance checks (npm run test:conformance): the official MCP conformance suite and the
// MCP Inspector CLI against the built server. They need Node 22 and their own install, so they are not in
// `npm test`; CI runs both.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    // The install first; then the suite-wide secret sweep over everything the tools printed.
    globalSetup: ['test/conformance/install.ts', 'test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
