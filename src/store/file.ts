// The embedded store: plain files under one directory, safe for several processes on one host.
// - claim: a file created with O_EXCL, which the kernel makes atomic; an expired one is replaced under a lock.
// - put/get: a file per key, replaced by rename, so a reader sees the old value or the new one, never half.
// - revised values: the same, each with its revision, written under the key's lock only if the revision still holds.
// - logs: a JSON Lines file per log, appended under a lock (mkdir is atomic), read without one; compaction
//   rewrites the file and renames it into place. Appends that queue up in this process while one is under way
//   are written together, under one lock and in one write, so a burst costs one lock per batch.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { appendFile, link, mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SlidingWindows, type Slot } from '../rate-limit.js';
import { StoreUnavailableError, type AppendOptions, type LogEntry, type LogPage, type ReadOptions, type Revised, type Store } from './store.js';

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
/** File names for namespaces and keys: hashed, so any string is safe and none can escape the directory. */
const fileOf = (s: string) => hash(s).slice(0, 40);

/** A lock held longer than this belongs to a process that died holding it. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

interface LogLine {
  seq: number;
  time: number;
  k?: string;
  entry: unknown;
  /** A line that could not be read: it keeps its sequence number, is never shown, and goes at the next trim. */
  unreadable?: true;
}

/** A line of a log file, or undefined when its bytes are not a line this store wrote. */
function parseLine(text: string): LogLine | { base: number } | undefined {
  try {
    const parsed = JSON.parse(text) as LogLine | { base: number } | null;
    if (parsed && typeof parsed === 'object' && ('base' in parsed ? Number.isSafeInteger(parsed.base) : Number.isSafeInteger(parsed.seq) && typeof parsed.time === 'number')) return parsed;
  } catch {
    // What a stored byte says never decides whether the store works: the line is skipped.
  }
  return undefined;
}

/** The placeholder of an unreadable line: the next sequence number, as old as can be, so that the next trim drops it. */
const unreadable = (cache: { base: number; lines: LogLine[] }): LogLine => ({ seq: cache.base + cache.lines.length + 1, time: 0, entry: null, unreadable: true });

/** The most appends written under one lock. */
const MAX_BATCH = 1_000;

interface PendingAppend {
  entry: unknown;
  opts: AppendOptions;
  resolve(result: { seq: number; duplicate: boolean }): void;
  reject(err: unknown): void;
}

/** What this process has read of one log file, so that a read parses only what was appended since. */
interface LogCache {
  ino: number;
  offset: number;
  base: number;
  lines: LogLine[];
  keys: Map<string, number>;
}

export class FileStore implements Store {
  readonly shared = false;
  private readonly windows = new SlidingWindows();
  readonly kind = 'file';
  private readonly caches = new Map<string, LogCache>();
  /** Appends to one log from this process wait here while a batch is written, and go in the next one together. */
  private readonly pending = new Map<string, PendingAppend[]>();
  private readonly writers = new Set<Promise<void>>();
  /** Log directories this process created or found: a batch then skips a system call. */
  private readonly logDirs = new Set<string>();
  private claims = 0;

  constructor(readonly location: string, private readonly now: () => number = Date.now) {}

  async claim(ns: string, key: string, expiresAt: number): Promise<boolean> {
    const dir = join(this.location, 'claims', fileOf(ns));
    const file = join(dir, fileOf(key));
    await this.io(() => mkdir(dir, { recursive: true }));
    if (++this.claims % 256 === 1) void this.sweep(dir).catch(() => undefined);
    if (await this.createExclusive(file, String(expiresAt))) return true;
    // Held: by a live record (refuse), or by an expired one, which is replaced under the namespace's lock so
    // that two processes cannot both replace it.
    if (!(await this.expired(file))) return false;
    return this.locked(join(dir, '.lock'), async () => {
      if (!(await this.expired(file))) return false;
      await unlink(file).catch(() => undefined);
      return this.createExclusive(file, String(expiresAt));
    });
  }

