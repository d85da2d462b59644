// End to end: the built server, a real MCP client over stdio and HTTP, and the sandbox as the cloud.
import { execFile } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import {
  callConfirmed, capture, CLI, cleanEnv, cloudRequests, connectHttp, connectStdio, rememberSecret, sandboxEnv, spawnHttp, text, withSandbox, type Connected, type SpawnedHttp,
} from './helpers.js';

const ROOM_TOOLS = ['DismissRoom', 'DismissRoomByStrRoomId', 'RemoveUser', 'RemoveUserByStrRoomId', 'SetUserBlocked', 'SetUserBlockedByStrRoomId'];
const APP = 1400000001;

describe('room tools over stdio', () => {
  let sb: Sandbox;
  let conn: Connected;
  let client: Client;
  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio([], sandboxEnv(sb));
    client = conn.client;
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });
  const app = () => sb.world.apps.get(APP)!;

  it('lists the six room tools with schemas that follow the docs', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ROOM_TOOLS) expect(byName.has(name), name).toBe(true);

    const remove = byName.get('RemoveUser')!;
    expect(remove.inputSchema.properties).toMatchObject({
      SdkAppId: { type: 'integer' },
      RoomId: { type: 'integer' },
      UserIds: { type: 'array', items: { type: 'string' }, maxItems: 10 },
    });
    expect(remove.inputSchema.required).toEqual(['RoomId', 'UserIds']);
    expect(byName.get('RemoveUserByStrRoomId')!.inputSchema.properties!.RoomId).toMatchObject({ type: 'string' });
    expect(byName.get('SetUserBlockedByStrRoomId')!.inputSchema.required).toEqual(['StrRoomId', 'UserId', 'IsMute']);
    expect(byName.get('SetUserBlocked')!.inputSchema.properties!.IsMute).toMatchObject({ enum: [0, 1, 2, 3] });

    for (const name of ROOM_TOOLS) {
      const t = byName.get(name)!;
      const a = t.annotations!;
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof a[hint], `${name}.${hint}`).toBe('boolean');
      }
      expect(a.readOnlyHint).toBe(false);
      expect(a.destructiveHint).toBe(name.startsWith('Dismiss') || name.startsWith('Remove'));
      expect(t._meta).toEqual({ api: name });
      expect(t).not.toHaveProperty('toolset');
      expect(t.outputSchema).toMatchObject({ type: 'object', properties: { RequestId: { type: 'string' } } });
    }
  });

  it('SetUserBlocked blocks a user, visibly in the sandbox, and returns structured content mirrored as text', async () => {
    const r = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'carol', IsMute: 2 } });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(JSON.parse((r.content as Array<{ text: string }>)[0]!.text)).toEqual(r.structuredContent);
    expect(sb.world.room(app(), 'int', 1234)!.users.get('carol')!.block).toBe(2);
  });

  it('SetUserBlockedByStrRoomId unblocks in a string room', async () => {
    sb.world.room(app(), 'str', 'class-101')!.users.get('student-1')!.block = 1;
    const r = await client.callTool({ name: 'SetUserBlockedByStrRoomId', arguments: { StrRoomId: 'class-101', UserId: 'student-1', IsMute: 0 } });
    expect(r.isError).toBeFalsy();
    expect(sb.world.room(app(), 'str', 'class-101')!.users.get('student-1')!.block).toBe(0);
  });

  it('RemoveUser removes the user from the room', async () => {
    const r = await callConfirmed(client, 'RemoveUser', { SdkAppId: APP, RoomId: 1234, UserIds: ['alice'] });
    expect(r.isError).toBeFalsy();
    expect([...sb.world.room(app(), 'int', 1234)!.users.keys()]).toEqual(['bob', 'carol']);
  });

  it('RemoveUserByStrRoomId removes users from a string room', async () => {
    const r = await callConfirmed(client, 'RemoveUserByStrRoomId', { RoomId: 'class-101', UserIds: ['student-1', 'student-2'] });
    expect(r.isError).toBeFalsy();
    expect([...sb.world.room(app(), 'str', 'class-101')!.users.keys()]).toEqual(['teacher']);
  });

  it('DismissRoom closes the room, and later calls get FailedOperation.RoomNotExist with a RequestId', async () => {
    expect((await callConfirmed(client, 'DismissRoom', { RoomId: 10006 })).isError).toBeFalsy();
    expect(sb.world.room(app(), 'int', 10006)).toBeUndefined();
    const again = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 10006, UserId: '29376', IsMute: 1 } });
    expect(again.isError).toBe(true);
    expect(text(again)).toContain('FailedOperation.RoomNotExist');
    expect(text(again)).toMatch(/What to do: .+/);
    expect(text(again)).toMatch(/RequestId: [0-9a-f-]{36}/);
  });

  it('DismissRoomByStrRoomId closes a string room', async () => {
    expect((await callConfirmed(client, 'DismissRoomByStrRoomId', { RoomId: 'class-101' })).isError).toBeFalsy();
    expect(sb.world.room(app(), 'str', 'class-101')).toBeUndefined();
  });

  it.each([
    ['a string where an integer belongs', 'DismissRoom', { RoomId: '1234' }, ['RoomId: must be a number']],
    ['a fraction', 'DismissRoom', { RoomId: 12.5 }, ['RoomId: must be an integer']],
    ['a missing field', 'SetUserBlocked', { RoomId: 1234, IsMute: 1 }, ['UserId: is required']],
    ['an enum outside its values', 'SetUserBlocked', { RoomId: 1234, UserId: 'bob', IsMute: 9 }, ['IsMute: must be one of 0, 1, 2, 3']],
    ['too many users', 'RemoveUser', { RoomId: 1234, UserIds: Array.from({ length: 11 }, (_, i) => `u${i}`) }, ['UserIds: must have at most 10 items']],
    ['an empty list', 'RemoveUser', { RoomId: 1234, UserIds: [] }, ['UserIds: must have at least 1 items']],
    ['a wrong item type', 'RemoveUser', { RoomId: 1234, UserIds: ['ok', 7] }, ['UserIds[1]: must be a string']],
    ['an unknown key', 'DismissRoom', { RoomId: 1234, Roomid: 1 }, ['Roomid: is not a parameter of this tool']],
    ['several problems at once', 'RemoveUser', { RoomId: 'x' }, ['RoomId: must be a number', 'UserIds: is required']],
  ])('rejects %s without sending anything', async (_label, name, args, expected) => {
    const before = cloudRequests(sb).length;
    const r = await client.callTool({ name, arguments: args });
    expect(r.isError).toBe(true);
    for (const line of expected) expect(text(r)).toContain(line);
    expect(text(r)).toContain('nothing was sent');
    expect(cloudRequests(sb).length).toBe(before);
  });

  it('answers an unknown tool with a protocol error and keeps serving', async () => {
    await expect(client.callTool({ name: 'FormatDisk', arguments: {} })).rejects.toThrow(/Unknown tool/);
    expect((await client.listTools()).tools.length).toBeGreaterThanOrEqual(6);
  });
});

