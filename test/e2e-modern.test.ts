// End to end on the 2026-07-28 protocol: the v2 SDK's real Client pinned to that revision (no initialize, no
// session), against the built server over stdio and Streamable HTTP, with the sandbox as the cloud. Consent comes
// as an input_required result that the client fills and retries; every path that must send nothing is counted
// at the sandbox.
import { ProtocolError, type Client, type ElicitRequest } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { WorldSeed } from '../src/sandbox/world.js';
import { cloudRequests, confirmationTokenOf, sandboxEnv, spawnHttp, text, withSandbox, type SpawnedHttp } from './helpers.js';
import { connectModernHttp, connectModernStdio, routeRetries, type FormAnswer, type ModernConnected, type SentRetry } from './modern.js';

const APP = 1400000001;
const TOOLSETS = ['--toolsets', 'quality,room'];
const WORLD: WorldSeed = {
  apps: [{
    sdkAppId: APP,
    rooms: [
      { roomId: 1234, users: [{ userId: 'alice', joinedSecondsAgo: 1800 }, { userId: 'bob', joinedSecondsAgo: 1200 }, { userId: 'mallory', joinedSecondsAgo: 600, quality: 'poor' }] },
      ...Array.from({ length: 12 }, (_, i) => ({ roomId: 100 + i, users: ['a', 'b', 'c'] })),
      ...Array.from({ length: 23 }, (_, i) => ({ roomId: 5000 + i, users: [`guest-${i}`] })),
    ],
  }],
};

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const lastHour = () => ({ StartTime: ago(3600), EndTime: ago(-60) });
type Form = ElicitRequest['params'] & { message: string; requestedSchema: { properties: Record<string, { type: string; title?: string }> } };
type Result = Awaited<ReturnType<Client['callTool']>> & { structuredContent?: Record<string, any> };

/** A client's human: answers each form with the next scripted answer, and remembers every form shown. */
function human(...answers: Array<(form: Form) => ReturnType<FormAnswer>>) {
  const forms: Form[] = [];
  const answer: FormAnswer = (params) => {
    forms.push(params as Form);
    const next = answers.shift();
    if (!next) throw new Error(`no answer scripted for: ${(params as Form).message}`);
    return next(params as Form);
  };
  return { forms, answer };
}

describe('the moderation story over stdio, 2026-07-28', () => {
  let sb: Sandbox;
  let conn: ModernConnected;
  const person = human(
    () => ({ action: 'accept', content: { confirm: true } }),
    (form) => ({ action: 'accept', content: { confirm: /Type "(\d+)" to confirm/.exec(form.message)![1]! } }),
  );
  const app = () => sb.world.apps.get(APP)!;
  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD });
    conn = await connectModernStdio(TOOLSETS, sandboxEnv(sb), { elicit: person.answer });
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });
  const call = async (name: string, args: Record<string, unknown>) => (await conn.client.callTool({ name, arguments: args })) as Result;
  const ok = async (name: string, args: Record<string, unknown>) => {
    const r = await call(name, args);
    expect(r.isError, text(r as never)).toBeFalsy();
    return r.structuredContent!;
  };

  it('is a 2026-07-28 connection: no initialize, the discover answer names the server', async () => {
    // The SDK's stdio client probes with server/discover on a sibling process, so this connection opens with a
    // request carrying the _meta envelope, and that decides its era.
    expect((await conn.client.listTools()).tools.map((t) => t.name)).toContain('DismissRoom');
    expect(conn.client.getProtocolEra()).toBe('modern');
    expect(conn.client.getServerVersion()).toMatchObject({ name: 'trtc-mcp' });
    expect(conn.client.getInstructions()).toContain('Every destructive call (some tools are destructive only with some arguments) needs the user\'s consent');
    expect(conn.stderr()).toContain('serving MCP over stdio era=2026-07-28');
  });

  it('finds the user with poor quality, mutes them, removes them and dismisses the room, consent asked in the result', async () => {
    // Who is in the call, and whose audio is lossy.
    const [room] = (await ok('DescribeRoomInfo', { ...lastHour(), RoomId: '1234' })).RoomList;
    const detail = await ok('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['aLoss'], StartTime: ago(1800), EndTime: ago(0) });
    const loss = (user: string) => {
      const series = detail.Data.find((d: { UserId: string }) => d.UserId === user).Content as Array<{ Value: number }>;
      return series.reduce((a, p) => a + p.Value, 0) / series.length;
    };
    expect(loss('mallory')).toBeGreaterThan(Math.max(loss('alice'), loss('bob')));

    // Muting is reversible: no consent asked.
    await ok('SetUserBlocked', { RoomId: 1234, UserId: 'mallory', IsMute: 1 });
    expect(sb.world.room(app(), 'int', 1234)!.users.get('mallory')!.block).toBe(1);
    expect(person.forms).toHaveLength(0);

    // Removing is destructive: the human sees exactly what will happen and ticks the box.
    const removed = await call('RemoveUser', { RoomId: 1234, UserIds: ['mallory'] });
    expect(removed.isError, text(removed as never)).toBeFalsy();
    expect(person.forms[0]!.message).toContain(`RemoveUser on app ${APP}`);
    expect(person.forms[0]!.message).toContain('UserIds: ["mallory"]');
    expect(person.forms[0]!.requestedSchema.properties.confirm).toMatchObject({ type: 'boolean' });
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);
    expect([...sb.world.room(app(), 'int', 1234)!.users.keys()]).toEqual(['alice', 'bob']);

    // Dismissing needs the room ID typed back, the same form as a pushed elicitation.
    const dismissed = await call('DismissRoom', { RoomId: 1234 });
    expect(dismissed.isError, text(dismissed as never)).toBeFalsy();
    expect(person.forms[1]!.message).toContain('Type "1234" to confirm.');
    expect(person.forms[1]!.requestedSchema.properties.confirm).toEqual({ type: 'string', title: 'Type "1234" to confirm' });
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    expect(sb.world.room(app(), 'int', 1234)).toBeUndefined();
  });
});