  async put(ns: string, key: string, value: unknown, expiresAt: number): Promise<void> {
    const dir = join(this.location, 'kv', fileOf(ns));
    await this.io(async () => {
      await mkdir(dir, { recursive: true });
      await this.replace(join(dir, `${fileOf(key)}.json`), JSON.stringify({ expiresAt, value }));
    });
  }

  async get<T>(ns: string, key: string): Promise<T | undefined> {
    const text = await this.io(() => readFile(join(this.location, 'kv', fileOf(ns), `${fileOf(key)}.json`), 'utf8').catch(missing));
    if (text === undefined) return undefined;
    const { expiresAt, value } = JSON.parse(text) as { expiresAt: number; value: T };
    return expiresAt > this.now() ? value : undefined;
  }

  async getRevised<T>(ns: string, key: string): Promise<Revised<T> | undefined> {
    return this.io(() => this.readRevised<T>(this.revisedFile(ns, key)));
  }

  async putRevised(ns: string, key: string, rev: number, value: unknown, expiresAt: number): Promise<boolean> {
    const file = this.revisedFile(ns, key);
    return this.io(async () => {
      await mkdir(dirname(file), { recursive: true });
      return this.locked(`${file}.lock`, async () => {
        if (((await this.readRevised(file))?.rev ?? 0) !== rev) return false;
        await this.replace(file, JSON.stringify({ expiresAt, rev: rev + 1, value }));
        return true;
      });
    });
  }

  private revisedFile(ns: string, key: string): string {
    return join(this.location, 'revised', fileOf(ns), `${fileOf(key)}.json`);
  }

  private async readRevised<T>(file: string): Promise<Revised<T> | undefined> {
    const text = await readFile(file, 'utf8').catch(missing);
    if (text === undefined) return undefined;
    const { expiresAt, rev, value } = JSON.parse(text) as { expiresAt: number; rev: number; value: T };
    return expiresAt > this.now() ? { value, rev } : undefined;
  }

