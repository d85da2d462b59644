// The store contract, for every implementation, and the file store's safety across processes on one host.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/store/file.js';
import { MemoryStore } from '../src/store/memory.js';
import { silentLogger } from '../src/log.js';
import { ClockOffset, maskRedisUrl, RedisStore } from '../src/store/redis.js';
import { StoreUnavailableError, type Store } from '../src/store/store.js';
import { startRedis, type RedisServer } from './redis.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'trtc-store-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Clock {
  now(): number;
  advance(ms: number): Promise<void>;
}
/** A clock the test moves by hand. */
const handClock = (): Clock => {
  let t = 1_800_000_000_000;
  return { now: () => t, advance: async (ms) => void (t += ms) };
};
/** Redis expires keys by its own clock, so its contract runs on real time with short durations. */
const realClock = (): Clock => ({ now: Date.now, advance: (ms) => new Promise((r) => setTimeout(r, ms)) });

let redis: RedisServer;
const opened: Store[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await redis.stop();
});

const kinds: Array<[string, () => Clock, (now: () => number) => Promise<Store>]> = [
  ['memory', handClock, async (now) => new MemoryStore(now)],
  ['file', handClock, async (now) => new FileStore(tempDir(), now)],
  ['redis', realClock, async (now) => {
    const store = await new RedisStore(`${redis.url}/0`, silentLogger, now).opened();
    opened.push(store);
    return store;
  }],
];

// Keys are unique per test run, so the Redis store's tests never meet each other's state.
let run = 0;
const uniq = (name: string) => `${name}-${process.pid}-${++run}`;