describe('log notifications', () => {
  it('are sent only once the client has chosen a level, and only at or above it', async () => {
    const sb = await withSandbox();
    const conn = await connectStdio([], sandboxEnv(sb));
    const got: LoggingMessageNotification['params'][] = [];
    conn.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void got.push(n.params));
    const ok = () => conn.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 10006, UserId: '29376', IsMute: 1 } });
    const bad = () => conn.client.callTool({ name: 'DismissRoom', arguments: { RoomId: 'not a number' } });
    await ok();
    await conn.client.setLoggingLevel('warning');
    await ok();
    await bad();
    await conn.client.setLoggingLevel('info');
    await ok();
    await expect.poll(() => got.length).toBe(2);
    expect(got).toEqual([
      { level: 'warning', logger: 'trtc-mcp', data: { tool: 'DismissRoom', ok: false } },
      { level: 'info', logger: 'trtc-mcp', data: { tool: 'SetUserBlocked', ok: true } },
    ]);
    await conn.close();
    await sb.close();
  });
});

describe('sandbox by default', () => {
  let conn: Connected;
  beforeAll(async () => {
    conn = await connectStdio([], cleanEnv());
  });
  afterAll(() => conn.close());

  it('runs the in-process sandbox when no credentials are set, and says so everywhere', async () => {
    expect(conn.client.getInstructions()).toMatch(/Sandbox/);
    expect(conn.stderr()).toMatch(/SANDBOX MODE \(no Tencent Cloud credentials are configured\)/);
    const r = await callConfirmed(conn.client, 'RemoveUser', { RoomId: 1234, UserIds: ['bob'] });
    expect(r.isError).toBeFalsy();
    expect(text(r)).toMatch(/Sandbox: this answer comes from the local TRTC emulator/);
    const bad = await conn.client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234 } });
    expect(text(bad)).toMatch(/Sandbox:/);
  });
});

