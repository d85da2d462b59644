// Test helpers: spawn the built server and connect the SDK's real MCP client to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';
import { minimalEnv } from './clock.js';

export { clockEnv, minimalEnv } from './clock.js';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

// Everything servers print and every tool result is captured for the suite-wide secret sweep (test/global-setup.ts).
const OUT = fileURLToPath(new URL('../.test-output/', import.meta.url));
mkdirSync(OUT, { recursive: true });
/** Where a test may leave files for people to look at (screenshots); emptied at the start of each run. */
export const OUT_DIR = OUT;
const outputFile = `${OUT}output-${process.pid}.log`;
const secretsFile = `${OUT}secrets-${process.pid}.txt`;

/** A tool result (a string, one per line), or a chunk of a server's output, appended byte for byte. */
export function capture(out: string | Buffer): void {
  // A chunk boundary may fall inside a secret or a character: a newline added there would hide the secret from the sweep.
  appendFileSync(outputFile, typeof out !== 'string' || out.endsWith('\n') ? out : `${out}\n`);
}

/** Declares a secret the tests configured: the sweep fails the run if it ever appears in captured output. */
export function rememberSecret(...secrets: Array<string | undefined>): void {
  for (const s of secrets) if (s) appendFileSync(secretsFile, `${s}\n`);
}

/**
 * Records one attack on the guardrails: how many requests it got through to the sandbox, and how many pieces of
 * out-of-scope data it got back. The run's summary (test/global-setup.ts) counts them and fails if any got through.
 */
export function recordAttack(name: string, sent: number, leaked = 0): void {
  appendFileSync(`${OUT}attacks-${process.pid}.jsonl`, `${JSON.stringify({ name, sent, leaked })}\n`);
}

/** A real MCP client that also captures every tool result it receives. */
class CapturingClient extends Client {
  override async callTool(...args: Parameters<Client['callTool']>): ReturnType<Client['callTool']> {
    const result = await super.callTool(...args);
    capture(JSON.stringify(result));
    return result;
  }
}

/** A clean environment: nothing from the machine's own Tencent settings leaks into a test. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  // Durable state (spent tokens, the ledger) goes to the run's own store, never to the machine's.
  const env: Record<string, string> = { ...minimalEnv(), HOME: process.env.HOME ?? '/tmp', TRTC_MCP_STORE: `${OUT}store` };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) continue;
    env[k] = v;
    if (/SECRET_?KEY|SESSION_?TOKEN|AUTH_TOKEN|CONFIRM_SECRET|API_?KEY|CALLBACK_KEY|APPROVER_TOKEN$|WEBHOOK_(?:SECRET|URL)/.test(k)) rememberSecret(v);
  }
  return env;
}

/** Environment that points the server at a sandbox with its credentials. */
export function sandboxEnv(sb: Sandbox, extra: Record<string, string | undefined> = {}) {
  const account = sb.accounts[0]!;
  const app = [...sb.world.apps.values()][0]!;
  return cleanEnv({
    TENCENTCLOUD_SECRET_ID: account.secretId,
    TENCENTCLOUD_SECRET_KEY: account.secretKey,
    TENCENTCLOUD_SESSION_TOKEN: account.token,
    TRTC_ENDPOINT: sb.url,
    TRTC_REST_ENDPOINT: sb.url,
    TRTC_SDK_APP_ID: String(app.sdkAppId),
    TRTC_SDK_SECRET_KEY: app.sdkSecretKey,
    ...extra,
  });
}

export async function withSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox(opts);
}

export interface Connected {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

/** How a test client answers elicitation requests; without one the client does not offer elicitation. */
export type ElicitHandler = (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;

/** Capabilities a test client declares besides elicitation (an extension, such as MCP Apps). */
export type ExtraCapabilities = Record<string, unknown>;

export function newClient(elicit?: ElicitHandler, capabilities: ExtraCapabilities = {}): Client {
  const client = new CapturingClient({ name: 'trtc-mcp-test', version: '1.0.0' }, { capabilities: { ...capabilities, ...(elicit ? { elicitation: {} } : {}) } });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (req) => elicit(req.params));
  return client;
}

export async function connectStdio(args: string[], env: Record<string, string>, elicit?: ElicitHandler, capabilities?: ExtraCapabilities): Promise<Connected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    capture(d);
  });
  const client = newClient(elicit, capabilities);
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

