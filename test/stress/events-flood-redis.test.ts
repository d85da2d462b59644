// 10,000 callbacks into the receiver and the Redis store (replicas): see ../flood.ts.
import { afterAll, describe } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { RedisStore } from '../../src/store/redis.js';
import { floodTest } from '../flood.js';
import { startRedis, type RedisServer } from '../redis.js';

let redis: RedisServer | undefined;
afterAll(() => redis?.stop());

describe('a flood of callbacks into the Redis store', () => {
  floodTest('the Redis store', async () => new RedisStore((redis ??= await startRedis()).url, silentLogger).opened());
});