describe.each(kinds)('%s store', (_kind, clock, make) => {
  it('claims a key once, and again only after its record expired', async () => {
    const c = clock();
    const store = await make(c.now);
    const [ns, other] = [uniq('ns'), uniq('other')];
    expect(await store.claim(ns, 'k', c.now() + 300)).toBe(true);
    expect(await store.claim(ns, 'k', c.now() + 300)).toBe(false);
    expect(await store.claim(other, 'k', c.now() + 300)).toBe(true);
    await c.advance(350);
    expect(await store.claim(ns, 'k', c.now() + 300)).toBe(true);
    expect(await store.claim(ns, 'k', c.now() + 300)).toBe(false);
  });

  it('keeps values until they expire, and any string is a safe key', async () => {
    const c = clock();
    const store = await make(c.now);
    const ns = uniq('ledger');
    const key = '../../etc/passwd\0ü';
    await store.put(ns, key, { app: 1400000001, room: 'team-1' }, c.now() + 300);
    expect(await store.get(ns, key)).toEqual({ app: 1400000001, room: 'team-1' });
    expect(await store.get(ns, 'absent')).toBeUndefined();
    await store.put(ns, key, { app: 2 }, c.now() + 300);
    expect(await store.get(ns, key)).toEqual({ app: 2 });
    await c.advance(350);
    expect(await store.get(ns, key)).toBeUndefined();
  });

  it('replaces a revised value only at the revision it was read at, until it expires', async () => {
    const c = clock();
    const store = await make(c.now);
    const ns = uniq('jobs');
    expect(await store.getRevised(ns, 'j')).toBeUndefined();
    expect(await store.putRevised(ns, 'j', 1, { step: 'never' }, c.now() + 300)).toBe(false);
    expect(await store.putRevised(ns, 'j', 0, { step: 1 }, c.now() + 300)).toBe(true);
    expect(await store.putRevised(ns, 'j', 0, { step: 'second create' }, c.now() + 300)).toBe(false);
    expect(await store.getRevised(ns, 'j')).toEqual({ value: { step: 1 }, rev: 1 });
    // Two writers read revision 1: the first to write wins, the other is told to read again.
    expect(await store.putRevised(ns, 'j', 1, { step: 2 }, c.now() + 300)).toBe(true);
    expect(await store.putRevised(ns, 'j', 1, { step: 'stale' }, c.now() + 300)).toBe(false);
    expect(await store.getRevised(ns, 'j')).toEqual({ value: { step: 2 }, rev: 2 });
    // Revised values and plain ones never share a key.
    expect(await store.get(ns, 'j')).toBeUndefined();
    await c.advance(350);
    expect(await store.getRevised(ns, 'j')).toBeUndefined();
    expect(await store.putRevised(ns, 'j', 0, { step: 'anew' }, c.now() + 300)).toBe(true);
  });

  it('lets exactly one of many concurrent writers of one revision win', async () => {
    const c = clock();
    const store = await make(c.now);
    const ns = uniq('race');
    await store.putRevised(ns, 'j', 0, { n: 0 }, c.now() + 60_000);
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putRevised(ns, 'j', 1, { n: i }, c.now() + 60_000)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await store.getRevised(ns, 'j'))!.rev).toBe(2);
  });

  it('appends to a log, reads it by cursor, and drops duplicates by key', async () => {
    const c = clock();
    const store = await make(c.now);
    const log = uniq('log');
    const opts = { maxEntries: 1000, maxAgeMs: 60_000 };
    expect(await store.read(log, { limit: 10 })).toEqual({ entries: [], last: 0, first: 1 });
    for (let i = 1; i <= 5; i++) {
      await c.advance(1);
      expect(await store.append(log, { i }, { ...opts, dedupeKey: `d${i}` })).toEqual({ seq: i, duplicate: false });
    }
    expect(await store.append(log, { i: 'again' }, { ...opts, dedupeKey: 'd3' })).toEqual({ seq: 3, duplicate: true });
    const page = await store.read<{ i: number }>(log, { after: 2, limit: 2 });
    expect(page.entries.map((e) => e.entry.i)).toEqual([3, 4]);
    expect(page.entries.map((e) => e.seq)).toEqual([3, 4]);
    expect(page.last).toBe(5);
    expect(page.first).toBe(1);
  });

  it('keeps a log within its bounds, forgets the dedupe keys of what it dropped, and never reuses a sequence number', async () => {
    const c = clock();
    const store = await make(c.now);
    const log = uniq('log');
    const opts = { maxEntries: 100, maxAgeMs: 2_000 };
    for (let i = 1; i <= 400; i++) {
      if (i % 40 === 0) await c.advance(1);
      await store.append(log, { i }, { ...opts, dedupeKey: `d${i}` });
    }
    const page = await store.read<{ i: number }>(log, { limit: 1000 });
    // The newest 100 are always there; a little more may wait for the next compaction.
    expect(page.entries.at(-1)!.entry.i).toBe(400);
    expect(page.entries.length).toBeGreaterThanOrEqual(100);
    expect(page.entries.length).toBeLessThan(200);
    expect(await store.append(log, { i: 'old key' }, { ...opts, dedupeKey: 'd1' })).toEqual({ seq: 401, duplicate: false });
    await c.advance(2_100);
    expect(await store.append(log, { i: 'late' }, opts)).toEqual({ seq: 402, duplicate: false });
    const after = await store.read<{ i: unknown }>(log, { limit: 1000 });
    expect(after.entries.map((e) => e.entry.i)).toContain('late');
    expect(after.last).toBe(402);
  });

  it('gives a burst of concurrent appends contiguous sequence numbers, in order, and stores a key repeated inside it once', async () => {
    const c = clock();
    const store = await make(c.now);
    const log = uniq('burst');
    const opts = { maxEntries: 1000, maxAgeMs: 60_000 };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(log, { i }, { ...opts, dedupeKey: `d${i % 40}` })));
    expect(results.slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => ({ seq: i + 1, duplicate: false })));
    expect(results.slice(40)).toEqual(Array.from({ length: 10 }, (_, i) => ({ seq: i + 1, duplicate: true })));
    const page = await store.read<{ i: number }>(log, { limit: 100 });
    expect(page.entries.map((e) => e.entry.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('keeps working whatever an entry holds: a lone UTF-16 surrogate, quotes, newlines, a dedupe key of any text', async () => {
    const c = clock();
    const store = await make(c.now);
    const log = uniq('any-text');
    const opts = { maxEntries: 3, maxAgeMs: 60_000 };
    // The text a callback or an agent can send: a lone surrogate (JSON "\ud800"), and what looks like the header.
    const odd = { Text: '\ud800 "} 9 9 9 \n\u0000', Other: '\udfff' };
    expect(await store.append(log, odd, { ...opts, dedupeKey: 'é \n key' })).toEqual({ seq: 1, duplicate: false });
    // Once it is the oldest entry, every later append trims it (the bound is 3): none may fail.
    for (let i = 2; i <= 10; i++) expect(await store.append(log, { i }, { ...opts, dedupeKey: `k${i}` })).toEqual({ seq: i, duplicate: false });
    const page = await store.read<{ i: number }>(log, { limit: 100 });
    expect(page.entries.map((e) => e.entry.i)).toEqual(expect.arrayContaining([8, 9, 10]));
    // Its dedupe key went with it.
    expect(await store.append(log, odd, { ...opts, dedupeKey: 'é \n key' })).toEqual({ seq: 11, duplicate: false });
    expect((await store.read<typeof odd>(log, { after: 10, limit: 1 })).entries[0]!.entry).toEqual(odd);
  });

  it('reserves rate-window slots up to the limit now, then later ones in turn, and says how far off one is', async () => {
    const store = await make(Date.now);
    const key = uniq('rate');
    // Judged by the slots' own times, so that however slowly this runs, nothing depends on how long it took.
    // A shared store gives them on its clock, carried over to ours: off by the difference of two round trips at most.
    const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(200);
    const first = [];
    for (let i = 0; i < 3; i++) first.push(await store.reserve(key, 3, 1000, 10_000));
    expect(first.map((s) => s.reserved)).toEqual([true, true, true]);
    const start = first[0]!.at;
    // Too far off for a caller that will not wait: nothing is reserved, and it is told how far.
    const asked = Date.now();
    const refused = await store.reserve(key, 3, 1000, 0);
    expect(refused.reserved).toBe(false);
    near(asked + refused.waitMs, start + 1000);
    // Callers that may wait get slots a window after those they follow, in order, and the fourth a window further.
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await store.reserve(key, 3, 1000, 10_000));
    expect(later.every((s) => s.reserved)).toBe(true);
    for (let i = 0; i < 3; i++) near(later[i]!.at, first[i]!.at + 1000);
    near(later[3]!.at, later[0]!.at + 1000);
    // No window of 1000 ms holds more than three of them.
    const times = [...first, ...later].map((s) => s.at).sort((a, b) => a - b);
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(800);
  });
});