  append(log: string, entry: unknown, opts: AppendOptions): Promise<{ seq: number; duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(log);
      if (queue) return void queue.push({ entry, opts, resolve, reject });
      this.pending.set(log, [{ entry, opts, resolve, reject }]);
      const writer = this.drain(log);
      this.writers.add(writer);
      void writer.finally(() => this.writers.delete(writer));
    });
  }

  /** Writes the log's queue in batches until it is empty; appends made meanwhile join the next batch. */
  private async drain(log: string): Promise<void> {
    const queue = this.pending.get(log)!;
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const results = await this.appendBatch(log, batch);
        batch.forEach((a, i) => a.resolve(results[i]!));
      } catch (err) {
        for (const a of batch) a.reject(err);
      }
    }
    this.pending.delete(log);
  }

  async read<T>(log: string, opts: ReadOptions): Promise<LogPage<T>> {
    const cache = await this.io(() => this.refresh(log));
    if (!cache) return { entries: [], last: 0, first: 1 };
    const last = cache.base + cache.lines.length;
    const from = Math.max(opts.after ?? 0, cache.base);
    const lines = cache.lines.slice(from - cache.base, from - cache.base + opts.limit);
    return {
      entries: lines.flatMap((l): Array<LogEntry<T>> => (l.unreadable ? [] : [{ seq: l.seq, time: l.time, entry: structuredClone(l.entry) as T }])),
      last,
      first: cache.base + 1,
    };
  }

  /** Per process: several processes on one host each keep their own windows. */
  async reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Slot> {
    return this.windows.reserve(key, limit, windowMs, maxWaitMs);
  }

  async ping(): Promise<void> {
    await makeDirectory(this.location);
    await this.io(async () => {
      // Its own name per ping: concurrent pings (a probe, a scoped start) must not remove each other's file.
      const probe = join(this.location, `.ping-${process.pid}-${randomBytes(4).toString('hex')}`);
      await writeFile(probe, '');
      await unlink(probe);
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.writers]);
  }

  // --- logs ---

  private async appendBatch(log: string, batch: readonly PendingAppend[]): Promise<Array<{ seq: number; duplicate: boolean }>> {
    const dir = join(this.location, 'logs', fileOf(log));
    return this.io(async () => {
      if (!this.logDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.logDirs.add(dir);
      }
      return this.locked(join(dir, '.lock'), async () => {
        const now = this.now();
        let cache = await this.refresh(log);
        if (!cache) {
          await this.replace(join(dir, 'entries.jsonl'), `${JSON.stringify({ base: 0 })}\n`);
          cache = (await this.refresh(log))!;
        }
        // A line a process began and never finished (it died mid-write) is closed, and holds its place unread.
        const torn = statSync(join(dir, 'entries.jsonl')).size > cache.offset;
        const next = cache.base + cache.lines.length + (torn ? 1 : 0) + 1;
        const opts = batch.at(-1)!.opts;
        const keptBase = cache.base + dropped(cache, opts, now);
        const lines: LogLine[] = [];
        const added = new Map<string, number>();
        const kept = cache.keys;
        const results = batch.map(({ entry, opts: { dedupeKey: k } }) => {
          // A key seen in what the log keeps, or earlier in this batch, is a duplicate.
          const seen = k === undefined ? undefined : (added.get(k) ?? kept.get(k));
          if (seen !== undefined && (added.has(k!) || seen > keptBase)) return { seq: seen, duplicate: true };
          const line: LogLine = { seq: next + lines.length, time: now, ...(k !== undefined ? { k } : {}), entry };
          lines.push(line);
          if (k !== undefined) added.set(k, line.seq);
          return { seq: line.seq, duplicate: false };
        });
        if (lines.length || torn) {
          const text = `${torn ? '\n' : ''}${lines.map((l) => `${JSON.stringify(l)}\n`).join('')}`;
          await appendFile(join(dir, 'entries.jsonl'), text);
          // Read back rather than pushed: a read in this process may already have taken in what was written.
          cache = (await this.refresh(log))!;
        }
        // Compaction rewrites the file; it runs once a quarter of the bound (or 64 lines) is dead, not per append.
        if (dropped(cache, opts, now) >= Math.max(64, opts.maxEntries / 4)) await this.compact(log, dir, opts, now);
        return results;
      });
    });
  }

  /** Rewrites a log with only what it retains. Runs under the log's lock. */
  private async compact(log: string, dir: string, opts: AppendOptions, now: number): Promise<void> {
    const cache = this.caches.get(log)!;
    const { base, lines } = retained(cache, opts, now);
    await this.replace(join(dir, 'entries.jsonl'), [JSON.stringify({ base }), ...lines.map((l) => JSON.stringify(l))].join('\n') + '\n');
    this.caches.delete(log);
  }

  /** Brings this process's view of a log up to date, parsing only complete lines appended since the last look. */
  private async refresh(log: string): Promise<LogCache | undefined> {
    const file = join(this.location, 'logs', fileOf(log), 'entries.jsonl');
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const { ino, size } = fstatSync(fd);
      let cache = this.caches.get(log);
      if (!cache || cache.ino !== ino || size < cache.offset) cache = { ino, offset: 0, base: 0, lines: [], keys: new Map() };
      if (size > cache.offset) {
        const buf = Buffer.alloc(size - cache.offset);
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, cache.offset + got);
          if (n === 0) break;
          got += n;
        }
        const end = buf.lastIndexOf(0x0a, got - 1);
        if (end >= 0) {
          for (const text of buf.subarray(0, end).toString('utf8').split('\n')) {
            if (!text) continue;
            const parsed = parseLine(text);
            if (parsed && 'base' in parsed) cache.base = parsed.base;
            else if (parsed) {
              cache.lines.push(parsed);
              if (parsed.k !== undefined) cache.keys.set(parsed.k, parsed.seq);
            } else cache.lines.push(unreadable(cache));
          }
          cache.offset += end + 1;
        }
      }
      this.caches.set(log, cache);
      return cache;
    } finally {
      closeSync(fd);
    }
  }

  // --- files ---

  private async createExclusive(file: string, content: string): Promise<boolean> {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  private async expired(file: string): Promise<boolean> {
    const text = await readFile(file, 'utf8').catch(missing);
    // A record being written this instant reads empty: it is live.
    if (text === undefined) return true;
    const expiresAt = Number(text);
    return text !== '' && Number.isFinite(expiresAt) && expiresAt <= this.now();
  }

  /** Deletes expired claim records, which their owners refuse by their own expiry anyway. */
  private async sweep(dir: string): Promise<void> {
    for (const name of await readdir(dir)) {
      if (name.startsWith('.')) continue;
      const file = join(dir, name);
      if (await this.expired(file)) await unlink(file).catch(() => undefined);
    }
  }

  private async replace(file: string, content: string): Promise<void> {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, file);
  }

  /**
   * Runs `fn` holding a lock file. The lock appears whole or not at all (a complete file is linked into place) and
   * holds the time its holder took it, by the clock every process on the host reads; a lock older than
   * STALE_LOCK_MS belongs to a process that died holding it, and is broken. (A file's mtime is the kernel's time,
   * which a process's clock need not match: compared with it, every lock could look stale.)
   */
  private async locked<T>(lock: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      const tmp = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, String(Date.now()), { mode: 0o600 });
        await link(tmp, lock);
        break;
      } catch (err) {
        // Its directory went away (the store was cleared while this process ran): make it again.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          await mkdir(dirname(lock), { recursive: true });
          continue;
        }
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const since = await readFile(lock, 'utf8').then(Number, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? Number.NaN : 0));
        // A lock that cannot be read as a time (an earlier version's lock directory) counts as stale too.
        if (Date.now() - since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
        else if (Date.now() > deadline) throw new StoreUnavailableError(`the store's lock ${lock} stayed held for ${LOCK_WAIT_MS} ms`);
        await new Promise((r) => setTimeout(r, wait));
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  /** File-system failures become StoreUnavailableError, which callers turn into a clear refusal. */
  private async io<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`the state store at ${this.location} failed: ${(err as Error).message}`);
    }
  }
}

