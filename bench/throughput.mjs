// Throughput over Streamable HTTP: SESSIONS concurrent clients calling a read tool for SECONDS, against trtc-mcp
// (with the sandbox in its own process) and, in the same run, against a bare echo server built with the same SDK
// line and transport: the stack's own ceiling. Once per protocol era: legacy clients (v1, one session each) against
// the v1 stack, and 2026-07-28 clients (v2, pinned; every call a stateless request) against the v2 stack.
import { CLI, drive, ERAS, fmt, root, standaloneSandbox, start } from './lib.mjs';

const SESSIONS = Number(process.env.SESSIONS ?? 32);
const SECONDS = Number(process.env.SECONDS ?? 20);
const load = { sessions: SESSIONS, seconds: SECONDS };

// trtc-mcp, with the sandbox standalone so that neither shares an event loop with the load generator.
const { sandbox, env } = await standaloneSandbox({ TRTC_MCP_MAX_SESSIONS: '1000' });
const now = Math.floor(Date.now() / 1000);
console.log(`throughput over Streamable HTTP, ${SESSIONS} concurrent clients x ${SECONDS} s`);
const verdicts = [];
for (const era of ERAS) {
  // The ceiling first.
  const echo = await start([`${root}bench/echo-server.mjs`, era]);
  const ceiling = await drive(era, [echo.url], 'echo', { text: 'hello' }, load);
  echo.child.kill();
  const server = await start([CLI, '--transport', 'http', '--port', '0', '--toolsets', 'quality'], env);
  server.child.stderr.resume();
  const ours = await drive(era, [server.url], 'DescribeRoomInfo', { StartTime: now - 3600, EndTime: now }, load);
  server.child.kill();

  console.log(`  ${era}:`);
  for (const [name, r] of [['echo ceiling', ceiling], ['trtc-mcp DescribeRoomInfo', ours]]) {
    console.log(`    ${name.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} calls/s  p50 ${fmt(r.p50).padStart(9)}  p99 ${fmt(r.p99).padStart(9)}  errors ${r.errors}`);
  }
  const ratio = ours.rps / ceiling.rps;
  console.log(`    ratio: ${ratio.toFixed(2)}x of the ceiling`);
  verdicts.push(`${era}: >= 0.7x ${ratio >= 0.7 ? 'met' : 'MISSED'} (${ratio.toFixed(2)}x), zero errors ${ours.errors === 0 ? 'met' : 'MISSED'}`);
}
sandbox.child.kill();
console.log(`  targets: ${verdicts.join('; ')}`);
