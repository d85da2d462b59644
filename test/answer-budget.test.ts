// Every tool's default answer fits a model's context: under 4,000 characters of text for the sandbox's stories,
// with the facts first and the way to the rest named. The stories are acted out with their own arguments; every
// other tool is called once with arguments that pass the server's checks. The whole moderation story stays under
// 8,000 characters of results.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { ANSWER_BUDGET_CHARS } from '../src/server/budget.js';
import { CATALOG } from '../tools/index.js';
import examples from './fixtures/seed-examples.json' with { type: 'json' };
import { signCallback } from '../src/events/signature.js';
import { confirmationTokenOf, connectStdio, sandboxEnv, text, waitForLog, withSandbox, type Connected } from './helpers.js';
import { minimal, recentWindow } from './tool-args.js';

type Json = Record<string, any>;
type Result = CallToolResult & { structuredContent?: Json };
const APP = 1400000001;
const EXAMPLES = examples.actions as Record<string, Array<{ input: Json }>>;
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const lastHour = () => ({ StartTime: ago(3540), EndTime: ago(0) });
/** The whole moderation story's results, in characters of text (the issue that set it measured 20.9k before). */
const STORY_BUDGET_CHARS = 8_000;

describe('answer budget: every tool, for the sandbox stories', () => {
  let sb: Sandbox;
  let conn: Connected;
  /** A server on the China site, for the tools only it offers. */
  let cn: { sb: Sandbox; conn: Connected };
  const sizes = new Map<string, { chars: number; ok: boolean }>();
  const inputSchemas = new Map<string, Json>();

  /**
   * Calls a tool and keeps the largest answer it gave, in characters of text; a payload the tool carries whole (its
   * synthesised audio, for the client and never for reading) does not count.
   */
  const call = async (name: string, args: Json): Promise<Result> => {
    const on = inputSchemas.has(name) || !cnOnly.has(name) ? conn : cn.conn;
    const r = (await on.client.callTool({ name, arguments: args })) as Result;
    const payload = (CATALOG.find((d) => d.name === name)?.whole ?? []).reduce((n, k) => n + (JSON.stringify(r.structuredContent?.[k]) ?? '').length, 0);
    const chars = text(r).length - payload;
    const seen = sizes.get(name);
    if (!seen || chars > seen.chars) sizes.set(name, { chars, ok: !r.isError });
    return r;
  };
  const ok = async (name: string, args: Json) => {
    const r = await call(name, args);
    expect(r.isError, `${name}: ${text(r)}`).toBeFalsy();
    return r.structuredContent ?? {};
  };

  const cnOnly = new Map<string, Json>();
  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio(['--toolsets', 'all', '--rate-limit-scale', '100'], sandboxEnv(sb));
    for (const t of (await conn.client.listTools()).tools) inputSchemas.set(t.name, t.inputSchema);
    const cnSb = await withSandbox({ site: 'cn' });
    cn = { sb: cnSb, conn: await connectStdio(['--site', 'cn', '--toolsets', 'all', '--rate-limit-scale', '100'], sandboxEnv(cnSb)) };
    for (const t of (await cn.conn.client.listTools()).tools) if (!inputSchemas.has(t.name)) cnOnly.set(t.name, t.inputSchema);
  });
  afterAll(async () => {
    await Promise.all([conn.close(), cn.conn.close()]);
    await Promise.all([sb.close(), cn.sb.close()]);
  });

  it('keeps the moderation story under 8,000 characters of results, DescribeCallDetailInfo with every metric included', async () => {
    const story: Array<[string, number]> = [];
    const step = async (name: string, args: Json) => {
      const r = await call(name, args);
      story.push([name, text(r).length]);
      return r;
    };
    // Find the poor user and why, see the call and its metrics, mute, remove with consent, check she left.
    await step('DescribeUnusualEvent', { RoomId: '1234', ...lastHour() });
    const [room] = (await step('DescribeRoomInfo', { RoomId: '1234', ...lastHour() })).structuredContent!.RoomList;
    const metrics = await step('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['all'], ...lastHour() });
    expect(metrics.structuredContent!.Summary.find((s: Json) => s.Verdict === 'POOR').UserId).toBe('carol');
    await step('SetUserBlocked', { RoomId: 1234, UserId: 'carol', IsMute: 1 });
    const preview = await step('RemoveUser', { RoomId: 1234, UserIds: ['carol'] });
    const removed = await step('RemoveUser', { RoomId: 1234, UserIds: ['carol'], confirmationToken: confirmationTokenOf(preview) });
    expect(removed.isError, text(removed)).toBeFalsy();
    const users = await step('DescribeUserInfo', { CommId: room.CommId, ...lastHour() });
    expect(users.structuredContent!.UserList.find((u: Json) => u.UserId === 'carol')).toMatchObject({ Finished: true });
    const total = story.reduce((n, [, chars]) => n + chars, 0);
    console.log(`moderation story: ${total} characters of results (${story.map(([n, c]) => `${n} ${c}`).join(', ')})`);
    expect(total).toBeLessThanOrEqual(STORY_BUDGET_CHARS);
  });

  it('answers the quality, usage and dashboard reads of the stories within the budget, with the facts first', async () => {
    const [room] = (await ok('DescribeRoomInfo', { RoomId: '1234', ...lastHour() })).RoomList;
    const comm = { CommId: room.CommId, ...lastHour() };
    await ok('DescribeUserInfo', comm);
    await ok('DescribeUserEvent', { ...comm, RoomId: '1234', UserId: 'carol' });
    for (const DataType of [['all'], ['aLoss', 'bigvLoss', 'aBlock', 'bigvBlock', 'appCpu']]) {
      const r = await ok('DescribeCallDetailInfo', { ...comm, DataType });
      // The facts come first, in the JSON and in the notes.
      expect(Object.keys(r)[0]).toBe('Summary');
    }
    await ok('DescribeCallDetailInfo', { ...comm, DataType: ['aLoss', 'bigvLoss'], UserIds: ['carol'] });
    await ok('DescribeScaleInfo', { StartTime: ago(13 * 86400), EndTime: ago(0) });
    await ok('DescribeUnusualEvent', lastHour());
    const day = (d: number) => new Date(Date.now() - d * 86400_000).toISOString().slice(0, 10);
    for (const name of ['DescribeTrtcUsage', 'DescribeMixTranscodingUsage', 'DescribeRelayUsage']) {
      await ok(name, { StartTime: day(0), EndTime: day(0) });
      await ok(name, { StartTime: day(30), EndTime: day(0) });
    }
    await ok('DescribeRecordingUsage', { StartTime: day(0), EndTime: day(0), MixType: 'single' });
    await ok('DescribeTrtcRoomUsage', { StartTime: `${day(1)} 00:00`, EndTime: `${day(0)} 00:00` });
    await ok('DescribeTRTCRealTimeQualityData', { StartTime: ago(3540), EndTime: ago(0) });
    await ok('DescribeTRTCRealTimeQualityData', { RoomId: '1234', StartTime: ago(3540), EndTime: ago(0) });
    await ok('DescribeTRTCRealTimeScaleData', { StartTime: ago(3540), EndTime: ago(0) });
    await ok('DescribeTRTCMarketQualityData', { StartTime: day(29), EndTime: day(0), Period: 'h' });
    await ok('DescribeTRTCMarketScaleData', { StartTime: day(59), EndTime: day(0), Period: 'h' });
  });

  it('answers the AI bot story, the live room, speech and discovery within the budget', async () => {
    const { TaskId } = await ok('StartAIConversation', { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'ai_helper', TargetUserId: 'dana' } });
    await ok('ControlAIConversation', { TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'Hello dana, I am looking into it now.' } });
    await ok('QueryAIMessageList', { TaskId });
    await ok('DescribeAIConversation', { TaskId });
    const stop = await call('StopAIConversation', { TaskId });
    await ok('StopAIConversation', { TaskId, confirmationToken: confirmationTokenOf(stop) });
    await ok('live_get_room_info', { RoomId: 'live-show' });
    await ok('live_get_member_list', { RoomId: 'live-show', Next: '' });
    await ok('seat_list', { RoomId: 'live-show' });
    await ok('live_get_room_list', { Next: '', Count: 20 });
    await ok('TextToSpeech', { Text: 'Hello dana, a manager will call you back in five minutes.', Voice: { VoiceId: 'v-female-R2s4N9qJ' } });
    for (const query of ['how many minutes did we use today', 'record a room', 'who is watching a live room', 'order a pizza']) await ok('search_tools', { query });
    // The longest schemas leave their largest parts out, each reachable by name.
    for (const t of CATALOG) {
      const r = await call('describe_tool', { name: t.name });
      const note = r.content.slice(1).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
      for (const field of /Left out to save space: (.*)\./.exec(note)?.[1]?.match(/"field": "([^"]+)"/g) ?? []) {
        const name = field.slice('"field": "'.length, -1);
        const part = await call('describe_tool', { name: t.name, field: name });
        expect(part.isError, text(part)).toBeFalsy();
        expect(JSON.parse((part.content[0] as { text: string }).text)).toMatchObject({ name: t.name, field: name, schema: { type: expect.any(String) } });
      }
    }
  });

  it('answers every other tool within the budget, whatever it says', async () => {
    // Reads first, so that what the writes end or remove is still there to be read.
    const rest = CATALOG.filter((d) => !sizes.has(d.name)).sort((a, b) => Number(a.effect !== 'read') - Number(b.effect !== 'read'));
    for (const def of rest) {
      const schema = inputSchemas.get(def.name) ?? cnOnly.get(def.name)!;
      const args: Json = { ...(EXAMPLES[def.name]?.[0]?.input ?? (minimal(schema) as Json)), ...recentWindow(def, 3000) };
      for (const field of ['SdkAppId', 'SdkAppid']) if (field in args) args[field] = APP;
      for (const field of ['LLMConfig', 'TTSConfig']) if (typeof args[field] === 'string') delete args[field];
      const first = await call(def.name, args);
      const token = (first._meta as { confirmation?: { token: string } } | undefined)?.confirmation?.token;
      if (token) await call(def.name, { ...args, confirmationToken: token });
    }
    expect([...sizes.keys()]).toEqual(expect.arrayContaining(CATALOG.map((d) => d.name)));
  });

  it('kept every answer under 4,000 characters', () => {
    const over = [...sizes].filter(([, s]) => s.chars > ANSWER_BUDGET_CHARS).map(([n, s]) => `${n} ${s.chars}`);
    const largest = [...sizes].sort((a, b) => b[1].chars - a[1].chars).slice(0, 8).map(([n, s]) => `${n} ${s.chars}${s.ok ? '' : ' (error)'}`);
    console.log(`answers: ${sizes.size} tools, ${[...sizes.values()].filter((s) => s.ok).length} answered without error; largest: ${largest.join(', ')}`);
    expect(over).toEqual([]);
    expect(sizes.size).toBeGreaterThanOrEqual(CATALOG.length);
  });
});

