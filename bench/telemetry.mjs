// What OpenTelemetry export costs, and that it costs nothing when off: cold start (spawn -> tools/list answered, both
// eras) and per-call latency (DescribeRoomInfo over stdio, both eras) of trtc-mcp with telemetry off and on, against
// the same references in the same run (server-everything for cold start, the minimal SDK wrapper for calls), runs
// interleaved. "On" exports traces and metrics as an operator would (OTLP/HTTP protobuf, the SDK's default batching
// and intervals) to a collector stand-in in a process of its own that answers every export. BASELINE=<path to another
// build's dist/cli.js> adds that build as a subject too (a build from before telemetry, to see that "off" did not move).
import { fileURLToPath } from 'node:url';
import { benchSandbox, CLI, connectEra, cpuMs, ERAS, EVERYTHING, fmt, median, quantile, ratio, REVISION, start, timed, toolCaller } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const N = Number(process.env.CALLS ?? 1000);
const BLOCK = 100;
const WRAPPER = fileURLToPath(new URL('./sdk-wrapper.mjs', import.meta.url));

// The collector stand-in: reads each export and answers 200 with an empty (valid) protobuf response.
const sink = await start([
  '-e',
  "const s=require('node:http').createServer((q,r)=>{q.resume();q.on('end',()=>r.writeHead(200,{'content-type':'application/x-protobuf'}).end())});s.listen(0,'127.0.0.1',()=>console.log('http://127.0.0.1:'+s.address().port))",
]);
const { sb, env } = await benchSandbox();
const on = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url };
const PATH = { PATH: process.env.PATH ?? '' };
const BASELINE = process.env.BASELINE;

// --- Cold start ---
const subjects = {
  'server-everything': ['legacy', EVERYTHING, ['stdio'], PATH],
  ...(BASELINE && { 'baseline build': ['legacy', BASELINE, [], env], [`baseline build, ${REVISION}`]: [REVISION, BASELINE, [], env] }),
  'trtc-mcp, telemetry off': ['legacy', CLI, [], env],
  'trtc-mcp, telemetry on': ['legacy', CLI, [], on],
  [`trtc-mcp, telemetry off, ${REVISION}`]: [REVISION, CLI, [], env],
  [`trtc-mcp, telemetry on, ${REVISION}`]: [REVISION, CLI, [], on],
};
const starts = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let i = 0; i < RUNS + 1; i++) {
  for (const [name, [era, script, args, e]] of Object.entries(subjects)) {
    const t = performance.now();
    const { client, close } = await connectEra(era, process.execPath, [script, ...args], e);
    await client.listTools();
    const ms = performance.now() - t;
    await close();
    if (i > 0) starts[name].push(ms); // the first round warms the disk cache (and learns the DiscoverResult)
  }
}
const ref = median(starts['server-everything']);
console.log(`cold start (spawn -> tools/list answered), median of ${RUNS} runs`);
for (const [name, xs] of Object.entries(starts)) console.log(`  ${name.padEnd(40)} ${fmt(median(xs)).padStart(9)}  ${ratio(median(xs), ref)} of server-everything`);

// --- Per call ---
const now = Math.floor(Date.now() / 1000);
const args = { SdkAppId: Number(env.TRTC_SDK_APP_ID), StartTime: now - 3600, EndTime: now };
const caller = (c) => toolCaller(c, 'DescribeRoomInfo', args);
console.log(`per-call latency, DescribeRoomInfo x ${N} each against the sandbox, over stdio`);
for (const era of ERAS) {
  const clients = {
    'minimal SDK wrapper': await connectEra(era, process.execPath, [WRAPPER, era], env),
    ...(BASELINE && { 'baseline build': await connectEra(era, process.execPath, [BASELINE, '--toolsets', 'quality'], env) }),
    'trtc-mcp, telemetry off': await connectEra(era, process.execPath, [CLI, '--toolsets', 'quality'], env),
    'trtc-mcp, telemetry on': await connectEra(era, process.execPath, [CLI, '--toolsets', 'quality'], on),
  };
  const lat = Object.fromEntries(Object.keys(clients).map((k) => [k, []]));
  // The server's own CPU time over the timed calls: unlike latency, barely moved by other jobs on the machine.
  const cpu = Object.fromEntries(Object.keys(clients).map((k) => [k, 0]));
  for (const c of Object.values(clients)) await timed(caller(c), 50);
  for (let done = 0; done < N; done += BLOCK) {
    for (const [name, c] of Object.entries(clients)) {
      const before = cpuMs(c.pid);
      await timed(caller(c), BLOCK, lat[name]);
      cpu[name] += cpuMs(c.pid) - before;
    }
  }
  await Promise.all(Object.values(clients).map((c) => c.close()));
  const wrapper = median(lat['minimal SDK wrapper']);
  console.log(`  ${era}:`);
  for (const [name, xs] of Object.entries(lat)) {
    console.log(`    ${name.padEnd(26)} median ${fmt(median(xs)).padStart(9)}  p99 ${fmt(quantile(xs, 0.99)).padStart(9)}  ${ratio(median(xs), wrapper)} of the wrapper  server CPU ${fmt(cpu[name] / N)} per call`);
  }
  const [off, onMs] = [median(lat['trtc-mcp, telemetry off']), median(lat['trtc-mcp, telemetry on'])];
  const cpuOff = cpu['trtc-mcp, telemetry off'] / N;
  const cpuOn = cpu['trtc-mcp, telemetry on'] / N;
  console.log(`    telemetry on costs ${fmt(onMs - off)} per call (median latency), ${fmt(cpuOn - cpuOff)} of server CPU per call`);
}
await sb.close();
sink.child.kill();
