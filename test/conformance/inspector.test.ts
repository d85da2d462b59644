// The MCP Inspector's CLI (a third-party client) against the built server with its default toolsets, over stdio
// and Streamable HTTP in each protocol era it can negotiate (--protocol-era legacy, auto and modern; auto finds
// 2026-07-28) and over legacy SSE, with an in-process sandbox as the cloud so that every request that reaches it
// can be counted. Besides listing and calling, it plays an agent that finds a destructive tool through the
// discovery tools and must get the user's consent before anything happens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { capture, cleanEnv, CLI, cloudRequests, rememberSecret, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from '../helpers.js';
import { binOf, runTool } from './tools.js';

const INSPECTOR = binOf('@modelcontextprotocol/inspector', 'mcp-inspector');
const APP = 1400000001;
/** The Inspector CLI's exit code for a tool result with isError. */
const TOOL_ERROR = 5;

interface Answer {
  code: number | null;
  /** What --format json printed on stdout: the result, or nothing when the call failed. */
  result: any;
  /** Schema portability findings, present only with --strict when there are any. */
  schemaFindings?: unknown[];
  stderr: string;
}

/** How the Inspector reaches the server: options before `--`, and for stdio the server's command line after it. */
interface Target {
  options: string[];
  command?: string[];
}