describe("Redis's clock as a replica reads it", () => {
  it('keeps the estimate of the fastest exchange, so that a slow reply moves no slot', () => {
    const clock = new ClockOffset();
    // Redis is 5,000 ms ahead. A fast exchange (2 ms) first; then replies delayed by load on the way there (300 ms)
    // or on the way back (400 ms): reading "when we asked" would be 300 ms off, the estimate stays within 1 ms.
    expect(clock.sample(10_000, 10_002, 15_001)).toBe(5_000);
    expect(clock.sample(20_000, 20_300, 25_300)).toBe(5_000);
    expect(clock.sample(30_000, 30_400, 35_000)).toBe(5_000);
    // A faster exchange still is better; after half a minute without one, the clocks may have drifted: take the next.
    expect(clock.sample(40_000, 40_001, 45_001.5)).toBe(5_001);
    expect(clock.sample(80_000, 80_010, 85_105)).toBe(5_100);
  });

  it('gives two replicas the same slot times for one window, however late their replies come', async () => {
    const [a, b] = await Promise.all([new RedisStore(redis.url, silentLogger).opened(), new RedisStore(redis.url, silentLogger).opened()]);
    opened.push(a, b);
    const key = uniq('stamps');
    // Warm: each has seen a fast exchange.
    await Promise.all([a.ping(), b.ping(), a.reserve(uniq('warm'), 1, 1000, 0), b.reserve(uniq('warm'), 1, 1000, 0)]);
    const slots = [];
    for (let i = 0; i < 12; i++) {
      const store = i % 2 ? a : b;
      // A busy event loop between asking and reading the answer: the reply is read up to 120 ms late.
      const pending = store.reserve(key, 4, 1000, 10_000);
      const busyUntil = Date.now() + (i % 3) * 60;
      while (Date.now() < busyUntil);
      slots.push(await pending);
    }
    const times = slots.map((s) => s.at).sort((x, y) => x - y);
    // Four per window on Redis's clock; carried over to ours with the same offset, no second holds more than four.
    for (let i = 4; i < times.length; i++) expect(times[i]! - times[i - 4]!, JSON.stringify(times)).toBeGreaterThanOrEqual(990);
  });
});

