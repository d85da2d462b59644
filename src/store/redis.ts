// The shared store for replicas: Redis. Whatever must be atomic is one Redis step: single use is SET NX with an
// expiry, a log append (dedupe, sequence number, trimming) and a rate-window reservation are each one Lua script.
// Commands fail fast while Redis is away (no offline queue), so callers refuse clearly instead of hanging, and the
// client reconnects by itself.
import { createClient, ErrorReply } from '@redis/client';
import type { Logger } from '../log.js';
import { SlidingWindows, type Slot } from '../rate-limit.js';
import { StoreUnavailableError, type AppendOptions, type LogEntry, type LogPage, type ReadOptions, type Revised, type Store } from './store.js';

/** A command that has not answered by then counts as Redis being unreachable. */
const COMMAND_TIMEOUT_MS = 2_000;
const PREFIX = 'trtc-mcp:';

// Entries live in a sorted set scored by sequence number. Each member is a header the scripts read, then the entry's
// JSON, which no script ever decodes: what a caller stored (any text, a lone UTF-16 surrogate escape included) can
// never make an append fail. The header is "<seq> <time> <length of k> <k>", k being the dedupe key. A member the
// scripts cannot read (written by an earlier version) counts as expired. The counter is never expired: a cursor
// must never see numbers reused.
const APPEND = `
local now, maxN, maxAge, k = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local function header(m)
  local t, n, at = string.match(m, '^%d+ (%d+) (%d+) ()')
  if not t then return 0, nil end
  n = tonumber(n)
  if n == 0 then return tonumber(t), nil end
  return tonumber(t), string.sub(m, at, at + n - 1)
end
local dropped = {}
local n = redis.call('ZCARD', KEYS[2])
if n > maxN then
  dropped = redis.call('ZRANGE', KEYS[2], 0, n - maxN - 1)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - maxN - 1)
end
while true do
  local batch = redis.call('ZRANGE', KEYS[2], 0, 63)
  local cut = 0
  for i, m in ipairs(batch) do
    if header(m) <= now - maxAge then cut = i else break end
  end
  if cut == 0 then break end
  for i = 1, cut do dropped[#dropped + 1] = batch[i] end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, cut - 1)
  if cut < #batch then break end
end
for _, m in ipairs(dropped) do
  local _, key = header(m)
  if key then redis.call('HDEL', KEYS[3], key) end
end
if k ~= '' then
  local seen = redis.call('HGET', KEYS[3], k)
  -- A duplicate only of an entry still kept: a key whose entry went without its record is new again.
  if seen and #redis.call('ZRANGE', KEYS[2], seen, seen, 'BYSCORE') > 0 then return {tonumber(seen), 1} end
end
local seq = redis.call('INCR', KEYS[1])
if k ~= '' then redis.call('HSET', KEYS[3], k, seq) end
redis.call('ZADD', KEYS[2], seq, seq .. ' ' .. ARGV[1] .. ' ' .. #k .. ' ' .. k .. ARGV[5])
redis.call('PEXPIRE', KEYS[2], maxAge)
redis.call('PEXPIRE', KEYS[3], maxAge)
return {seq, 0}
`;

// A revised value is a hash of its revision and its JSON; it is replaced only while the revision is the one given.
const PUT_REVISED = `
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'rev', rev + 1, 'value', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

const READ = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local first = last + 1
if #oldest > 0 then first = tonumber(oldest[2]) end
return {last, first, redis.call('ZRANGE', KEYS[2], '(' .. ARGV[1], '+inf', 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[2]))}
`;

// SlidingWindows.reserve as one step, on Redis's own clock, so that every replica counts the same window whatever its
// own clock says. Slots are scored by when they may be used, now or later; the answer is relative, with Redis's now.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, window, maxWait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
local at = now
if n >= limit then
  local back = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  at = math.max(now, tonumber(back[2]) + window)
