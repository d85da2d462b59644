// Throughput over Streamable HTTP: SESSIONS concurrent clients calling a read tool for SECONDS, against trtc-mcp
// (with the sandbox in its own process) and, in the same run, against a bare echo server built with the same SDK
// line and transport: the stack's own ceiling. Once per protocol era: legacy clients (v1, one session each) against
// the v1 stack, and 2026-07-28 clients (v2, pinned; every call a stateless request) against the v2 stack.
import { spawn } from 'node:child_process';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, ERAS, fmt, median, quantile, REVISION, root } from './lib.mjs';

const SESSIONS = Number(process.env.SESSIONS ?? 32);
const SECONDS = Number(process.env.SECONDS ?? 20);

/** Spawns a process and resolves with the first URL it prints (stdout or stderr). */
function start(args, env = { PATH: process.env.PATH ?? '' }) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const look = (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function drive(era, url, tool, args) {
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      if (era === 'legacy') {
        const c = new Client({ name: 'bench-throughput', version: '1' });
        await c.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
        return c;
      }
      const c = new ModernClient({ name: 'bench-throughput', version: '1' }, { versionNegotiation: { mode: { pin: REVISION } } });
      await c.connect(new ModernTransport(new URL(`${url}/mcp`)));
      return c;
    }),
  );
  const lat = [];
  let errors = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          const r = await c.callTool({ name: tool, arguments: args });
          if (r.isError) errors++;
        } catch {
          errors++;
        }
        lat.push(performance.now() - t);
      }
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  return { calls: lat.length, rps: lat.length / SECONDS, p50: median(lat), p99: quantile(lat, 0.99), errors };
}

// trtc-mcp, with the sandbox standalone so that neither shares an event loop with the load generator.
const id = 'bench-id';
const key = 'bench-secret-key-0001';
const sandbox = await start([CLI, 'sandbox', '--port', '0', '--secret-id', id, '--secret-key', key, '--rate-limit-scale', '100000', '--log-level', 'error']);
const env = {
  PATH: process.env.PATH ?? '', TENCENTCLOUD_SECRET_ID: id, TENCENTCLOUD_SECRET_KEY: key, TRTC_ENDPOINT: `${sandbox.url}/`,
  TRTC_SDK_APP_ID: '1400000001', TRTC_MCP_RATE_LIMIT_SCALE: '100000', TRTC_MCP_MAX_SESSIONS: '1000',
};
const now = Math.floor(Date.now() / 1000);
console.log(`throughput over Streamable HTTP, ${SESSIONS} concurrent clients x ${SECONDS} s`);
const verdicts = [];
for (const era of ERAS) {
  // The ceiling first.
  const echo = await start([`${root}bench/echo-server.mjs`, era]);
  const ceiling = await drive(era, echo.url, 'echo', { text: 'hello' });
  echo.child.kill();
  const server = await start([CLI, '--transport', 'http', '--port', '0', '--toolsets', 'quality'], env);
  server.child.stderr.resume();
  const ours = await drive(era, server.url, 'DescribeRoomInfo', { StartTime: now - 3600, EndTime: now });
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
