// Load: 100 concurrent Streamable HTTP sessions, 100 tool calls each, against one server process. Zero errors, and
// no session ever sees another's state: every session works on its own rooms, user, bot and metadata, with values
// that name the session and the step, and checks that every answer it gets is its own. Session-scoped settings
// (the logging level) and argument-bound consent (confirmation tokens) are checked not to cross sessions either.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { confirmationTokenOf, connectHttp, rememberSecret, restRequests, sandboxEnv, spawnHttp, text, withSandbox, type SpawnedHttp } from '../helpers.js';

const APP = 1400000001;
const SESSIONS = 100;
const CALLS = 100;
/** Each session's numeric TRTC room (with its user in it), live room, AI bot and session ID. */
const own = (s: number) => ({ room: 70_000 + s, user: `user-${s}`, live: `load-${s}`, bot: `bot-${s}`, sessionId: `load-${s}` });

const LLM_KEY = 'sk-load-0123456789abcdef';
const TTS_KEY = 'tts-load-0123456789abcdef';
rememberSecret(LLM_KEY, TTS_KEY);

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface Call {
  tool: string;
  ok: boolean;
  ms: number;
}

describe(`${SESSIONS} concurrent HTTP sessions`, () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;

  beforeAll(async () => {
    const rooms = Array.from({ length: SESSIONS }, (_, s) => ({ roomId: own(s).room, users: [own(s).user, `guest-${s}`] }));
    sb = await withSandbox({ world: { apps: [{ sdkAppId: APP, rooms }] }, rateLimitScale: 1000 });
    const llm = { LLMType: 'openai', Model: 'gpt-4o', APIKey: LLM_KEY, APIUrl: 'https://llm.example.com/v1/chat/completions' };
    const tts = { TTSType: 'tencent', AppId: 1300000000, SecretId: 'AKIDload', SecretKey: TTS_KEY, VoiceType: 101001 };
    srv = await spawnHttp(
      ['--toolsets', 'all', '--rate-limit-scale', '1000', '--max-sessions', String(SESSIONS)],
      sandboxEnv(sb, { TRTC_LLM_CONFIG: JSON.stringify(llm), TRTC_TTS_CONFIG: JSON.stringify(tts) }),
    );
  });
  afterAll(async () => {
    await srv?.stop();
    await sb?.close();
  });

  it(`runs ${CALLS} calls in each session with zero errors, each session seeing only its own state`, async () => {
    const clients = await Promise.all(Array.from({ length: SESSIONS }, () => connectHttp(srv.url)));
    // At the limit, one more session is refused, and the ones open are unaffected.
    await expect(connectHttp(srv.url)).rejects.toThrow(/Too many sessions \(limit 100\)/);

    // Confirmation tokens, published by each session for its neighbour to try.
    const tokens = Array.from({ length: SESSIONS }, () => deferred<string>());
    const started = Date.now();
    const results = await Promise.all(clients.map((client, s) => session(client, s, tokens)));
    const seconds = (Date.now() - started) / 1000;

    const calls = results.flatMap((r) => r.calls);
    const problems = results.flatMap((r) => r.problems);
    const ms = calls.map((c) => c.ms).sort((a, b) => a - b);
    const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]!;
    console.log(`load: ${calls.length} calls in ${SESSIONS} sessions in ${seconds.toFixed(1)} s: ${(calls.length / seconds).toFixed(0)} calls/s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
    expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).toEqual([]);
    expect(calls).toHaveLength(SESSIONS * CALLS);

    // Each session's log notifications are its own calls, exactly; the sessions that never set a level got none.
    for (const [s, r] of results.entries()) {
      const expected = s % 2 === 0 ? r.calls.map((c) => `${c.tool}:${c.ok}`).sort() : [];
      expect(r.logged.sort(), `session ${s}`).toEqual(expected);
    }

    // The sandbox saw each session's requests against its own room only, in the order the session sent them.
    const app = sb.world.apps.get(APP)!;
    for (const [s, r] of results.entries()) {
      const blocks = app.events.filter((e) => e.type === 'blocked' && e.roomId === own(s).room).map((e) => `${e.userId}:${e.detail!.IsMute}`);
      expect(blocks, `session ${s}`).toEqual(r.blocks.map((m) => `${own(s).user}:${m}`));
      expect(sb.rest.of(app).rooms.has(own(s).live), `session ${s}`).toBe(false);
    }
    // Previews and refused tokens sent nothing: one destroy request per session.
    expect(restRequests(sb, 'live_engine_http_srv/destroy_room')).toHaveLength(SESSIONS);

    await Promise.all(clients.map((c) => c.close()));
    const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { sessions: number };
    expect(health.sessions).toBe(0);
    // With the sessions closed, a new one is admitted again.
    const again = await connectHttp(srv.url);
    await again.ping();
    await again.close();
    expect(srv.stderr()).not.toMatch(/Uncaught|Unhandled|TypeError|RangeError|HTTP request failed/);
  }, 300_000);

  it("sends a call's log notification on the call's own stream, before its result", async () => {
    // A client that never opens the optional standalone stream (GET /mcp), speaking plain HTTP.
    const post = async (body: unknown, session?: string) => {
      const res = await fetch(`${srv.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(session && { 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' }) },
        body: JSON.stringify(body),
      });
      const messages = (await res.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as Record<string, any>);
      return { session: res.headers.get('mcp-session-id') ?? session, messages };
    };
    const { session } = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'plain', version: '1' } } });
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session!);
    await post({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'info' } }, session!);
    const { messages } = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'live_get_room_list', arguments: { Next: '', Count: 10 } } }, session!);
    expect(messages.map((m) => m.method ?? `result of ${m.id}`)).toEqual(['notifications/message', 'result of 3']);
    expect(messages[0]!.params, JSON.stringify(messages[1])).toMatchObject({ level: 'info', logger: 'trtc-mcp', data: { tool: 'live_get_room_list', ok: true } });
    await fetch(`${srv.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': session! } });
  });
});

/** One session's work: exactly CALLS tool calls, each answer checked to be about this session's own things. */
async function session(client: Client, s: number, tokens: Array<Deferred<string>>) {
  const me = own(s);
  const calls: Call[] = [];
  const problems: string[] = [];
  const logged: string[] = [];
  const blocks: number[] = [];
  // Even sessions ask for log notifications; odd ones never do, so any they get came from elsewhere.
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    const data = n.params.data as { tool: string; ok: boolean };
    logged.push(`${data.tool}:${data.ok}`);
  });
  if (s % 2 === 0) await client.setLoggingLevel('info');

  const call = async (tool: string, args: Record<string, unknown>, expectError = false): Promise<CallToolResult> => {
    const t0 = performance.now();
    let r: CallToolResult;
    try {
      r = (await client.callTool({ name: tool, arguments: args })) as CallToolResult;
    } catch (err) {
      problems.push(`session ${s} ${tool}: ${(err as Error).message}`);
      r = { isError: true, content: [] };
    }
    calls.push({ tool, ok: !r.isError, ms: Math.round(performance.now() - t0) });
    if (Boolean(r.isError) !== expectError) problems.push(`session ${s} ${tool} ${JSON.stringify(args)}: ${text(r).slice(0, 300)}`);
    return r;
  };
  const expectThat = (ok: boolean, what: string, got: unknown) => {
    if (!ok) problems.push(`session ${s}: ${what}, got ${JSON.stringify(got)?.slice(0, 300)}`);
  };

  await call('live_create_room', { RoomInfo: { RoomId: me.live, RoomType: 'Live', SeatTemplate: 'Karaoke' } });
  const started = await call('StartAIConversation', {
    RoomId: String(me.room), SessionId: me.sessionId, AgentConfig: { UserId: me.bot, TargetUserId: me.user }, LLMConfig: { profile: 'default' }, TTSConfig: { profile: 'default' },
  });
  const taskId = (started.structuredContent as { TaskId?: string } | undefined)?.TaskId;

  // Five kinds of call in turn: write metadata, read it back, block the user, describe the bot, read the room.
  for (let j = 0; j < CALLS - 5; j++) {
    const round = Math.floor(j / 5);
    const value = `session ${s} round ${round}`;
    switch (j % 5) {
      case 0:
        await call('live_set_room_metadata', { RoomId: me.live, Metadata: [{ Key: `owner-${s}`, Value: value }] });
        break;
      case 1: {
        const { Metadata } = ((await call('live_get_room_metadata', { RoomId: me.live, Keys: [] })).structuredContent ?? {}) as { Metadata?: unknown };
        expectThat(JSON.stringify(Metadata) === JSON.stringify([{ Key: `owner-${s}`, Value: value }]), `metadata of ${me.live} is "${value}"`, Metadata);
        break;
      }
      case 2: {
        const mute = (s + round) % 4;
        await call('SetUserBlocked', { RoomId: me.room, UserId: me.user, IsMute: mute });
        blocks.push(mute);
        break;
      }
      case 3: {
        const d = (await call('DescribeAIConversation', { TaskId: taskId ?? 'missing' })).structuredContent as Record<string, unknown> | undefined;
        expectThat(d?.TaskId === taskId && d?.SessionId === me.sessionId && d?.Status === 'InProgress', `bot task ${taskId} of ${me.sessionId}`, d);
        break;
      }
      case 4: {
        const info = (await call('live_get_room_info', { RoomId: me.live })).structuredContent as { RoomInfo?: { RoomId?: string } } | undefined;
        expectThat(info?.RoomInfo?.RoomId === me.live, `room info of ${me.live}`, info?.RoomInfo);
        break;
      }
    }
  }

  // Consent: the preview's token is bound to this session's exact arguments. The neighbour's token (for its own
  // room) does not open this room; this session's own token does, once.
  const preview = await call('live_destroy_room', { RoomId: me.live }, true);
  let token = '';
  try {
    token = confirmationTokenOf(preview);
  } catch (err) {
    problems.push(`session ${s}: ${(err as Error).message}`);
  }
  tokens[s]!.resolve(token);
  const neighbours = await tokens[(s + 1) % SESSIONS]!.promise;
  const crossed = await call('live_destroy_room', { RoomId: me.live, confirmationToken: neighbours }, true);
  expectThat(/^The confirmationToken does not match this call as it would run now/.test(text(crossed)), 'another session\'s token refused', text(crossed).slice(0, 200));
  await call('live_destroy_room', { RoomId: me.live, confirmationToken: token });
  return { calls, problems, logged, blocks };
}