describe('consent refusals over Streamable HTTP, 2026-07-28', () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;
  const clients: Client[] = [];
  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD });
    srv = await spawnHttp(TOOLSETS, sandboxEnv(sb));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await srv.stop();
    await sb.close();
  });
  const connect = async (answer?: FormAnswer, fetchVia?: typeof fetch) => {
    const c = await connectModernHttp(srv.url, { elicit: answer, fetch: fetchVia });
    clients.push(c);
    return c;
  };
  const dismissals = () => cloudRequests(sb, 'DismissRoom').length;
  const roomExists = (id: number) => sb.world.room(sb.world.apps.get(APP)!, 'int', id) !== undefined;

  it.each([
    ['declines', { action: 'decline' }, 'The user declined; nothing was sent.'],
    ['cancels', { action: 'cancel' }, 'The user cancelled the request; nothing was sent.'],
    ['types the wrong room ID', { action: 'accept', content: { confirm: '1001' } }, 'The user did not type the confirmation value; nothing was sent.'],
  ] as const)('refuses when the human %s, and sends nothing', async (_, answer, refusal) => {
    const before = dismissals();
    const client = await connect(() => answer as never);
    const r = (await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 100 } })) as Result;
    expect(r.isError).toBe(true);
    expect(text(r as never)).toContain(refusal);
    expect(dismissals()).toBe(before);
    expect(roomExists(100)).toBe(true);
  });

  it('refuses a tampered requestState with -32602, and sends nothing', async () => {
    const before = dismissals();
    const client = await connect(() => ({ action: 'accept', content: { confirm: '101' } }), tamperingFetch((state) => `${state.slice(0, -4)}AAAA`));
    const err = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 101 } }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code: -32602, message: expect.stringContaining('Invalid requestState') });
    expect(dismissals()).toBe(before);
    expect(roomExists(101)).toBe(true);
  });

  it('refuses a requestState moved to other arguments (another room), and sends nothing', async () => {
    const before = dismissals();
    // The human agreed to dismiss room 102; the retry asks for room 103 with that answer and state.
    const client = await connect(() => ({ action: 'accept', content: { confirm: '102' } }), tamperingFetch((state) => state, { RoomId: 103 }));
    const err = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 102 } }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: -32602 });
    expect(dismissals()).toBe(before);
    expect(roomExists(102) && roomExists(103)).toBe(true);
  });

  it('accepts a requestState once: the replayed retry is refused with -32602', async () => {
    const retries: Array<{ body: string; headers: Headers }> = [];
    const recording: typeof fetch = async (url, init) => {
      if (typeof init?.body === 'string' && init.body.includes('"requestState"')) retries.push({ body: init.body, headers: new Headers(init.headers) });
      return fetch(url, init);
    };
    const client = await connect(() => ({ action: 'accept', content: { confirm: '104' } }), recording);
    const done = (await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 104 } })) as Result;
    expect(done.isError, text(done as never)).toBeFalsy();
    expect(roomExists(104)).toBe(false);
    const before = dismissals();

    expect(retries).toHaveLength(1);
    const replay = await fetch(`${srv.url}/mcp`, { method: 'POST', headers: retries[0]!.headers, body: retries[0]!.body });
    const answer = (await replay.json()) as { error?: { code: number; message: string } };
    expect(answer.error).toMatchObject({ code: -32602, message: expect.stringContaining('not used before') });
    expect(dismissals()).toBe(before);
  });

  it('gives a client that cannot fill forms the confirmationToken path', async () => {
    const client = await connect();
    const preview = (await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 105 } })) as Result;
    expect(text(preview as never)).toContain('Confirmation required; nothing was sent.');
    expect(roomExists(105)).toBe(true);
    const done = (await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 105, confirmationToken: confirmationTokenOf(preview as never) } })) as Result;
    expect(done.isError, text(done as never)).toBeFalsy();
    expect(roomExists(105)).toBe(false);
  });
});

