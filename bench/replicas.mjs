// Throughput of a replica set: 1, 2 and 3 replicas sharing one Redis, in front of one sandbox (its own process),
// with SESSIONS concurrent 2026-07-28 clients sending each request to the next replica in turn (what a round-robin
// load balancer does, without a balancer's own cost in the figures). Every call takes its rate-window slot in Redis.
// One replica with the embedded file store (rate windows in the process) is the reference. Where the time goes is shown as CPU per process
// group: this machine has as many cores as `nproc` says, shared by all of them.
import { availableParallelism } from 'node:os';
import { CLI, cpuMs, drive, fmt, loadTs, standaloneSandbox, start } from './lib.mjs';

const SESSIONS = Number(process.env.SESSIONS ?? 32);
const SECONDS = Number(process.env.SECONDS ?? 15);
const load = { sessions: SESSIONS, seconds: SECONDS };

const { startRedis } = await loadTs('test/redis.ts');
const redis = await startRedis();
const { sandbox, env } = await standaloneSandbox({ TRTC_MCP_CONFIRM_SECRET: 'bench-confirm-secret-0001' });
const now = Math.floor(Date.now() / 1000);

async function measure(label, replicas, store) {
  const servers = await Promise.all(
    Array.from({ length: replicas }, (_, i) => start([CLI, '--transport', 'http', '--port', '0', '--toolsets', 'quality', '--store', store, '--replica-id', `r${i + 1}`], env)),
  );
  for (const s of servers) s.child.stderr.resume();
  // One call each first, so that what is timed is not the catalog loading.
  await drive('2026-07-28', servers.map((s) => s.url), 'DescribeRoomInfo', { StartTime: now - 3600, EndTime: now }, { sessions: replicas, seconds: 0.2 });
  const groups = { replicas: servers.map((s) => s.child.pid), sandbox: [sandbox.child.pid], redis: store.startsWith('redis') ? [redis.pid()] : [] };
  const before = Object.fromEntries(Object.entries(groups).map(([g, pids]) => [g, pids.reduce((t, p) => t + cpuMs(p), 0)]));
  const selfBefore = process.cpuUsage();
  const r = await drive('2026-07-28', servers.map((s) => s.url), 'DescribeRoomInfo', { StartTime: now - 3600, EndTime: now }, load);
  const self = process.cpuUsage(selfBefore);
  const cpu = Object.fromEntries(Object.entries(groups).map(([g, pids]) => [g, (pids.reduce((t, p) => t + cpuMs(p), 0) - before[g]) / (SECONDS * 10)]));
  cpu.clients = (self.user + self.system) / 1000 / (SECONDS * 10);
  for (const s of servers) s.child.kill();
  const shares = Object.entries(cpu).filter(([, v]) => v > 0).map(([g, v]) => `${g} ${v.toFixed(0)}%`).join(', ');
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  console.log(`  ${label.padEnd(24)} ${r.rps.toFixed(0).padStart(6)} calls/s  p50 ${fmt(r.p50).padStart(9)}  p99 ${fmt(r.p99).padStart(9)}  errors ${r.errors}  CPU ${total.toFixed(0)}% of ${availableParallelism() * 100}%: ${shares}`);
  return r;
}

console.log(`replicas: ${SESSIONS} concurrent 2026-07-28 clients x ${SECONDS} s calling DescribeRoomInfo, round-robin over the replicas; ${availableParallelism()} cores`);
const results = [];
for (const n of [1, 2, 3]) results.push(await measure(`${n} replica${n > 1 ? 's' : ''}, Redis`, n, redis.url));
// Last, so that it meets a sandbox as warmed up as the others did.
const reference = await measure('1 replica, file store', 1, `${process.env.TMPDIR ?? '/tmp'}/trtc-mcp-bench-store-${process.pid}`);
sandbox.child.kill();
await redis.stop();
const [one] = results;
console.log(`  scaling: ${results.map((r, i) => `${i + 1} -> ${(r.rps / one.rps).toFixed(2)}x`).join(', ')} of one replica; one replica with Redis makes ${(one.rps / reference.rps).toFixed(2)}x the calls of one with the file store`);
