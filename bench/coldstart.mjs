// Cold start: from spawning the server to the answer of tools/list over stdio, median of RUNS runs, against
// @modelcontextprotocol/server-everything spawned the same way in the same run (runs interleaved), in both protocol
// eras: the legacy handshake (initialize, then tools/list) and 2026-07-28 (tools/list is the first message; the
// client knows the server's DiscoverResult from an earlier connection, as a host that caches it does).
// server-everything speaks only the legacy handshake, so it is the reference for both. BASELINE=<another build's
// dist/cli.js> adds that build's default list in both eras, to compare two builds in one run.
import { benchSandbox, CLI, connectEra, EVERYTHING, fmt, median, ratio, REVISION } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const { sb, env } = await benchSandbox();

const subjects = {
  'server-everything': ['legacy', EVERYTHING, ['stdio'], { PATH: process.env.PATH ?? '' }],
  'trtc-mcp default': ['legacy', CLI, [], env],
  'trtc-mcp all tools': ['legacy', CLI, ['--toolsets', 'all'], env],
  [`trtc-mcp default, ${REVISION}`]: [REVISION, CLI, [], env],
  [`trtc-mcp all tools, ${REVISION}`]: [REVISION, CLI, ['--toolsets', 'all'], env],
};
if (process.env.BASELINE) {
  subjects['baseline default'] = ['legacy', process.env.BASELINE, [], env];
  subjects[`baseline default, ${REVISION}`] = [REVISION, process.env.BASELINE, [], env];
}
const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));

async function once([era, script, args, e]) {
  const started = performance.now();
  const { client, close } = await connectEra(era, process.execPath, [script, ...args], e);
  const { tools } = await client.listTools();
  const ms = performance.now() - started;
  await close();
  return { ms, tools: tools.length };
}

const counts = {};
for (let i = 0; i < RUNS + 1; i++) {
  for (const [name, s] of Object.entries(subjects)) {
    const { ms, tools } = await once(s);
    counts[name] = tools;
    if (i > 0) times[name].push(ms); // the first round warms the disk cache (and learns the DiscoverResult)
  }
}
await sb.close();

const ref = median(times['server-everything']);
console.log(`cold start (spawn -> tools/list answered), median of ${RUNS} runs`);
for (const [name, xs] of Object.entries(times)) {
  console.log(`  ${name.padEnd(34)} ${fmt(median(xs)).padStart(9)}  ${String(counts[name]).padStart(3)} tools  ${ratio(median(xs), ref)} of server-everything`);
}
const verdicts = [
  ['default <= 0.5x', 'trtc-mcp default', 0.5],
  ['all tools <= 1.0x', 'trtc-mcp all tools', 1],
  [`default, ${REVISION} <= 0.5x`, `trtc-mcp default, ${REVISION}`, 0.5],
  [`all tools, ${REVISION} <= 1.0x`, `trtc-mcp all tools, ${REVISION}`, 1],
].map(([label, name, limit]) => {
  const r = median(times[name]) / ref;
  return `${label}: ${r <= limit ? 'met' : 'MISSED'} (${r.toFixed(2)}x)`;
});
console.log(`  targets: ${verdicts.join('; ')}`);
