// Test helpers: spawn the built server and connect the SDK's real MCP client to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Every line any spawned server wrote to stderr in this test process: swept for secrets. */
export const capturedStderr: string[] = [];

/** A clean environment: nothing from the machine's own Tencent settings leaks into a test. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
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

export async function connectStdio(args: string[], env: Record<string, string>): Promise<Connected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    capturedStderr.push(d.toString());
  });
  const client = new Client({ name: 'trtc-mcp-test', version: '1.0.0' });
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
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      capturedStderr.push(d.toString());
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
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export async function connectHttp(url: string, kind: 'streamable' | 'sse' = 'streamable', headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'trtc-mcp-test', version: '1.0.0' });
  const transport = kind === 'streamable'
    ? new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } })
    : new SSEClientTransport(new URL(`${url}/sse`), { requestInit: { headers }, eventSourceInit: { fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }) } });
  await client.connect(transport);
  return client;
}

export function text(result: CallToolResult | Awaited<ReturnType<Client['callTool']>>): string {
  return ((result as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Requests that reached the sandbox's Cloud API, optionally for one action. */
export function cloudRequests(sb: Sandbox, action?: string) {
  return sb.requests.filter((r) => r.api === 'cloud' && (!action || r.action === action));
}