describe('redis store', () => {
  it('shares rate windows between processes: two stores on one Redis hold one limit', async () => {
    const [a, b] = await Promise.all([new RedisStore(redis.url, silentLogger).opened(), new RedisStore(redis.url, silentLogger).opened()]);
    opened.push(a, b);
    const key = uniq('shared-rate');
    const taken = [];
    for (let i = 0; i < 10; i++) taken.push(await (i % 2 ? a : b).reserve(key, 5, 60_000, 0));
    expect(taken.filter((s) => s.reserved)).toHaveLength(5);
    expect(a.shared && b.shared).toBe(true);
  });

  it('refuses quickly while Redis is down, and works again when it is back, with no restart', async () => {
    const own = await startRedis();
    const store = await new RedisStore(own.url, silentLogger).opened();
    opened.push(store);
    await store.ping();
    expect(await store.claim('spent', 'before', Date.now() + 60_000)).toBe(true);
    await own.stop();
    const started = Date.now();
    await expect(store.claim('spent', 'during', Date.now() + 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.get('ledger', 'x')).rejects.toThrow(/unreachable/);
    // Rate windows keep working, per process, so that reads are not stopped by the outage.
    expect(await store.reserve(uniq('rate-while-down'), 1, 1000, 0)).toMatchObject({ reserved: true, waitMs: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await own.start();
    // The client reconnects by itself (backoff up to 2 s).
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await store.ping();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    // A fresh server: the claim is new there.
    expect(await store.claim('spent', 'after', Date.now() + 60_000)).toBe(true);
    expect(await store.claim('spent', 'after', Date.now() + 60_000)).toBe(false);
    await own.stop();
  });

  it('says "refused a command", not "unreachable", when Redis answers with an error', async () => {
    const store = await new RedisStore(redis.url, silentLogger).opened();
    opened.push(store);
    const key = uniq('wrong-type');
    // A key of another type makes Redis answer WRONGTYPE: it is reachable, and the message says so.
    await store.append(key, { i: 1 }, { maxEntries: 10, maxAgeMs: 60_000 });
    const wrong = (store as unknown as { client: { sendCommand(a: string[]): Promise<unknown> } }).client;
    await wrong.sendCommand(['SET', `trtc-mcp:log:{${key}}:entries`, 'a string']);
    const err = await store.append(key, { i: 2 }, { maxEntries: 10, maxAgeMs: 60_000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/refused a command \(WRONGTYPE/);
    expect((err as Error).message).not.toMatch(/unreachable/);
  });

  it('reads members an earlier version wrote (one JSON line each) and trims them without decoding', async () => {
    const store = await new RedisStore(redis.url, silentLogger).opened();
    opened.push(store);
    const key = uniq('earlier');
    const raw = (store as unknown as { client: { sendCommand(a: string[]): Promise<unknown> } }).client;
    await raw.sendCommand(['ZADD', `trtc-mcp:log:{${key}}:entries`, '1', JSON.stringify({ seq: 1, time: Date.now(), entry: { old: true } })]);
    await raw.sendCommand(['SET', `trtc-mcp:log:{${key}}:seq`, '1']);
    // And a member no version wrote is skipped, never fatal.
    await raw.sendCommand(['ZADD', `trtc-mcp:log:{${key}}:entries`, '1', 'not a member \ud800 {']);
    expect((await store.read<{ old: boolean }>(key, { limit: 10 })).entries).toEqual([expect.objectContaining({ seq: 1, entry: { old: true } })]);
    for (let i = 2; i <= 5; i++) await store.append(key, { i }, { maxEntries: 2, maxAgeMs: 60_000 });
    const after = (await store.read<{ i?: number; old?: boolean }>(key, { limit: 10 })).entries;
    expect(after.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(after.some((e) => e.entry.old)).toBe(false);
  });

  it('never shows the password of its URL', () => {
    expect(maskRedisUrl('redis://user:s3cret-pass@127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
  });
});

describe('file store', () => {
  it('keeps working past bytes it did not write whole: a garbage line and a line a process died writing', async () => {
    const dir = tempDir();
    const store = new FileStore(dir);
    const opts = { maxEntries: 100, maxAgeMs: 60_000 };
    await store.append('log', { i: 1 }, opts);
    const file = join(dir, 'logs', createHash('sha256').update('log').digest('hex').slice(0, 40), 'entries.jsonl');
    appendFileSync(file, 'not json at all\n{"seq":3,"time":');
    // A fresh process reads the file from the start.
    const fresh = new FileStore(dir);
    expect((await fresh.read<{ i: number }>('log', { limit: 10 })).entries.map((e) => e.entry.i)).toEqual([1]);
    // The garbage line holds seq 2 and the torn one seq 3: appends go on after them.
    expect(await fresh.append('log', { i: 4 }, opts)).toEqual({ seq: 4, duplicate: false });
    expect(await store.append('log', { i: 5 }, opts)).toEqual({ seq: 5, duplicate: false });
    for (const s of [fresh, store, new FileStore(dir)]) {
      const page = await s.read<{ i: number }>('log', { limit: 10 });
      expect(page.entries.map((e) => [e.seq, e.entry.i])).toEqual([[1, 1], [4, 4], [5, 5]]);
      expect(page.last).toBe(5);
    }
  });
});

describe('file store across processes', () => {
  // Each child opens the same directory and races the others.
  const child = (dir: string, script: string) => {
    const file = join(dir, 'child.mjs');
    writeFileSync(file, script);
    return file;
  };
  const run = (file: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const p = fork(file, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
    });
  // The children run the store as built JavaScript, as the server does.
  let storeModule = '';
  beforeAll(async () => {
    storeModule = join(tempDir(), 'file-store.mjs');
    await build({ entryPoints: [new URL('../src/store/file.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'esm', outfile: storeModule, logLevel: 'warning' });
  });

  it('lets exactly one of several processes claim a key', async () => {
    const dir = tempDir();
    const file = child(dir, `
      import { FileStore } from ${JSON.stringify(storeModule)};
      const store = new FileStore(process.argv[2]);
      let won = 0;
      for (let i = 0; i < 50; i++) if (await store.claim('spent', 'token-' + i, Date.now() + 60000)) won++;
      process.stdout.write(String(won));
    `);
    const wins = await Promise.all([1, 2, 3, 4].map(() => run(file, [join(dir, 'state')])));
    expect(wins.map(Number).reduce((a, b) => a + b, 0)).toBe(50);
  });

  it('counts every increment of a revised value made by several processes reading and writing it at once', async () => {
    const dir = tempDir();
    const file = child(dir, `
      import { FileStore } from ${JSON.stringify(storeModule)};
      const store = new FileStore(process.argv[2]);
      for (let i = 0; i < 30; i++) {
        for (;;) {
          const cur = await store.getRevised('jobs', 'counter');
          if (await store.putRevised('jobs', 'counter', cur?.rev ?? 0, (cur?.value ?? 0) + 1, Date.now() + 60000)) break;
        }
      }
    `);
    await Promise.all([1, 2, 3].map(() => run(file, [join(dir, 'state')])));
    expect(await new FileStore(join(dir, 'state')).getRevised('jobs', 'counter')).toEqual({ value: 90, rev: 90 });
  });

  it('gives appends from several processes distinct, contiguous sequence numbers', async () => {
    const dir = tempDir();
    const file = child(dir, `
      import { FileStore } from ${JSON.stringify(storeModule)};
      const store = new FileStore(process.argv[2]);
      for (let i = 0; i < 100; i++) await store.append('events', { from: process.pid, i }, { maxEntries: 10000, maxAgeMs: 3600000, dedupeKey: 'k' + (i % 60) + '-' + process.argv[3] });
    `);
    await Promise.all(['a', 'b', 'c'].map((tag) => run(file, [join(dir, 'state'), tag])));
    const page = await new FileStore(join(dir, 'state')).read('events', { limit: 10_000 });
    // 60 distinct dedupe keys per process, 3 processes.
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    expect(page.last).toBe(180);
  });
});