/**
 * A fetch for the client's transport that alters the retry of a call: its requestState (and, optionally, its
 * arguments) before it leaves, as a client under someone else's control could.
 */
function tamperingFetch(state: (s: string) => string, args?: Record<string, unknown>): typeof fetch {
  return async (url, init) => {
    if (typeof init?.body === 'string' && init.body.includes('"requestState"')) {
      const message = JSON.parse(init.body) as { params: { requestState: string; arguments: Record<string, unknown> } };
      message.params.requestState = state(message.params.requestState);
      if (args) message.params.arguments = { ...message.params.arguments, ...args };
      return fetch(url, { ...init, body: JSON.stringify(message) });
    }
    return fetch(url, init);
  };
}

describe('logs and progress over Streamable HTTP, 2026-07-28', () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;
  let client: Client;
  const logs: Array<{ level: string; data: unknown }> = [];
  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD });
    srv = await spawnHttp(TOOLSETS, sandboxEnv(sb));
    client = await connectModernHttp(srv.url);
    client.setNotificationHandler('notifications/message', (n) => void logs.push({ level: n.params.level, data: n.params.data }));
  });
  afterAll(async () => {
    await client.close();
    await srv.stop();
    await sb.close();
  });
  const withLevel = (level?: string) => (level ? { 'io.modelcontextprotocol/logLevel': level } : {});

  it('sends log notifications only when the request asks for a level, and only at or above it', async () => {
    await client.callTool({ name: 'DescribeRoomInfo', arguments: lastHour() });
    expect(logs).toEqual([]);

    await client.callTool({ name: 'DescribeRoomInfo', arguments: lastHour(), _meta: withLevel('info') });
    expect(logs).toEqual([{ level: 'info', data: { tool: 'DescribeRoomInfo', ok: true } }]);

    // At "warning", a success is not worth a message; a failure is.
    await client.callTool({ name: 'DescribeRoomInfo', arguments: lastHour(), _meta: withLevel('warning') });
    const failed = (await client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: 'yesterday' }, _meta: withLevel('warning') })) as Result;
    expect(failed.isError).toBe(true);
    expect(logs).toEqual([{ level: 'info', data: { tool: 'DescribeRoomInfo', ok: true } }, { level: 'warning', data: { tool: 'DescribeRoomInfo', ok: false } }]);
  });

  it('sends progress notifications while fetching all pages', async () => {
    const progress: Array<{ progress: number; total?: number }> = [];
    const r = (await client.callTool({ name: 'DescribeRoomInfo', arguments: { ...lastHour(), PageSize: 10, AllPages: true } }, {
      onprogress: (p) => void progress.push({ progress: p.progress, total: p.total }),
    })) as Result;
    expect(r.structuredContent!.RoomList).toHaveLength(36);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
  });
});

describe('two replicas sharing a store, 2026-07-28', () => {
  let sb: Sandbox;
  let a: SpawnedHttp;
  let b: SpawnedHttp;
  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD });
    // Same credentials (so the same sealing key) and the same store: what replicas behind a load balancer share.
    [a, b] = await Promise.all([spawnHttp(TOOLSETS, sandboxEnv(sb)), spawnHttp(TOOLSETS, sandboxEnv(sb))]);
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await sb.close();
  });

  it('asks on one replica, accepts the answer on the other, and refuses the replay on the first', async () => {
    const retries: SentRetry[] = [];
    // Round one goes to replica A; the retry with the answer lands on replica B.
    const balancer = routeRetries((init) => fetch(`${b.url}/mcp`, init), retries);
    const client = await connectModernHttp(a.url, { elicit: () => ({ action: 'accept', content: { confirm: '110' } }), fetch: balancer });
    const done = (await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 110 } })) as Result;
    await client.close();
    expect(done.isError, text(done as never)).toBeFalsy();
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    // A asked (the round is on its record), B ran the call.
    expect(a.stderr()).toContain('tool=DismissRoom outcome=input-required');
    expect(a.stderr()).not.toContain('tool=DismissRoom outcome=ok');
    expect(b.stderr()).toContain('tool=DismissRoom outcome=ok');

    const replay = await fetch(`${a.url}/mcp`, { method: 'POST', headers: retries[0]!.headers, body: retries[0]!.body });
    expect(((await replay.json()) as { error?: { code: number } }).error).toMatchObject({ code: -32602 });
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    expect(a.stderr()).toContain('requestState refused tool=DismissRoom why="already used"');
  });
});
