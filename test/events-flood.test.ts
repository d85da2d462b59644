// A flood of 1,000 callbacks into the receiver and the embedded file store: see ./flood.ts. The 10,000-callback
// floods, into the file store and into Redis, run with the robustness suites (npm run test:stress).
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { FileStore } from '../src/store/file.js';
import { floodTest } from './flood.js';

describe('a flood of callbacks into the embedded file store', () => {
  floodTest('the embedded file store', async () => new FileStore(mkdtempSync(fileURLToPath(new URL('../.test-output/flood-', import.meta.url)))), 1_000);
});
