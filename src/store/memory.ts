// A store in this process's memory: for unit tests, `--store memory`, and the sandbox when no store is set (its world
// lives and dies with the process, and so do the tokens and events about it). It is never a fallback for a server on
// Tencent Cloud, because state that other processes cannot see reopens replay across them.
import { SlidingWindows, type Slot } from '../rate-limit.js';
import type { AppendOptions, LogEntry, LogPage, ReadOptions, Revised, Store } from './store.js';

interface Log {
  seq: number;
  entries: LogEntry[];
  seen: Map<string, number>;
}

export class MemoryStore implements Store {
  readonly shared = false;
  private readonly windows = new SlidingWindows();
  readonly kind = 'memory';
  readonly location = 'memory';
  private readonly values = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly logs = new Map<string, Log>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(ns: string, key: string, expiresAt: number): Promise<boolean> {
    const k = `${ns}\0${key}`;
    const held = this.values.get(k);
    if (held && held.expiresAt > this.now()) return false;
    this.values.set(k, { value: true, expiresAt });
    return true;
  }

  async put(ns: string, key: string, value: unknown, expiresAt: number): Promise<void> {
    this.values.set(`${ns}\0${key}`, { value: structuredClone(value), expiresAt });
  }

  async get<T>(ns: string, key: string): Promise<T | undefined> {
    const held = this.values.get(`${ns}\0${key}`);
    if (!held || held.expiresAt <= this.now()) return undefined;
    return structuredClone(held.value) as T;
  }

  async getRevised<T>(ns: string, key: string): Promise<Revised<T> | undefined> {
    return this.revised<T>(ns, key);
  }

  /** Checked and written without yielding, so that two writers of one revision cannot both win. */
  async putRevised(ns: string, key: string, rev: number, value: unknown, expiresAt: number): Promise<boolean> {
    if ((this.revised(ns, key)?.rev ?? 0) !== rev) return false;
    this.values.set(`rev\0${ns}\0${key}`, { value: { value: structuredClone(value), rev: rev + 1 }, expiresAt });
    return true;
  }

  private revised<T>(ns: string, key: string): Revised<T> | undefined {
    const held = this.values.get(`rev\0${ns}\0${key}`);
    if (!held || held.expiresAt <= this.now()) return undefined;
    return structuredClone(held.value) as Revised<T>;
  }

  async append(name: string, entry: unknown, opts: AppendOptions): Promise<{ seq: number; duplicate: boolean }> {
    let log = this.logs.get(name);
    if (!log) this.logs.set(name, (log = { seq: 0, entries: [], seen: new Map() }));
    const now = this.now();
    trim(log, opts, now);
    if (opts.dedupeKey !== undefined) {
      const seq = log.seen.get(opts.dedupeKey);
      if (seq !== undefined) return { seq, duplicate: true };
    }
    const seq = ++log.seq;
    log.entries.push({ seq, time: now, entry: structuredClone(entry) });
    if (opts.dedupeKey !== undefined) log.seen.set(opts.dedupeKey, seq);
    trim(log, opts, now);
    return { seq, duplicate: false };
  }

  async read<T>(name: string, opts: ReadOptions): Promise<LogPage<T>> {
    const log = this.logs.get(name);
    if (!log) return { entries: [], last: 0, first: 1 };
    const after = opts.after ?? 0;
    const entries = log.entries.filter((e) => e.seq > after).slice(0, opts.limit);
    return { entries: structuredClone(entries) as LogEntry<T>[], last: log.seq, first: log.entries[0]?.seq ?? log.seq + 1 };
  }

  /** Per process: several processes on one host each keep their own windows. */
  async reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Slot> {
    return this.windows.reserve(key, limit, windowMs, maxWaitMs);
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Drops entries past the age or count bound, and forgets their dedupe keys with them. */
function trim(log: Log, opts: AppendOptions, now: number): void {
  let drop = 0;
  while (drop < log.entries.length && (log.entries.length - drop > opts.maxEntries || log.entries[drop]!.time <= now - opts.maxAgeMs)) drop++;
  if (!drop) return;
  const gone = new Set(log.entries.splice(0, drop).map((e) => e.seq));
  for (const [k, seq] of log.seen) if (gone.has(seq)) log.seen.delete(k);
}