export interface SpawnedHttp {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts the server with the HTTP transport on a free port and waits until it listens. */
export async function spawnHttp(args: string[], env: Record<string, string>): Promise<SpawnedHttp> {
  const child = spawn(process.execPath, [CLI, '--transport', 'http', '--port', '0', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill(); // not left running after the test gave up on it
      reject(new Error(`server did not start:\n${err}`));
    }, 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      capture(d);
      const m = /streamableHttp=(http:\/\/\S+)\/mcp/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${err}`)));
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function connectHttp(url: string, kind: 'streamable' | 'sse' = 'streamable', headers: Record<string, string> = {}, elicit?: ElicitHandler): Promise<Client> {
  const client = newClient(elicit);
  const transport = kind === 'streamable'
    ? new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } })
    : new SSEClientTransport(new URL(`${url}/sse`), { requestInit: { headers }, eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) } });
  await client.connect(transport);
  // Closing ends the server-side session too, as a well-behaved client does.
  const close = client.close.bind(client);
  client.close = async () => {
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
    await close();
  };
  return client;
}

/**
 * Progress notifications as they arrive at a connected client, from now on. The SDK's Client passes a notification
 * to `onprogress` a tick after reading it, and a response read in the same chunk retires the callback first; so on
 * a busy machine the last notification before an answer can miss `onprogress`, though the server sent it.
 */
export function progressArrivals(client: Client): Array<{ progress: number; total?: number }> {
  const arrived: Array<{ progress: number; total?: number }> = [];
  const transport = client.transport!;
  const deliver = transport.onmessage!;
  transport.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'notifications/progress') arrived.push(message.params as { progress: number; total?: number });
    deliver(message, extra);
  };
  return arrived;
}

/** Waits until a server's log output matches, and returns the match (a server logs where it listens, say). */
export async function waitForLog(stderr: () => string, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(stderr());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no log line matched ${pattern}:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function text(result: CallToolResult | Awaited<ReturnType<Client['callTool']>>): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Requests that reached the sandbox's REST API, optionally for one service/command. */
export function restRequests(sb: Sandbox, command?: string) {
  return sb.requests.filter((r) => r.api === 'rest' && (!command || r.action === command));
}

/** Requests that reached the sandbox's Cloud API, optionally for one action. */
export function cloudRequests(sb: Sandbox, action?: string) {
  return sb.requests.filter((r) => r.api === 'cloud' && (!action || r.action === action));
}

/** The token a confirmation preview returned. */
export function confirmationTokenOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const token = (result._meta as { confirmation?: { token?: string } } | undefined)?.confirmation?.token;
  if (!token) throw new Error(`expected a confirmation request, got: ${text(result)}`);
  return token;
}

/**
 * Calls a tool through the two-step confirmation, as an agent with a consenting user would; when these arguments
 * need no consent, the first call already ran and its result is returned.
 */
export async function callConfirmed(client: Client, name: string, args: Record<string, unknown>) {
  const preview = await client.callTool({ name, arguments: args });
  if (!(preview._meta as { confirmation?: unknown } | undefined)?.confirmation) return preview;
  return client.callTool({ name, arguments: { ...args, confirmationToken: confirmationTokenOf(preview) } });
}

/**
 * Sends a request's headers, then its body one byte every `everyMs`, as a slow-loris sender would; resolves with the
 * status the server answered (0 for none) and when the connection closed, or gives up after `giveUpMs`.
 */
export function trickle(url: string, headers: Record<string, string>, bytes: number, everyMs: number, giveUpMs = 15_000): Promise<{ status: number; ms: number }> {
  const u = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      const timer = setInterval(() => socket.writable && socket.write('{'), everyMs);
      const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        const m = /^HTTP\/1\.1 (\d+)/.exec(got);
        resolve({ status: m ? Number(m[1]) : 0, ms: Date.now() - started });
      });
      socket.on('error', () => undefined);
    });
    socket.on('error', reject);
  });
}
