// The store contract, for every implementation, and the file store's safety across processes on one host.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../src/store/file.js';
import { MemoryStore } from '../src/store/memory.js';
import type { Store } from '../src/store/store.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'trtc-store-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A clock the test moves by hand. */
const clock = (start = 1_800_000_000_000) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};

const kinds: Array<[string, (now: () => number) => Store]> = [
  ['memory', (now) => new MemoryStore(now)],
  ['file', (now) => new FileStore(tempDir(), now)],
];

describe.each(kinds)('%s store', (_kind, make) => {
  it('claims a key once, and again only after its record expired', async () => {
    const c = clock();
    const store = make(c.now);
    expect(await store.claim('ns', 'k', c.now() + 1000)).toBe(true);
    expect(await store.claim('ns', 'k', c.now() + 1000)).toBe(false);
    expect(await store.claim('other', 'k', c.now() + 1000)).toBe(true);
    c.advance(1001);
    expect(await store.claim('ns', 'k', c.now() + 1000)).toBe(true);
    expect(await store.claim('ns', 'k', c.now() + 1000)).toBe(false);
  });

  it('keeps values until they expire, and any string is a safe key', async () => {
    const c = clock();
    const store = make(c.now);
    const key = '../../etc/passwd\0ü';
    await store.put('ledger', key, { app: 1400000001, room: 'team-1' }, c.now() + 500);
    expect(await store.get('ledger', key)).toEqual({ app: 1400000001, room: 'team-1' });
    expect(await store.get('ledger', 'absent')).toBeUndefined();
    await store.put('ledger', key, { app: 2 }, c.now() + 500);
    expect(await store.get('ledger', key)).toEqual({ app: 2 });
    c.advance(500);
    expect(await store.get('ledger', key)).toBeUndefined();
  });

  it('appends to a log, reads it by cursor, and drops duplicates by key', async () => {
    const c = clock();
    const store = make(c.now);
    const opts = { maxEntries: 1000, maxAgeMs: 60_000 };
    expect(await store.read('log', { limit: 10 })).toEqual({ entries: [], last: 0, first: 1 });
    for (let i = 1; i <= 5; i++) {
      c.advance(1);
      expect(await store.append('log', { i }, { ...opts, dedupeKey: `d${i}` })).toEqual({ seq: i, duplicate: false });
    }
    expect(await store.append('log', { i: 'again' }, { ...opts, dedupeKey: 'd3' })).toEqual({ seq: 3, duplicate: true });
    const page = await store.read<{ i: number }>('log', { after: 2, limit: 2 });
    expect(page.entries.map((e) => e.entry.i)).toEqual([3, 4]);
    expect(page.entries.map((e) => e.seq)).toEqual([3, 4]);
    expect(page.last).toBe(5);
    expect(page.first).toBe(1);
  });

  it('keeps a log within its bounds, forgets the dedupe keys of what it dropped, and never reuses a sequence number', async () => {
    const c = clock();
    const store = make(c.now);
    const opts = { maxEntries: 100, maxAgeMs: 10_000 };
    for (let i = 1; i <= 400; i++) {
      c.advance(1);
      await store.append('log', { i }, { ...opts, dedupeKey: `d${i}` });
    }
    const page = await store.read<{ i: number }>('log', { limit: 1000 });
    // The newest 100 are always there; a little more may wait for the next compaction.
    expect(page.entries.at(-1)!.entry.i).toBe(400);
    expect(page.entries.length).toBeGreaterThanOrEqual(100);
    expect(page.entries.length).toBeLessThan(200);
    expect(await store.append('log', { i: 'old key' }, { ...opts, dedupeKey: 'd1' })).toEqual({ seq: 401, duplicate: false });
    c.advance(20_000);
    expect(await store.append('log', { i: 'late' }, opts)).toEqual({ seq: 402, duplicate: false });
    const after = await store.read<{ i: unknown }>('log', { limit: 1000 });
    expect(after.entries.map((e) => e.entry.i)).toContain('late');
    expect(after.last).toBe(402);
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
