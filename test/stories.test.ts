// The headline stories, acted out as an agent would with the default tool list against the default sandbox world:
// no discovery call, and each story within its call budget. The facts the agent acts on come from the answers; the
// test checks them against the world the sandbox was seeded with.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { DEFAULT_WORLD } from '../src/sandbox/world.js';
import { cleanEnv, confirmationTokenOf, connectStdio, sandboxEnv, text, withSandbox, type Connected, type ElicitHandler } from './helpers.js';

type Result = CallToolResult & { structuredContent?: Record<string, any> };
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
/** The last hour, as DescribeUnusualEvent allows (at most an hour). */
const lastHour = () => ({ StartTime: ago(3540), EndTime: ago(0) });

/** A human who agrees to whatever they are asked, typing the value back when asked to. */
const agree: ElicitHandler = (params) => {
  const confirm = (params as unknown as { requestedSchema: { properties: { confirm: { type: string; title: string } } } }).requestedSchema.properties.confirm;
  return { action: 'accept', content: { confirm: confirm.type === 'string' ? /Type "(.*)" to confirm/.exec(confirm.title)![1]! : true } };
};

/** An agent's session: every call it makes is counted, and it may use only the tools the server lists. */
class Agent {
  calls: string[] = [];
  listed = new Set<string>();
  constructor(readonly client: Client) {}
  async start() {
    this.listed = new Set((await this.client.listTools()).tools.map((t) => t.name));
    return this;
  }
  async call(name: string, args: Record<string, unknown>): Promise<Result> {
    expect(this.listed.has(name), `${name} is in the default tool list`).toBe(true);
    this.calls.push(name);
    return (await this.client.callTool({ name, arguments: args })) as Result;
  }
  async ok(name: string, args: Record<string, unknown>): Promise<Result> {
    const r = await this.call(name, args);
    expect(r.isError, text(r)).toBeFalsy();
    return r;
  }
  /** A consent-needing call, as the agent makes it: once with elicitation, else previewed and repeated with the token. */
  async consented(name: string, args: Record<string, unknown>): Promise<Result> {
    const first = await this.call(name, args);
    if (!(first._meta as { confirmation?: unknown } | undefined)?.confirmation) return first;
    return this.call(name, { ...args, confirmationToken: confirmationTokenOf(first) });
  }
}