describe('answer budget: the event tools', () => {
  it('answer a long page of callbacks within the budget, and the cursor then gives the rest, none twice', async () => {
    const KEY = 'budgetcallbackkey0001';
    const sb = await withSandbox();
    const store = mkdtempSync(join(tmpdir(), 'trtc-budget-events-'));
    const conn = await connectStdio(['--toolsets', 'events', '--callbacks-listen', '127.0.0.1:0'], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY, TRTC_MCP_STORE: store }));
    try {
      const [, url] = await waitForLog(conn.stderr, /receiving TRTC callbacks url=(\S+)/);
      for (let i = 0; i < 40; i++) {
        const now = Date.now() + i;
        const body = JSON.stringify({ EventGroupId: 1, EventType: 103, CallbackTs: now, EventInfo: { RoomId: 'big-room', EventTs: Math.floor(now / 1000), EventMsTs: now, UserId: `viewer-${i}-${'x'.repeat(40)}`, Role: 21, TerminalType: 3, UserType: 3, Reason: 1 } });
        const res = await fetch(url!, { method: 'POST', body, headers: { 'content-type': 'application/json', Sign: signCallback(KEY, body), SdkAppId: String(APP) } });
        expect(res.status).toBe(200);
      }
      const seen: string[] = [];
      let after = 0;
      for (let page = 0; page < 10; page++) {
        const r = (await conn.client.callTool({ name: 'list_events', arguments: { RoomId: 'big-room', limit: 100, after } })) as Result;
        expect(text(r).length).toBeLessThanOrEqual(ANSWER_BUDGET_CHARS);
        const sc = r.structuredContent!;
        seen.push(...sc.events.map((e: Json) => e.untrusted.UserId));
        after = sc.cursor;
        if (!sc.more) break;
        expect(text(r)).toContain(`call again with after ${sc.cursor}`);
      }
      expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `viewer-${i}-${'x'.repeat(40)}`));
    } finally {
      await conn.close();
      await sb.close();
      rmSync(store, { recursive: true, force: true });
    }
  });
});