end
if at - now > maxWait then return {0, at - now, now} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('PEXPIRE', KEYS[1], at - now + window)
return {1, at - now, now}
`;

/** A log member as APPEND writes it (see there); undefined for one that cannot be read, which a read skips. */
export function parseMember<T>(m: string): LogEntry<T> | undefined {
  const h = /^(\d+) (\d+) (\d+) /.exec(m);
  try {
    if (h) {
      // The key's length is in bytes (Lua's), the string's in UTF-16 units: they differ only for a non-ASCII key.
      const rest = m.slice(h[0].length);
      const n = Number(h[3]);
      const body = Buffer.byteLength(rest.slice(0, n)) === n ? rest.slice(n) : Buffer.from(rest).subarray(n).toString('utf8');
      return { seq: Number(h[1]), time: Number(h[2]), entry: JSON.parse(body) as T };
    }
    // An earlier version's member: the whole line as JSON.
    const { seq, time, entry } = JSON.parse(m) as LogEntry<T>;
    return Number.isSafeInteger(seq) ? { seq, time, entry } : undefined;
  } catch {
    return undefined;
  }
}

/** The URL without its credentials, for logs and /healthz. */
export function maskRedisUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/**
 * How far Redis's clock is ahead of this process's, estimated from the reply that came back fastest lately, as NTP
 * does: off by at most half that round trip, and by the same amount for every slot. Reading a slot's time as "when
 * we asked" is off instead by however long each request took to reach Redis, which varies with load: two replicas'
 * slots a window apart on Redis's clock could then be stamped within one second, and Tencent counts by the stamp.
 */
export class ClockOffset {
  private best?: { offset: number; rtt: number; at: number };

  /** Takes one exchange (sent at `asked`, answered at `answered`, Redis's time `remote`); answers the estimate. */
  sample(asked: number, answered: number, remote: number): number {
    const rtt = answered - asked;
    const offset = remote - (asked + answered) / 2;
    // A fast reply improves the estimate; after half a minute any reply replaces it, to follow the clocks' drift.
    if (!this.best || rtt <= this.best.rtt || answered - this.best.at > 30_000) this.best = { offset, rtt, at: answered };
    return this.best.offset;
  }
}

export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly shared = true;
  readonly location: string;
  private readonly client;
  private slotSeq = 0;
  private readonly fallbackWindows = new SlidingWindows();
  private readonly redisAhead = new ClockOffset();
  private down = false;

  constructor(url: string, private readonly log: Logger, private readonly now: () => number = Date.now) {
    this.location = maskRedisUrl(url);
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000) },
    });
    // Without a listener an 'error' event would end the process; one warning per outage is enough.
    this.client.on('error', (err: Error) => {
      if (this.down) return;
      this.down = true;
      log.warn('state store unreachable; single-use checks and the ledger are refused until it is back', { store: this.location, error: err.message });
    });
    this.client.on('ready', () => {
      if (this.down) log.info('state store reachable again', { store: this.location });
      this.down = false;
    });
    this.connecting = this.client.connect().then(() => undefined, () => undefined);
  }

  private readonly connecting: Promise<void>;

  /** Waits a little for the first connection; a server still starts while Redis is away, and keeps trying. */
  async opened(waitMs = COMMAND_TIMEOUT_MS): Promise<this> {
    await Promise.race([this.connecting, new Promise((r) => setTimeout(r, waitMs).unref())]);
    return this;
  }

  async claim(ns: string, key: string, expiresAt: number): Promise<boolean> {
    return (await this.run(['SET', this.key('claim', ns, key), '1', 'NX', 'PX', this.ttl(expiresAt)])) === 'OK';
  }

  async put(ns: string, key: string, value: unknown, expiresAt: number): Promise<void> {
    await this.run(['SET', this.key('kv', ns, key), JSON.stringify(value), 'PX', this.ttl(expiresAt)]);
  }

  async get<T>(ns: string, key: string): Promise<T | undefined> {
    const text = await this.run(['GET', this.key('kv', ns, key)]);
    return typeof text === 'string' ? (JSON.parse(text) as T) : undefined;
  }

  async getRevised<T>(ns: string, key: string): Promise<Revised<T> | undefined> {
    const [rev, value] = (await this.run(['HMGET', this.key('rev', ns, key), 'rev', 'value'])) as [string | null, string | null];
    return rev === null || value === null ? undefined : { rev: Number(rev), value: JSON.parse(value) as T };
  }

  async putRevised(ns: string, key: string, rev: number, value: unknown, expiresAt: number): Promise<boolean> {
    return Number(await this.run(['EVAL', PUT_REVISED, '1', this.key('rev', ns, key), String(rev), JSON.stringify(value), this.ttl(expiresAt)])) === 1;
  }

  async append(log: string, entry: unknown, opts: AppendOptions): Promise<{ seq: number; duplicate: boolean }> {
    const keys = this.logKeys(log);
    const args = [String(this.now()), String(opts.maxEntries), String(opts.maxAgeMs), opts.dedupeKey ?? '', JSON.stringify(entry)];
    const [seq, duplicate] = (await this.run(['EVAL', APPEND, String(keys.length), ...keys, ...args])) as [number, number];
    return { seq: Number(seq), duplicate: Number(duplicate) === 1 };
  }

  async read<T>(log: string, opts: ReadOptions): Promise<LogPage<T>> {
    const keys = this.logKeys(log).slice(0, 2);
    const [last, first, items] = (await this.run(['EVAL', READ, '2', ...keys, String(opts.after ?? 0), String(opts.limit)])) as [number, number, string[]];
    const entries = items.flatMap((m) => {
      const e = parseMember<T>(m);
      return e ? [e] : [];
    });
    return { entries, last: Number(last), first: Number(first) };
  }

  /**
   * While Redis is away the windows fall back to this process's own: a rate window guards Tencent's quota, not
   * single use, and refusing every call instead would stop reads too.
   */
  async reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Slot> {
    // Members must be unique within the window: this process's counter plus a random tag across processes.
    const member = `${process.pid}:${++this.slotSeq}:${Math.random().toString(36).slice(2, 8)}`;
    const asked = Date.now();
    try {
      const [reserved, waitMs, redisNow] = (await this.run(['EVAL', RESERVE, '1', `${PREFIX}rate:{${key}}`, String(limit), String(windowMs), String(maxWaitMs), member])) as [number, number, number];
      const at = Number(redisNow) + Number(waitMs) - this.redisAhead.sample(asked, Date.now(), Number(redisNow));
      return { reserved: Number(reserved) === 1, waitMs: Number(waitMs), at };
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      return this.fallbackWindows.reserve(key, limit, windowMs, maxWaitMs);
    }
  }

  async ping(): Promise<void> {
    await this.run(['PING']);
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close().catch(() => undefined);
    else this.client.destroy();
  }

  /**
   * An expiry as Redis is told it: relative, since Redis counts by its own clock, which need not agree with this
   * process's (another host's clock, or a test's moved one).
   */
  private ttl(expiresAt: number): string {
    return String(Math.max(1, Math.ceil(expiresAt - this.now())));
  }

  private key(kind: string, ns: string, key: string): string {
    return `${PREFIX}${kind}:${ns}:${key}`;
  }

  /** One hash tag per log, so that its three keys stay in one slot of a Redis Cluster. */
  private logKeys(log: string): [string, string, string] {
    const base = `${PREFIX}log:{${log}}`;
    return [`${base}:seq`, `${base}:entries`, `${base}:dedupe`];
  }

  private async run(args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.client.sendCommand(args),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      // Redis answered, with an error: the store is reachable, and saying otherwise would send operators the wrong way.
      if (err instanceof ErrorReply) throw new StoreUnavailableError(`the state store ${this.location} refused a command (${err.message})`);
      throw new StoreUnavailableError(`the state store ${this.location} is unreachable (${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  }
}