describe('HTTP transports', () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;
  beforeAll(async () => {
    sb = await withSandbox();
    srv = await spawnHttp([], sandboxEnv(sb));
  });
  afterAll(async () => {
    await srv.stop();
    await sb.close();
  });

  it('serves Streamable HTTP at /mcp', async () => {
    const client = await connectHttp(srv.url, 'streamable');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(ROOM_TOOLS));
    const r = await callConfirmed(client, 'RemoveUserByStrRoomId', { RoomId: 'abcd', UserIds: ['test2'] });
    expect(r.isError).toBeFalsy();
    expect([...sb.world.room(sb.world.apps.get(APP)!, 'str', 'abcd')!.users.keys()]).toEqual(['test1']);
    await client.close();
  });

  it('serves legacy SSE at /sse and /messages', async () => {
    const client = await connectHttp(srv.url, 'sse');
    const r = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'alice', IsMute: 3 } });
    expect(r.isError).toBeFalsy();
    expect(sb.world.room(sb.world.apps.get(APP)!, 'int', 1234)!.users.get('alice')!.block).toBe(3);
    await client.close();
  });

  it('keeps sessions apart and answers unknown paths with 404', async () => {
    const [a, b] = await Promise.all([connectHttp(srv.url), connectHttp(srv.url)]);
    expect((await a.listTools()).tools.length).toBe((await b.listTools()).tools.length);
    await Promise.all([a.close(), b.close()]);
    expect((await fetch(`${srv.url}/nope`)).status).toBe(404);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  });

  it('answers a body that is not JSON with a JSON-RPC parse error, and a wrong method with 405 and Allow', async () => {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const bad = await fetch(`${srv.url}/mcp`, { method: 'POST', headers, body: '{"jsonrpc":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    for (const [path, method, allow] of [['/mcp', 'PUT', 'GET, POST, DELETE'], ['/sse', 'POST', 'GET'], ['/messages', 'GET', 'POST']] as const) {
      const r = await fetch(`${srv.url}${path}`, { method });
      expect([path, r.status, r.headers.get('allow')]).toEqual([path, 405, allow]);
    }
  });
});