describe('the headline stories, from the default tool list against the default world', () => {
  let sb: Sandbox;
  let conn: Connected;
  const app = () => sb.world.apps.get(DEFAULT_WORLD.apps[0]!.sdkAppId)!;
  beforeEach(async () => {
    sb = await withSandbox();
  });
  afterEach(async () => {
    await conn?.close();
    await sb.close();
  });

  it.each([
    ['with elicitation', agree, 5],
    ['with confirmation tokens', undefined, 6],
  ] as const)('moderation %s: find the suffering user, mute, remove with consent, confirm the leave', async (_how, elicit, budget) => {
    conn = await connectStdio([], sandboxEnv(sb), elicit);
    const agent = await new Agent(conn.client).start();
    const seededPoor = [...app().quality].filter(([, q]) => q === 'poor').map(([u]) => u);

    // 1. Who is suffering in room 1234, and why.
    const unusual = await agent.ok('DescribeUnusualEvent', { RoomId: '1234', ...lastHour() });
    const sufferers = [...new Set(unusual.structuredContent!.AbnormalExperienceList.map((x: { UserId: string }) => x.UserId))];
    expect(sufferers).toHaveLength(1);
    const user = sufferers[0] as string;
    expect(seededPoor).toContain(user);
    expect(text(unusual)).toContain(`- ${user} in room 1234: Audio stuttered; likely causes: Upstream audio packet loss too high; Upstream network latency too high`);

    // 2. Mute them, 3. remove them with the human's consent.
    await agent.ok('SetUserBlocked', { RoomId: 1234, UserId: user, IsMute: 1 });
    expect(app().rooms.get('int:1234')!.users.get(user)!.block).toBe(1);
    const removed = await agent.consented('RemoveUser', { RoomId: 1234, UserIds: [user] });
    expect(removed.isError, text(removed)).toBeFalsy();

    // 4. Confirm the leave: the call's ID, then its users.
    const [call] = (await agent.ok('DescribeRoomInfo', { RoomId: '1234', StartTime: ago(3600), EndTime: ago(-60) })).structuredContent!.RoomList;
    const users = await agent.ok('DescribeUserInfo', { CommId: call.CommId, StartTime: ago(3600), EndTime: ago(-60) });
    expect(users.structuredContent!.UserList.find((u: { UserId: string }) => u.UserId === user)).toMatchObject({ Finished: true });
    const stillThere = [...app().rooms.get('int:1234')!.users.keys()].sort();
    expect(stillThere).not.toContain(user);
    expect(text(users)).toContain(`still in the call: ${stillThere.join(', ')} (`);

    console.log(`moderation story ${_how}: ${agent.calls.length} calls (${agent.calls.join(', ')})`);
    expect(agent.calls.filter((n) => ['search_tools', 'describe_tool', 'call_tool'].includes(n))).toEqual([]);
    expect(agent.calls.length).toBeLessThanOrEqual(budget);
  });

  it.each([
    ['with elicitation', agree, 4],
    ['with confirmation tokens', undefined, 5],
  ] as const)('AI bot %s: start in a string room, make it speak, check, stop with consent', async (_how, elicit, budget) => {
    conn = await connectStdio([], sandboxEnv(sb), elicit);
    const agent = await new Agent(conn.client).start();
    // The string room whose user talks to a bot, as the world was seeded.
    const room = DEFAULT_WORLD.apps[0]!.rooms!.find((r) => typeof r.roomId === 'string' && r.script?.length)!;
    const target = room.script![0]!.userId;

    const started = await agent.ok('StartAIConversation', { RoomId: room.roomId, RoomIdType: 1, AgentConfig: { UserId: 'ai_helper', TargetUserId: target } });
    const taskId = started.structuredContent!.TaskId as string;
    const line = `Hello ${target}, I am looking into it now.`;
    await agent.ok('ControlAIConversation', { TaskId: taskId, Command: 'ServerPushText', ServerPushText: { Text: line } });
    const said = await agent.ok('QueryAIMessageList', { TaskId: taskId });
    expect(said.structuredContent!.MessageList).toContainEqual({ Role: 'assistant', Content: line });
    const stopped = await agent.consented('StopAIConversation', { TaskId: taskId });
    expect(stopped.isError, text(stopped)).toBeFalsy();
    expect(sb.world.tasks.find(app(), taskId)!.endedAt).toBeDefined();

    console.log(`AI bot story ${_how}: ${agent.calls.length} calls (${agent.calls.join(', ')})`);
    expect(agent.calls.length).toBeLessThanOrEqual(budget);
  });
});

