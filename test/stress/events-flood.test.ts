// 10,000 callbacks into the receiver and each store: the embedded file store (one host) and Redis (replicas).
// See ../flood.ts.
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { FileStore } from '../../src/store/file.js';
import { RedisStore } from '../../src/store/redis.js';
import { floodTest } from '../flood.js';
import { startRedis, type RedisServer } from '../redis.js';

const FLOOD = 10_000;
let redis: RedisServer | undefined;
afterAll(() => redis?.stop());

describe('a flood of callbacks into the embedded file store', () => {
  floodTest('the embedded file store', async () => new FileStore(mkdtempSync(fileURLToPath(new URL('../../.test-output/flood-', import.meta.url)))), FLOOD);
});

describe('a flood of callbacks into the Redis store', () => {
  floodTest('the Redis store', async () => new RedisStore((redis ??= await startRedis()).url, silentLogger).opened(), FLOOD);
});
