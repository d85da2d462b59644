// Cold start: from spawning the server to the answer of tools/list over stdio, median of RUNS runs, against
// @modelcontextprotocol/server-everything spawned the same way in the same run (runs interleaved).
import { benchSandbox, CLI, connectStdio, EVERYTHING, fmt, median, ratio } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
const { sb, env } = await benchSandbox();

const subjects = {
  'server-everything': [EVERYTHING, ['stdio'], { PATH: process.env.PATH ?? '' }],
  'trtc-mcp default': [CLI, [], env],
  'trtc-mcp all tools': [CLI, ['--toolsets', 'all'], env],
};
const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));

async function once([script, args, e]) {
  const started = performance.now();
  const { client, close } = await connectStdio(process.execPath, [script, ...args], e);
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
    if (i > 0) times[name].push(ms); // the first round warms the disk cache
  }
}
await sb.close();

const ref = median(times['server-everything']);
console.log(`cold start (spawn -> tools/list answered), median of ${RUNS} runs`);
for (const [name, xs] of Object.entries(times)) {
  console.log(`  ${name.padEnd(20)} ${fmt(median(xs)).padStart(9)}  ${String(counts[name]).padStart(3)} tools  ${ratio(median(xs), ref)} of server-everything`);
}
const def = median(times['trtc-mcp default']) / ref;
const all = median(times['trtc-mcp all tools']) / ref;
console.log(`  targets: default <= 0.6x: ${def <= 0.6 ? 'met' : 'MISSED'} (${def.toFixed(2)}x); all tools <= 1.0x: ${all <= 1 ? 'met' : 'MISSED'} (${all.toFixed(2)}x)`);
