// Shared by the benchmarks: spawning servers, connecting real MCP clients of both protocol eras, driving load over
// HTTP, statistics, the sandbox.
import { spawn } from 'node:child_process';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI = `${root}dist/cli.js`;
export const EVERYTHING = `${root}node_modules/@modelcontextprotocol/server-everything/dist/index.js`;

/** Loads a TypeScript module of the project (bundled on the fly), e.g. the sandbox. */
export async function loadTs(entry) {
  const out = `${root}dist/.bench-${entry.replace(/\W/g, '_')}.mjs`;
  await build({ entryPoints: [`${root}${entry}`], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } });
  const mod = await import(pathToFileURL(out).href);
  await rm(out);
  return mod;
}

/** A sandbox in this process, with rate limits lifted so the figures measure the software, not the quota. */
export async function benchSandbox() {
  const { startSandbox } = await loadTs('src/sandbox/index.ts');
  const sb = await startSandbox({ rateLimitScale: 100_000 });
  const account = sb.accounts[0];
  const app = [...sb.world.apps.values()][0];
  const env = {
    PATH: process.env.PATH ?? '',
    TENCENTCLOUD_SECRET_ID: account.secretId,
    TENCENTCLOUD_SECRET_KEY: account.secretKey,
    TRTC_ENDPOINT: sb.url,
    TRTC_SDK_APP_ID: String(app.sdkAppId),
    TRTC_SDK_SECRET_KEY: app.sdkSecretKey,
    TRTC_MCP_RATE_LIMIT_SCALE: '100000',
    TRTC_MCP_LOG_LEVEL: 'error',
    TRTC_MCP_AUDIT_LOG: '/dev/null',
  };
  return { sb, env, account, app };
}

export async function connectStdio(command, args, env = { PATH: process.env.PATH ?? '' }) {
  const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
  const client = new Client({ name: 'trtc-mcp-bench', version: '1' });
  await client.connect(transport);
  return { client, pid: transport.pid, close: () => client.close() };
}

export const REVISION = '2026-07-28';
/** The eras a benchmark can run in: the legacy handshake (v1 client) and 2026-07-28 (v2 client, pinned). */
export const ERAS = ['legacy', REVISION];

/** A DiscoverResult from an earlier connection, per server: hosts cache it, so a connect sends no probe. */
const discovered = new Map();

/**
 * A v2 client pinned to 2026-07-28 over stdio. The first connection to a server learns its DiscoverResult (the
 * SDK probes on a short-lived sibling process); later ones adopt it, so that what is timed is one server process.
 */
export async function connectModernStdio(command, args, env = { PATH: process.env.PATH ?? '' }) {
  const key = [command, ...args].join(' ');
  const transport = new ModernStdioClientTransport({ command, args, env, stderr: 'ignore' });
  const client = new ModernClient({ name: 'trtc-mcp-bench', version: '1' }, { versionNegotiation: { mode: { pin: REVISION } } });
  const prior = discovered.get(key);
  await client.connect(transport, prior ? { prior: { kind: 'modern', discover: prior } } : undefined);
  if (!prior) discovered.set(key, client.getDiscoverResult());
  return { client, pid: transport.pid, close: () => client.close() };
}

/** A client of either era over stdio. */
export const connectEra = (era, command, args, env) => (era === 'legacy' ? connectStdio(command, args, env) : connectModernStdio(command, args, env));

/** CPU time a process has used so far, in ms (utime + stime from /proc; clock ticks are 10 ms on Linux). */
export const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** Runs `fn` n times in a row, pushing each one's milliseconds into `into` (when given). */
export async function timed(fn, n, into) {
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    into?.push(performance.now() - t);
  }
}

/** A call of `tool` through a connected client that fails loudly on an error result. */
export const toolCaller = (c, tool, args) => async () => {
  const r = await c.client.callTool({ name: tool, arguments: args });
  if (r.isError) throw new Error(r.content[0].text);
};

export const median = (xs) => quantile(xs, 0.5);
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
export const fmt = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}x`;

/** Spawns a process and resolves with the first URL it prints (stdout or stderr). */
export function start(args, env = { PATH: process.env.PATH ?? '' }) {
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

/**
 * The sandbox in a process of its own (so that it shares no event loop with the load generator), with rate limits
 * lifted, and the environment that points trtc-mcp at it.
 */
export async function standaloneSandbox(extraEnv = {}) {
  const id = 'bench-id';
  const key = 'bench-secret-key-0001';
  const sandbox = await start([CLI, 'sandbox', '--port', '0', '--secret-id', id, '--secret-key', key, '--rate-limit-scale', '100000', '--log-level', 'error']);
  const env = {
    PATH: process.env.PATH ?? '', TENCENTCLOUD_SECRET_ID: id, TENCENTCLOUD_SECRET_KEY: key, TRTC_ENDPOINT: `${sandbox.url}/`,
    TRTC_SDK_APP_ID: '1400000001', TRTC_MCP_RATE_LIMIT_SCALE: '100000', ...extraEnv,
  };
  return { sandbox, env };
}

/**
 * `sessions` concurrent clients over Streamable HTTP, each calling `tool` in a loop for `seconds`. Given several
 * servers (replicas), a legacy client keeps its session on one of them (sticky, assigned in turn), and a
 * 2026-07-28 client sends each request to the next server in turn, as a round-robin load balancer would.
 */
export async function drive(era, urls, tool, args, { sessions, seconds }) {
  let turn = 0;
  const roundRobin = (_url, init) => fetch(`${urls[turn++ % urls.length]}/mcp`, init);
  const clients = await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      if (era === 'legacy') {
        const c = new Client({ name: 'bench-throughput', version: '1' });
        await c.connect(new StreamableHTTPClientTransport(new URL(`${urls[i % urls.length]}/mcp`)));
        return c;
      }
      const c = new ModernClient({ name: 'bench-throughput', version: '1' }, { versionNegotiation: { mode: { pin: REVISION } } });
      await c.connect(new ModernTransport(new URL(`${urls[0]}/mcp`), urls.length > 1 ? { fetch: roundRobin } : undefined));
      return c;
    }),
  );
  const lat = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
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
  return { calls: lat.length, rps: lat.length / seconds, p50: median(lat), p99: quantile(lat, 0.99), errors };
}