async function inspect(target: Target, method: string, ...args: string[]): Promise<Answer> {
  const argv = ['--cli', '--format', 'json', ...target.options, '--method', method, ...args];
  const r = await runTool(INSPECTOR, target.command ? [...argv, '--', ...target.command] : argv);
  capture(r.stdout + r.stderr);
  let envelope: { result?: unknown; schemaFindings?: unknown[] } = {};
  try {
    if (r.stdout.trim()) envelope = JSON.parse(r.stdout) as typeof envelope;
  } catch {
    throw new Error(`The Inspector printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, result: envelope.result, schemaFindings: envelope.schemaFindings, stderr: r.stderr };
}

const call = (target: Target, tool: string, args: Record<string, unknown>) =>
  inspect(target, 'tools/call', '--tool-name', tool, '--tool-args-json', JSON.stringify(args));

const textOf = (result: { content: Array<{ type: string; text?: string }> }) => result.content.map((c) => c.text ?? '').join('\n');

const TOKEN = randomBytes(18).toString('base64url');
rememberSecret(TOKEN);

type Era = 'legacy' | 'auto' | 'modern';

interface Transport {
  name: string;
  /** Whether one server serves every Inspector call (HTTP), rather than one server process per call (stdio). */
  persistent: boolean;
  /** The protocol eras the Inspector can negotiate over it (SSE is a legacy transport). */
  eras: Era[];
  start(sb: Sandbox): Promise<{ target: Target; stop(): Promise<void> }>;
}

const http = (kind: 'http' | 'sse', path: string): Transport['start'] => async (sb) => {
  const srv: SpawnedHttp = await spawnHttp([], sandboxEnv(sb, { TRTC_MCP_AUTH_TOKEN: TOKEN }));
  const options = ['--transport', kind, '--server-url', `${srv.url}${path}`, '--header', `Authorization: Bearer ${TOKEN}`];
  return { target: { options }, stop: () => srv.stop() };
};

const TRANSPORTS: Transport[] = [
  {
    name: 'stdio',
    persistent: false,
    eras: ['legacy', 'auto', 'modern'],
    // The Inspector starts the server itself, with only the environment it is given (-e), on this Node (20 in CI).
    start: async (sb) => {
      const env = Object.entries(sandboxEnv(sb)).filter(([k]) => k !== 'PATH' && k !== 'HOME');
      return { target: { options: env.flatMap(([k, v]) => ['-e', `${k}=${v}`]), command: [process.execPath, CLI] }, stop: async () => undefined };
    },
  },
  { name: 'Streamable HTTP', persistent: true, eras: ['legacy', 'auto', 'modern'], start: http('http', '/mcp') },
  { name: 'legacy SSE', persistent: true, eras: ['legacy'], start: http('sse', '/sse') },
];
const RUNS = TRANSPORTS.flatMap((t) => t.eras.map((era) => ({ ...t, era })));

describe.each(RUNS)('the MCP Inspector CLI over $name, --protocol-era $era', ({ start, persistent, era }) => {
  let sb: Sandbox;
  let target: Target;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    sb = await withSandbox();
    const started = await start(sb);
    stop = started.stop;
    target = { ...started.target, options: [...started.target.options, '--protocol-era', era] };
  });
  afterAll(async () => {
    await stop?.();
    await sb?.close();
  });
  const room1234 = () => sb.world.room(sb.world.apps.get(APP)!, 'int', 1234);

  it('lists the default tools, each with all four annotations', async () => {
    const { code, result } = await inspect(target, 'tools/list');
    expect(code).toBe(0);
    const names = result.tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['search_tools', 'describe_tool', 'call_tool', 'DismissRoom', 'SetUserBlocked', 'StartAIConversation']));
    // Of the quality toolset, only the three reads the moderation story needs are defaults.
    expect(names).toEqual(expect.arrayContaining(['DescribeUnusualEvent', 'DescribeRoomInfo', 'DescribeUserInfo']));
    expect(names).not.toContain('DescribeCallDetailInfo');
    for (const tool of result.tools) {
      expect(Object.keys(tool.annotations).sort(), tool.name).toEqual(expect.arrayContaining(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']));
    }
  });

  it('calls a read in the era it asked for: the answer comes from the sandbox', async () => {
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const { code, result, stderr } = await call(target, 'call_tool', { name: 'DescribeRoomInfo', arguments: { StartTime: hourAgo, EndTime: new Date().toISOString() } });
    expect(code, stderr).toBe(0);
    expect(result.structuredContent.RoomList).toEqual(expect.arrayContaining([expect.objectContaining({ RoomString: '1234' })]));
    expect(cloudRequests(sb, 'DescribeRoomInfo')).toHaveLength(1);
    // Only a 2026-07-28 answer carries the server's identity in its _meta (legacy ones never do); auto finds that era.
    expect(result._meta?.['io.modelcontextprotocol/serverInfo']?.name).toBe(era === 'legacy' ? undefined : 'trtc-mcp');
  });

  it('calls a tool: the sandbox shows the effect, and the result is structured and mirrored as text', async () => {
    const { code, result } = await call(target, 'SetUserBlocked', { RoomId: 1234, UserId: 'bob', IsMute: 3 });
    expect(code).toBe(0);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.RequestId).toEqual(expect.any(String));
    expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
    expect(room1234()!.users.get('bob')!.block).toBe(3);
    expect(cloudRequests(sb, 'SetUserBlocked')).toHaveLength(1);
  });

  it('lets an agent search, describe and call a destructive tool, which runs only with consent and only once', async () => {
    const found = await call(target, 'search_tools', { query: 'dismiss a room' });
    expect(found.code).toBe(0);
    expect(found.result.structuredContent.results[0]).toMatchObject({ name: 'DismissRoom', effect: 'destructive' });

    const described = await call(target, 'describe_tool', { name: 'DismissRoom' });
    expect(described.code).toBe(0);
    const doc = JSON.parse(described.result.content[0].text);
    expect(doc.annotations.destructiveHint).toBe(true);
    expect(doc.inputSchema.required).toContain('RoomId');

    // The Inspector CLI cannot elicit, so the server answers with a preview and a token, and sends nothing.
    const args = { RoomId: 1234 };
    const preview = await call(target, 'call_tool', { name: 'DismissRoom', arguments: args });
    expect(preview.code).toBe(TOOL_ERROR);
    expect(textOf(preview.result)).toContain('Confirmation required; nothing was sent.');
    const token = preview.result._meta.confirmation.token as string;
    expect(textOf(preview.result)).toContain(token);
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(0);
    expect(room1234()!.users.size).toBeGreaterThan(0);

    // The user agreed: the same arguments plus the token dismiss the room, with exactly one request.
    const done = await call(target, 'call_tool', { name: 'DismissRoom', arguments: { ...args, confirmationToken: token } });
    expect(done.code, textOf(done.result)).toBe(0);
    expect(done.result.isError).toBeFalsy();
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    expect(room1234()).toBeUndefined();

    // A server remembers the tokens it accepted; with stdio each Inspector call starts a new server process.
    if (persistent) {
      const replay = await call(target, 'call_tool', { name: 'DismissRoom', arguments: { ...args, confirmationToken: token } });
      expect(replay.code).toBe(TOOL_ERROR);
      expect(textOf(replay.result)).toContain('was already used');
      expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    }
  });
});

describe('the MCP Inspector CLI against every tool', () => {
  it('finds no schema portability errors or warnings (--strict)', async () => {
    const { code, result, schemaFindings, stderr } = await inspect({ options: [], command: [process.execPath, CLI, '--sandbox', '--toolsets', 'all'] }, 'tools/list', '--strict');
    // With --strict the Inspector exits non-zero on any error and lists every finding (warnings too) in the envelope.
    expect(code, stderr).toBe(0);
    expect(schemaFindings).toBeUndefined();
    expect((result as { tools: unknown[] }).tools.length).toBeGreaterThan(90);
  });

  it.each(['legacy', 'modern'])('is refused over HTTP without the bearer token (--protocol-era %s)', async (era) => {
    const sb = await withSandbox();
    const srv = await spawnHttp([], sandboxEnv(sb, { TRTC_MCP_AUTH_TOKEN: TOKEN }));
    const { code, result, stderr } = await inspect({ options: ['--transport', 'http', '--server-url', `${srv.url}/mcp`, '--stored-auth-only', '--protocol-era', era] }, 'tools/list');
    expect(result).toBeUndefined();
    expect([code, JSON.parse(stderr.trim().split('\n').at(-1)!).error.code]).toEqual([3, 'auth_required']);
    await srv.stop();
    await sb.close();
  });

  it('finishes the README example of consent with its own sandbox over stdio, where every call starts a new server', async () => {
    // As the README runs it: `--sandbox`, no credentials, no TRTC_MCP_CONFIRM_SECRET; the state store carries the key.
    const store = mkdtempSync(join(tmpdir(), 'inspector-store-'));
    const env = Object.entries(cleanEnv({ TRTC_MCP_STORE: store })).filter(([k]) => k !== 'PATH' && k !== 'HOME');
    const target: Target = { options: env.flatMap(([k, v]) => ['-e', `${k}=${v}`]), command: [process.execPath, CLI, '--sandbox'] };
    const args = { RoomId: 1234, UserIds: ['alice'] };
    const preview = await call(target, 'RemoveUser', args);
    expect(preview.code).toBe(TOOL_ERROR);
    expect(textOf(preview.result)).toContain('Confirmation required; nothing was sent.');
    const done = await call(target, 'RemoveUser', { ...args, confirmationToken: preview.result._meta.confirmation.token });
    expect(done.code, textOf(done.result)).toBe(0);
    expect(done.result.isError).toBeFalsy();
    expect(done.result.structuredContent.RequestId).toEqual(expect.any(String));
  });
});
