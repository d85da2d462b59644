// Appends to a full event log, per store: every append trims the oldest entry and drops its dedupe key, as the
// callback receiver's appends do once a log holds --events-max events. The entries are callback-sized (about 300
// bytes of JSON). The memory store is the reference; the Redis figure is one connection, appends in turn. CPU per
// append says more than appends per second on a busy machine; for Redis, the script's own CPU is read from Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTs } from './lib.mjs';

const BOUND = 1_000;
const APPENDS = Number(process.env.APPENDS ?? 5_000);
const entry = (i) => ({ app: 1400000001, body: { EventGroupId: 1, EventType: 103, EventInfo: { RoomId: 1234, UserId: `user-${i}`, EventMsTs: 1_800_000_000_000 + i, Role: 20, Reason: 1, TerminalType: 3, UserType: 3, Text: 'a sentence of about the usual length, said by a user' } } });

const { MemoryStore } = await loadTs('src/store/memory.ts');
const { FileStore } = await loadTs('src/store/file.ts');
const { RedisStore } = await loadTs('src/store/redis.ts');
const { silentLogger } = await loadTs('src/log.ts');
const { startRedis } = await loadTs('test/redis.ts');

/** CPU time Redis spent in scripts so far, in us (INFO commandstats); wall time on a busy machine says less. */
async function redisScriptUs(store) {
  const info = await store.client.sendCommand(['INFO', 'commandstats']);
  return Number(/cmdstat_eval:calls=\d+,usec=(\d+)/.exec(info)?.[1] ?? 0);
}

async function measure(label, store) {
  const opts = { maxEntries: BOUND, maxAgeMs: 86_400_000 };
  for (let i = 0; i < BOUND; i++) await store.append('bench', entry(i), { ...opts, dedupeKey: `k${i}` });
  const scripts = label === 'redis' ? await redisScriptUs(store) : 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = BOUND; i < BOUND + APPENDS; i++) await store.append('bench', entry(i), { ...opts, dedupeKey: `k${i}` });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const scriptUs = label === 'redis' ? ((await redisScriptUs(store)) - scripts) / APPENDS : undefined;
  await store.close();
  return { label, perSecond: APPENDS / (ms / 1000), cpuUs: (used.user + used.system) / APPENDS, scriptUs };
}

const dir = mkdtempSync(join(tmpdir(), 'trtc-bench-store-'));
const redis = await startRedis();
const results = [
  await measure('memory', new MemoryStore()),
  await measure('file', new FileStore(dir)),
  await measure('redis', await new RedisStore(redis.url, silentLogger).opened()),
];
await redis.stop();
rmSync(dir, { recursive: true, force: true });
const reference = results[0];
console.log(`event log appends at the bound (${BOUND} kept, ${APPENDS} appends, one at a time):`);
for (const r of results) {
  const script = r.scriptUs === undefined ? '' : `, and ${r.scriptUs.toFixed(1)} us of Redis CPU in the append script`;
  console.log(`  ${r.label.padEnd(7)} ${Math.round(r.perSecond).toString().padStart(7)} appends/s (${(r.perSecond / reference.perSecond).toFixed(3)}x memory); ${Math.round(r.cpuUs)} us of this process's CPU per append${script}`);
}