describe('command line', () => {
  const run = promisify(execFile);

  it('--help documents every setting', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help'], { env: cleanEnv() });
    for (const flag of ['--transport', '--host', '--port', '--region', '--domain', '--endpoint', '--sandbox', '--sdk-app-id', '--log-level']) {
      expect(stdout).toContain(flag);
    }
    for (const env of ['TENCENTCLOUD_SECRET_KEY', 'TENCENTCLOUD_SESSION_TOKEN', 'TRTC_SDK_SECRET_KEY', 'TRTC_ENDPOINT']) expect(stdout).toContain(env);
  });

  it.each([
    [['--port', 'abc'], {}, /--port: must be a number/],
    [['--transport', 'ftp'], {}, /--transport/],
    [[], { TRTC_ENDPOINT: 'not a url' }, /TRTC_ENDPOINT/],
    [[], { TENCENTCLOUD_SECRET_ID: 'id-only' }, /TENCENTCLOUD_SECRET_KEY/],
    [['--wat'], {}, /Unknown option '--wat'/],
    [[], { TRTC_SANDBOX: 'maybe' }, /Invalid setting TRTC_SANDBOX: must be one of 1, 0, true, false, yes, no \(got "maybe"\)/],
    [['--port', '3000'], {}, /--port applies to the HTTP transport only, and this server would serve stdio: add --transport http, or leave it out\./],
    [['--host', '0.0.0.0', '--max-sessions', '5'], {}, /--host, --max-sessions apply to the HTTP transport only/],
    [['--toolsets', 'room,bogus'], { TRTC_SANDBOX: '1' }, /Invalid setting --toolsets: unknown bogus/],
    [['--tools', 'NoSuchTool'], {}, /Invalid setting --tools: no tool named NoSuchTool/],
  ])('fails at start-up on a bad setting (%j %j) and names it, before starting anything', async (args, env, message) => {
    const err = (await run(process.execPath, [CLI, ...args], { env: cleanEnv(env) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(message);
    // Nothing was started: no sandbox announced itself, no stack trace.
    expect(err.stderr).not.toMatch(/SANDBOX MODE|\n\s+at /);
  });

  it('never echoes a URL\'s userinfo or a configured secret in a setting error', async () => {
    const key = 'endpoint-test-secret-key-0123456789';
    rememberSecret(key);
    const env = cleanEnv({ TENCENTCLOUD_SECRET_ID: 'AKIDtest', TENCENTCLOUD_SECRET_KEY: key, TRTC_ENDPOINT: `ftp://user:${key}@x.example/`, TRTC_REST_ENDPOINT: `mailto:${key}` });
    const err = (await run(process.execPath, [CLI], { env }).catch((e) => e)) as { code: number; stderr: string };
    capture(err.stderr);
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('Invalid setting TRTC_ENDPOINT');
    expect(err.stderr).toContain('"ftp://(userinfo hidden)@x.example/"');
    expect(err.stderr).not.toContain(key);
    const rest = (await run(process.execPath, [CLI], { env: cleanEnv({ TENCENTCLOUD_SECRET_ID: 'AKIDtest', TENCENTCLOUD_SECRET_KEY: key, TRTC_REST_ENDPOINT: `mailto:${key}` }) }).catch((e) => e)) as { code: number; stderr: string };
    capture(rest.stderr);
    expect(rest.stderr).toContain('Invalid setting TRTC_REST_ENDPOINT');
    expect(rest.stderr).toContain('"mailto:(hidden)"');
    expect(rest.stderr).not.toContain(key);
  });

  it('says which port is taken and what to do, and exits with 2', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const err = (await run(process.execPath, [CLI, '--transport', 'http', '--port', String(port)], { env: cleanEnv() }).catch((e) => e)) as { code: number; stderr: string };
      expect(err.code).toBe(2);
      expect(err.stderr).toContain(`Port ${port} is already in use on 127.0.0.1: stop the program using 127.0.0.1:${port}, or choose another port with --port (0 picks a free one).`);
      expect(err.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('names the setting that turned the sandbox on, and warns of HTTP settings that stdio ignores', async () => {
    const c = await connectStdio([], cleanEnv({ TRTC_SANDBOX: '1', TRTC_MCP_PORT: '3000' }));
    try {
      expect(c.stderr()).toMatch(/SANDBOX MODE \(asked for by TRTC_SANDBOX\)/);
      expect(c.client.getInstructions()).toContain('(asked for by TRTC_SANDBOX)');
      expect(c.stderr()).toContain('TRTC_MCP_PORT is set, but only the HTTP transport reads it; serving stdio');
    } finally {
      await c.close();
    }
    const flagged = await connectStdio(['--sandbox'], cleanEnv());
    try {
      expect(flagged.stderr()).toMatch(/SANDBOX MODE \(asked for by --sandbox\)/);
    } finally {
      await flagged.close();
    }
  });
});
