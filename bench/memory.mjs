// Memory: resident set size of the server idle with every tool listed, then over CALLS calls of a read tool
// (sampled every tenth of the run), against the sandbox over stdio.
import { readFileSync } from 'node:fs';
import { benchSandbox, CLI, connectStdio } from './lib.mjs';

const CALLS = Number(process.env.CALLS ?? 50_000);
const IN_FLIGHT = 4;
const mib = (kb) => (kb / 1024).toFixed(1);
const status = (pid) => Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').map((l) => l.split(/:\s+/)).filter((p) => p.length === 2).map(([k, v]) => [k, parseInt(v, 10)]));

const { sb, env, app } = await benchSandbox();
const ours = await connectStdio(process.execPath, [CLI, '--toolsets', 'all'], env);
await ours.client.listTools();
await new Promise((r) => setTimeout(r, 1000));
const idle = status(ours.pid);

const now = Math.floor(Date.now() / 1000);
const args = { SdkAppId: app.sdkAppId, StartTime: now - 3600, EndTime: now };
const samples = [];
let done = 0;
let errors = 0;
const step = CALLS / 10;
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (done < CALLS) {
      const n = ++done;
      const r = await ours.client.callTool({ name: 'DescribeRoomInfo', arguments: args });
      if (r.isError) errors++;
      if (n % step === 0) samples.push({ calls: n, rss: status(ours.pid).VmRSS });
    }
  }),
);
const peak = status(ours.pid).VmHWM;
await ours.close();
await sb.close();

console.log('memory, all tools listed');
console.log(`  idle: RSS ${mib(idle.VmRSS)} MiB, peak so far ${mib(idle.VmHWM)} MiB`);
console.log(`  over ${CALLS} calls (${errors} errors): ${samples.map((s) => `${s.calls}: ${mib(s.rss)}`).join(', ')} MiB; peak ${mib(peak)} MiB`);
samples.sort((a, b) => a.calls - b.calls);
const first = samples[0].rss;
const last = samples.at(-1).rss;
const growth = (last / first - 1) * 100;
console.log(`  growth from ${step} to ${CALLS} calls: ${growth.toFixed(1)}%`);
console.log(`  targets: idle <= 80 MiB: ${idle.VmHWM / 1024 <= 80 ? 'met' : 'MISSED'} (${mib(idle.VmHWM)}); growth <= 10%: ${growth <= 10 ? 'met' : 'MISSED'}`);
