// Memory: resident set size of the server idle with every tool listed, then over CALLS calls of a read tool
// (sampled every hundred calls), against the sandbox over stdio, in each protocol era.
import { readFileSync } from 'node:fs';
import { benchSandbox, CLI, connectEra, ERAS, median } from './lib.mjs';

const CALLS = Number(process.env.CALLS ?? 50_000);
const IN_FLIGHT = 4;
const WINDOW = 5000;
const mib = (kb) => (kb / 1024).toFixed(1);
const status = (pid) => Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').map((l) => l.split(/:\s+/)).filter((p) => p.length === 2).map(([k, v]) => [k, parseInt(v, 10)]));

const { sb, env, app } = await benchSandbox();
const now = Math.floor(Date.now() / 1000);
const args = { SdkAppId: app.sdkAppId, StartTime: now - 3600, EndTime: now };
const verdicts = [];
console.log(`memory, all tools listed, over stdio, ${CALLS} calls per era`);

for (const era of ERAS) {
  const ours = await connectEra(era, process.execPath, [CLI, '--toolsets', 'all'], env);
  await ours.client.listTools();
  await new Promise((r) => setTimeout(r, 1000));
  const idle = status(ours.pid);

  const samples = [];
  let done = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (done < CALLS) {
        const n = ++done;
        const r = await ours.client.callTool({ name: 'DescribeRoomInfo', arguments: args });
        if (r.isError) errors++;
        if (n % 100 === 0) samples.push({ calls: n, rss: status(ours.pid).VmRSS });
      }
    }),
  );
  const peak = status(ours.pid).VmHWM;
  await ours.close();

  console.log(`  ${era}:`);
  console.log(`    idle: RSS ${mib(idle.VmRSS)} MiB, peak so far ${mib(idle.VmHWM)} MiB`);
  samples.sort((a, b) => a.calls - b.calls);
  // RSS saws up and down by 10-20 MiB with V8's collection cycles, which span thousands of calls, so a window's
  // median depends on where in a cycle it falls. Growth is judged on each window's floor (its lowest reading, right
  // after a collection), which only rises when memory is retained; the medians are printed too. The first half of
  // the first window is left out: the heap is still growing to its working size there (warm-up, not growth).
  const firstWindow = samples.filter((x) => x.calls > WINDOW / 2 && x.calls <= WINDOW).map((x) => x.rss);
  const lastWindow = samples.filter((x) => x.calls > CALLS - WINDOW / 2).map((x) => x.rss);
  const [first, last] = [Math.min(...firstWindow), Math.min(...lastWindow)];
  const growth = (last / first - 1) * 100;
  const tenth = CALLS / 10;
  const floors = Array.from({ length: 10 }, (_, i) => Math.min(...samples.filter((x) => x.calls > i * tenth && x.calls <= (i + 1) * tenth).map((x) => x.rss)));
  console.log(`    over ${CALLS} calls (${errors} errors), floor per ${tenth} calls: ${floors.map(mib).join(', ')} MiB; peak ${mib(peak)} MiB`);
  console.log(`    calls ${WINDOW / 2 + 1}-${WINDOW}: floor ${mib(first)}, median ${mib(median(firstWindow))} MiB; last ${WINDOW / 2}: floor ${mib(last)}, median ${mib(median(lastWindow))} MiB`);
  console.log(`    growth of the floor: ${growth.toFixed(1)}%; from the second tenth of the run to the last (after warm-up): ${((floors[9] / floors[1] - 1) * 100).toFixed(1)}%`);
  verdicts.push(`${era}: idle <= 80 MiB ${idle.VmHWM / 1024 <= 80 ? 'met' : 'MISSED'} (${mib(idle.VmHWM)}), growth <= 10% ${growth <= 10 ? 'met' : 'MISSED'} (${growth.toFixed(1)}%)`);
}
await sb.close();
console.log(`  targets: ${verdicts.join('; ')}`);