/**
 * Creates a directory and its missing parents one level at a time: a recursive mkdir spins forever on some paths
 * (under /proc, on Node 20 and 22) instead of failing.
 */
async function makeDirectory(dir: string): Promise<void> {
  const attempt = async (path: string): Promise<void> => {
    try {
      await mkdir(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        if (!statSync(path).isDirectory()) throw new StoreUnavailableError(`${path} is a file, not a directory`);
        return;
      }
      const parent = dirname(path);
      if (code !== 'ENOENT' || parent === path) throw new StoreUnavailableError(`cannot create the directory ${dir} (${code ?? (err as Error).message})`);
      await attempt(parent);
      await mkdir(path).catch((again: NodeJS.ErrnoException) => {
        if (again.code !== 'EEXIST') throw new StoreUnavailableError(`cannot create the directory ${dir} (${again.code ?? again.message})`);
      });
    }
  };
  await attempt(dir);
}

const missing = (err: NodeJS.ErrnoException): undefined => {
  if (err.code === 'ENOENT') return undefined;
  throw err;
};

/** The part of a log its bounds keep: the newest maxEntries, none older than maxAgeMs. */
function retained(cache: LogCache, opts: AppendOptions, now: number): { base: number; lines: LogLine[] } {
  const drop = dropped(cache, opts, now);
  return { base: cache.base + drop, lines: cache.lines.slice(drop) };
}

/** How many of the oldest lines the bounds drop (without copying what they keep). */
function dropped(cache: LogCache, opts: AppendOptions, now: number): number {
  let drop = Math.max(0, cache.lines.length - opts.maxEntries);
  while (drop < cache.lines.length && cache.lines[drop]!.time <= now - opts.maxAgeMs) drop++;
  return drop;
}