describe('the default world: every quality tool agrees on who suffers and why', () => {
  let sb: Sandbox;
  let conn: Connected;
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });

  it('names carol on a weak mobile uplink in every answer about room 1234', async () => {
    sb = await withSandbox();
    conn = await connectStdio(['--toolsets', 'quality'], sandboxEnv(sb));
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = (await conn.client.callTool({ name, arguments: args })) as Result;
      expect(r.isError, text(r)).toBeFalsy();
      return r;
    };
    const app = sb.world.apps.get(DEFAULT_WORLD.apps[0]!.sdkAppId)!;
    const poor = [...app.quality].filter(([, q]) => q === 'poor').map(([u]) => u);
    expect(poor).toEqual(['carol']);
    const others = [...app.rooms.get('int:1234')!.users.keys()].filter((u) => u !== 'carol');

    const [room] = (await call('DescribeRoomInfo', { RoomId: '1234', StartTime: ago(3600), EndTime: ago(-60) })).structuredContent!.RoomList;
    // Metrics: carol's loss and stutter are poor, her CPU is not; nobody else has a poor metric.
    const metrics = await call('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['aLoss', 'bigvLoss', 'aBlock', 'bigvBlock', 'appCpu', 'sysCpu'], ...lastHour() });
    expect(text(metrics)).toMatch(/- carol \(sending\): POOR \(audio packet loss [\d.]+ %, video packet loss [\d.]+ %, audio stutter [\d.]+ ms, video stutter [\d.]+ ms\)\n/);
    for (const u of others) expect(text(metrics)).toContain(`- ${u} (sending): no poor metric`);
    const carol = metrics.structuredContent!.Summary.find((s: { UserId: string }) => s.UserId === 'carol');
    expect(carol.Average.appCpu).toBeLessThan(80);
    expect(carol.Average.sysCpu).toBeLessThan(90);
    // Bad experiences: only carol, caused by loss and latency, never by the device.
    const unusual = await call('DescribeUnusualEvent', { RoomId: '1234', ...lastHour() });
    const list = unusual.structuredContent!.AbnormalExperienceList as Array<{ UserId: string; AbnormalEventList: Array<{ Meaning: string }> }>;
    expect(new Set(list.map((x) => x.UserId))).toEqual(new Set(['carol']));
    expect(list.flatMap((x) => x.AbnormalEventList.map((e) => e.Meaning)).every((m) => /packet loss|latency/.test(m))).toBe(true);
    // Her own events: she joined on a mobile network, and her video fell back to a low resolution.
    const events = await call('DescribeUserEvent', { CommId: room.CommId, RoomId: '1234', UserId: 'carol', StartTime: ago(3600), EndTime: ago(-60) });
    const meanings = events.structuredContent!.Data.find((l: { PeerId: string }) => l.PeerId === 'carol').Content.map((e: { Meaning: string }) => e.Meaning);
    expect(meanings).toEqual(expect.arrayContaining(['Network is 3G', 'Video resolution changed to 320x240']));
    // Who she is: a phone, as a mobile network implies.
    const info = await call('DescribeUserInfo', { CommId: room.CommId, UserIds: ['carol'], StartTime: ago(3600), EndTime: ago(-60) });
    expect(info.structuredContent!.UserList[0]).toMatchObject({ UserId: 'carol', Finished: false, DeviceType: expect.stringMatching(/^(iPhone|Android)$/) });
    // The real-time dashboard of room 1234 stutters because of her: clearly above a room of good connections.
    const rt = await call('DescribeTRTCRealTimeQualityData', { RoomId: '1234', StartTime: ago(120), EndTime: ago(0) });
    const rows = rt.structuredContent!.Data.Series[0].Values.map((v: { RowValue: number[] }) => v.RowValue);
    expect(Math.min(...rows.map((r: number[]) => r[1]))).toBeGreaterThanOrEqual(3);
    const calm = await call('DescribeTRTCRealTimeQualityData', { RoomId: 'class-101', StartTime: ago(120), EndTime: ago(0) });
    expect(Math.max(...calm.structuredContent!.Data.Series[0].Values.map((v: { RowValue: number[] }) => v.RowValue[1]))).toBeLessThanOrEqual(1);
  });
});

describe('the default world, as trtc://sandbox/world shows it', () => {
  let conn: Connected;
  afterAll(async () => {
    await conn.close();
  });

  it('says what each story room is for, who is on a poor connection, and holds a live room with its host on a seat', async () => {
    // The server's own sandbox, as a newcomer starts it.
    conn = await connectStdio(['--sandbox', '--toolsets', 'room,live,seat'], cleanEnv());
    const world = JSON.parse(((await conn.client.readResource({ uri: 'trtc://sandbox/world' })).contents[0] as { text: string }).text);
    const rooms = new Map<unknown, { about?: string; idType: string; users: Array<{ userId: string; quality?: string; role?: string }> }>(
      world.apps[0].rooms.map((r: { roomId: unknown }) => [r.roomId, r]),
    );
    const seeded = new Map(DEFAULT_WORLD.apps[0]!.rooms!.map((r) => [r.roomId, r]));
    for (const id of [1234, 'helpdesk', 'live-show']) expect(rooms.get(id)!.about, String(id)).toBe(seeded.get(id)!.about);
    expect(rooms.get(1234)!.users.filter((u) => u.quality === 'poor').map((u) => u.userId)).toEqual(['carol']);
    expect(rooms.get('helpdesk')!.idType).toBe('string');
    expect(rooms.get('live-show')!.users.map((u) => [u.userId, u.role ?? 'anchor'])).toEqual([['host-1', 'anchor'], ['fan-1', 'audience'], ['fan-2', 'audience']]);

    // The live room answers the TUILiveKit commands: its info, its members, its host on seat 0.
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = (await conn.client.callTool({ name, arguments: args })) as Result;
      expect(r.isError, text(r)).toBeFalsy();
      return r.structuredContent!;
    };
    expect(await call('live_get_room_info', { RoomId: 'live-show' })).toMatchObject({ RoomInfo: { RoomName: 'Evening show', Owner_Account: 'host-1' } });
    const members = (await call('live_get_member_list', { RoomId: 'live-show', Next: '' })).MemberList.map((m: { Member_Account: string }) => m.Member_Account);
    expect(members.sort()).toEqual(['fan-1', 'fan-2', 'host-1']);
    expect((await call('seat_list', { RoomId: 'live-show' })).SeatList[0]).toMatchObject({ Index: 0, Member_Account: 'host-1' });
  });
});
