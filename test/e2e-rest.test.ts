// End to end for the IM-style REST tools: the built server, the SDK's real MCP client, and the sandbox serving
// both API families. Every REST tool in the catalog must succeed here at least once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '../tools/index.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { callConfirmed, cleanEnv, connectHttp, connectStdio, rememberSecret, restRequests, sandboxEnv, spawnHttp, text, withSandbox, type Connected } from './helpers.js';

const APP = 1400000001;
const REST_TOOLS = CATALOG.filter((d) => d.api.kind === 'rest');
const DESTRUCTIVE = new Set(REST_TOOLS.filter((d) => d.effect === 'destructive').map((d) => d.name));
/** The REST toolsets are not listed by default; room is here for the Cloud tools the stories use alongside. */
const TOOLSETS = ['--toolsets', 'room,live,seat,pk,call,conference'];
/** REST tools that answered without error at least once in this file. */
const exercised = new Set<string>();

type Args = Record<string, unknown>;

function tools(client: Client) {
  return {
    /** Calls a tool that should succeed; destructive ones go through the two-step confirmation, as a consenting user would. */
    async ok(name: string, args: Args): Promise<any> {
      const r = DESTRUCTIVE.has(name) ? await callConfirmed(client, name, args) : await client.callTool({ name, arguments: args });
      expect(r.isError, `${name}: ${text(r)}`).toBeFalsy();
      exercised.add(name);
      return r.structuredContent;
    },
    async fails(name: string, args: Args): Promise<string> {
      const r = DESTRUCTIVE.has(name) ? await callConfirmed(client, name, args) : await client.callTool({ name, arguments: args });
      expect(r.isError, `${name} should fail`).toBe(true);
      return text(r);
    },
  };
}

describe('REST tools over stdio', () => {
  let sb: Sandbox;
  let conn: Connected;
  let t: ReturnType<typeof tools>;
  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio(TOOLSETS, sandboxEnv(sb));
    t = tools(conn.client);
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });
  const app = () => sb.world.apps.get(APP)!;
  const enter = (room: string, ...users: string[]) => users.forEach((u) => expect(sb.rest.enter(app(), room, u), `${u} enters ${room}`).toBe(true));
  const trtcUsers = (room: string) => [...(sb.world.room(app(), 'str', room)?.users.keys() ?? [])];
  const live = (RoomId: string, extra: Args = {}) => t.ok('live_create_room', { RoomInfo: { RoomId, RoomType: 'Live', SeatTemplate: 'AudioSalon', ...extra } });

  it('lists every REST tool with a short name, its API in _meta, honest annotations and no SdkAppId', async () => {
    const listed = new Map((await conn.client.listTools()).tools.map((x) => [x.name, x]));
    const destructive = [
      'live_destroy_room', 'live_del_room_metadata', 'live_ban_member', 'live_del_robot', 'seat_kick_user', 'call_end',
      'conference_destroy_room', 'conference_ban_member', 'conference_kick_user_out', 'conference_delete_robot',
      // Destructive for some arguments only, or always because someone loses something.
      'seat_lock', 'seat_move_user', 'live_modify_admin', 'live_change_room_owner', 'conference_change_room_owner', 'pk_set_battle_score',
      'live_del_gift', 'live_del_gift_language', 'live_del_gift_category_language', 'live_del_gift_category_relations',
    ];
    for (const def of REST_TOOLS) {
      const tool = listed.get(def.name)!;
      expect(tool, def.name).toBeDefined();
      expect(def.name).toMatch(/^(live|seat|pk|call|conference)_[a-z_]+$/);
      expect(def.name.length).toBeLessThanOrEqual(40);
      expect(tool._meta).toEqual({ api: `v4/${(def.api as { service: string }).service}/${(def.api as { command: string }).command}` });
      expect(tool.annotations).toMatchObject({ readOnlyHint: def.effect === 'read', destructiveHint: destructive.includes(def.name), openWorldHint: true });
      expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('SdkAppId');
    }
    expect([...DESTRUCTIVE].sort()).toEqual([...destructive].sort());

    const create = listed.get('live_create_room')!.inputSchema.properties!.RoomInfo as any;
    expect(create.required).toEqual(['RoomId', 'RoomType', 'SeatTemplate']);
    expect(create.properties.RoomType).toMatchObject({ const: 'Live' });
    expect(create.properties.RoomId).toMatchObject({ type: 'string', maxLength: 48 });
    const call = listed.get('call_start_by_robot')!.inputSchema as any;
    expect(call.properties.Timeout).toMatchObject({ minimum: 10000, maximum: 600000 });
    expect(call.properties.CallInfo.properties.RoomIdType).toMatchObject({ enum: [1, 2] });
    expect((listed.get('conference_create_room')!.inputSchema.properties!.RoomInfo as any).properties.RoomType).toMatchObject({ const: 'Conference' });
  });

  it('runs the live story: create a room, seat a user, mute a member, battle another room, destroy the room', async () => {
    expect(await live('story-main', { Owner_Account: 'host1', MaxSeatCount: 8, RoomName: 'Main stage' })).toMatchObject({ RoomId: 'story-main', RequestId: expect.stringMatching(/^Id-/) });
    enter('story-main', 'host1', 'fan1', 'fan2');
    // A live room is a TRTC room with a string ID: the Cloud side sees the same users.
    expect(trtcUsers('story-main')).toEqual(['host1', 'fan1', 'fan2']);

    await t.ok('seat_pick_user', { RoomId: 'story-main', Index: 1, Member_Account: 'fan1' });
    const seats = await t.ok('seat_list', { RoomId: 'story-main' });
    expect(seats.SeatList).toHaveLength(8);
    expect(seats.SeatList[1]).toEqual({ Index: 1, Member_Account: 'fan1', IsTakenDisabled: false, IsVideoDisabled: false, IsAudioDisabled: false });

    const before = Math.floor(Date.now() / 1000);
    await t.ok('live_mute_member', { RoomId: 'story-main', MemberList_Account: ['fan2'], MuteTime: 120 });
    const muted = await t.ok('live_get_muted_member_list', { RoomId: 'story-main' });
    expect(muted.MutedAccountList).toHaveLength(1);
    expect(muted.MutedAccountList[0].Member_Account).toBe('fan2');
    expect(muted.MutedAccountList[0].MutedUntil).toBeGreaterThanOrEqual(before + 119);
    expect(muted.MutedAccountList[0].MutedUntil).toBeLessThanOrEqual(before + 122);

    await live('story-rival', { Owner_Account: 'host2' });
    const battle = await t.ok('pk_create_battle', { FromRoomId: 'story-main', ToRoomIdList: ['story-rival'], Duration: 60_000, ExtensionInfo: 'round 1' });
    expect(battle.Result).toEqual([{ RoomId: 'story-rival', ResultCode: 0, ResultMessage: '' }]);
    await t.ok('pk_set_battle_score', { BattleId: battle.BattleId, OpType: 1, ScoreList: [{ RoomId: 'story-main', Score: 30 }, { RoomId: 'story-rival', Score: 10 }] });
    const scored = await t.ok('pk_set_battle_score', { BattleId: battle.BattleId, OpType: 1, ScoreList: [{ RoomId: 'story-main', Score: 5 }, { RoomId: 'elsewhere', Score: 1 }] });
    expect(scored.Result).toEqual([{ RoomId: 'story-main', ResultCode: 0 }, { RoomId: 'elsewhere', ResultCode: 1 }]);
    const running = await t.ok('pk_get_battle_info', { BattleId: battle.BattleId });
    expect(running).toMatchObject({
      Duration: 60_000, Status: 1,
      FromRoomInfo: { RoomId: 'story-main', Score: 35, Owner_Account: 'host1' },
      ToRoomList: [{ RoomId: 'story-rival', Score: 10, Owner_Account: 'host2' }],
    });
    expect(running.EndTime - running.StartTime).toBe(60);
    expect(await t.fails('pk_create_battle', { FromRoomId: 'story-main', ToRoomIdList: ['story-rival'], Duration: 1000 })).toMatch(/100415: .*\nWhat to do: .*battle/);

    await t.ok('live_destroy_room', { RoomId: 'story-main' });
    expect(sb.world.room(app(), 'str', 'story-main')).toBeUndefined();
    expect(app().events.filter((e) => e.roomId === 'story-main').map((e) => e.type)).toContain('dismissed');
    expect(await t.fails('live_get_room_info', { RoomId: 'story-main' })).toMatch(/100004.*\nWhat to do: No such room.*\nRequestId: Id-/);
    expect(await t.ok('pk_get_battle_info', { BattleId: battle.BattleId, RoomId: 'story-rival' })).toMatchObject({ Status: 2 });
  });

  it('keeps seats, bans and robots consistent with the TRTC room the Cloud tools act on', async () => {
    await live('rel-1');
    enter('rel-1', 'ann', 'ben');
    await t.ok('seat_pick_user', { RoomId: 'rel-1', Index: 0, Member_Account: 'ann' });
    const removed = await callConfirmed(conn.client, 'RemoveUserByStrRoomId', { RoomId: 'rel-1', UserIds: ['ann'] });
    expect(removed.isError).toBeFalsy();
    expect((await t.ok('seat_list', { RoomId: 'rel-1' })).SeatList[0].Member_Account).toBe('');

    await t.ok('live_add_robot', { RoomId: 'rel-1', RobotList_Account: ['bot-a', 'bot-b'] });
    expect(trtcUsers('rel-1')).toEqual(['ben', 'bot-a', 'bot-b']);
    expect((await t.ok('live_get_robot', { RoomId: 'rel-1' })).RobotList_Account).toEqual(['bot-a', 'bot-b']);
    await t.ok('live_del_robot', { RoomId: 'rel-1', RobotList_Account: ['bot-a'] });
    expect(trtcUsers('rel-1')).toEqual(['ben', 'bot-b']);
    expect((await t.ok('live_get_member_list', { RoomId: 'rel-1', Next: '' }))).toMatchObject({ Next: '', MemberCount: 2, MemberList: [{ Member_Account: 'ben' }, { Member_Account: 'bot-b' }] });

    await t.ok('live_ban_member', { RoomId: 'rel-1', MemberList_Account: ['ben'], Duration: 600, Reason: 'spam' });
    expect(trtcUsers('rel-1')).toEqual(['bot-b']);
    expect(sb.rest.enter(app(), 'rel-1', 'ben')).toBe(false);
    const banned = await t.ok('live_get_banned_member_list', { RoomId: 'rel-1', Offset: 0, Limit: 10 });
    expect(banned).toMatchObject({ NextOffset: 0, BannedAccountList: [{ Member_Account: 'ben' }] });
    await t.ok('live_unban_member', { RoomId: 'rel-1', MemberList_Account: ['ben'] });
    expect((await t.ok('live_get_banned_member_list', { RoomId: 'rel-1' })).BannedAccountList).toEqual([]);
    enter('rel-1', 'ben');
  });

  it('manages a live room\'s settings, list, metadata, admins, owner, messages and statistics', async () => {
    await live('cfg-1', { Owner_Account: 'olga', Category: [1, 2] });
    await live('cfg-hidden', { IsPublicVisible: false });
    enter('cfg-1', 'v1', 'v2');
    await t.ok('live_update_room_info', { RoomInfo: { RoomId: 'cfg-1', RoomName: 'Renamed', Notice: 'Welcome', TakeSeatMode: 'ApplyToTake', ActivityStatus: 1 } });
    const info = await t.ok('live_get_room_info', { RoomId: 'cfg-1' });
    expect(info.RoomInfo).toMatchObject({ RoomName: 'Renamed', TakeSeatMode: 'ApplyToTake', ActivityStatus: 1, Category: [1, 2], ViewCount: 2, Owner_Account: 'olga' });

    const listed: Array<{ RoomId: string; ViewCount: number }> = [];
    for (let next = ''; ; ) {
      const p = await t.ok('live_get_room_list', { Next: next, Count: 1 });
      expect(p.RoomList).toHaveLength(1);
      listed.push(...p.RoomList);
      if (!(next = p.Next)) break;
    }
    expect(listed.length).toBeGreaterThan(1);
    expect(listed.map((r) => r.RoomId)).toContain('cfg-1');
    expect(listed.map((r) => r.RoomId)).not.toContain('cfg-hidden');
    expect(listed.map((r) => r.ViewCount)).toEqual(listed.map((r) => r.ViewCount).sort((a, b) => b - a));

    await t.ok('live_set_room_metadata', { RoomId: 'cfg-1', Metadata: [{ Key: 'theme', Value: 'dark' }, { Key: 'lang', Value: 'en' }] });
    await t.ok('live_set_room_metadata', { RoomId: 'cfg-1', Metadata: [{ Key: 'theme', Value: 'light' }] });
    expect((await t.ok('live_get_room_metadata', { RoomId: 'cfg-1', Keys: [] })).Metadata).toEqual([{ Key: 'theme', Value: 'light' }, { Key: 'lang', Value: 'en' }]);
    await t.ok('live_del_room_metadata', { RoomId: 'cfg-1', Keys: ['theme'] });
    expect((await t.ok('live_get_room_metadata', { RoomId: 'cfg-1', Keys: ['theme', 'lang'] })).Metadata).toEqual([{ Key: 'lang', Value: 'en' }]);
    const many = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await t.fails('live_set_room_metadata', { RoomId: 'cfg-1', Metadata: many })).toContain('100002');

    await t.ok('live_modify_admin', { RoomId: 'cfg-1', Admin_Account: ['a1', 'a2', 'a3', 'a4', 'a5'], OpType: 'add' });
    expect(await t.fails('live_modify_admin', { RoomId: 'cfg-1', Admin_Account: ['a6'], OpType: 'add' })).toMatch(/100020.*\nWhat to do: .*5 admins/);
    await t.ok('live_modify_admin', { RoomId: 'cfg-1', Admin_Account: ['a1', 'a2'], OpType: 'delete' });
    expect((await t.ok('live_get_admin_list', { RoomId: 'cfg-1' })).Admin_Account).toEqual(['a3', 'a4', 'a5']);

    await t.ok('live_change_room_owner', { RoomId: 'cfg-1', NewOwner_Account: 'v1' });
    expect((await t.ok('live_get_room_info', { RoomId: 'cfg-1' })).RoomInfo.Owner_Account).toBe('v1');

    await t.ok('live_send_text_msg', { RoomId: 'cfg-1', Sender_Account: 'v2', TextContent: 'hello', ExtensionInfo: '{"color":"red"}' });
    await t.ok('live_send_custom_msg', { RoomId: 'cfg-1', Sender_Account: 'v2', BusinessId: 'like', Data: '{"n":1}' });
    expect(await t.ok('live_get_room_stats', { RoomId: 'cfg-1' })).toMatchObject({ TotalViewers: 2, TotalMsgCount: 2, TotalGiftsSent: 0 });
    expect(await t.ok('live_get_gift_count', { RoomId: 'cfg-1', From_Account: 'v2' })).toMatchObject({ TotalCount: 0, TotalCoins: 0, GiftSenderCount: 0 });
  });

  it('moves, locks and frees seats with the documented policies', async () => {
    await live('seats-1', { MaxSeatCount: 4 });
    enter('seats-1', 'p1', 'p2', 'p3');
    await t.ok('seat_pick_user', { RoomId: 'seats-1', Index: 0, Member_Account: 'p1' });
    await t.ok('seat_pick_user', { RoomId: 'seats-1', Index: 1, Member_Account: 'p2' });
    const seatsOf = async () => (await t.ok('seat_list', { RoomId: 'seats-1' })).SeatList.map((s: { Member_Account: string }) => s.Member_Account);

    expect(await t.fails('seat_pick_user', { RoomId: 'seats-1', Index: 1, Member_Account: 'p3' })).toMatch(/100002: Seat 1 .* taken by p2/);
    expect(await t.fails('seat_pick_user', { RoomId: 'seats-1', Index: 2, Member_Account: 'stranger' })).toContain('100005');
    await t.ok('seat_switch', { RoomId: 'seats-1', ToIndex: 3, Member_Account: 'p1' });
    expect(await seatsOf()).toEqual(['', 'p2', '', 'p1']);
    expect(await t.fails('seat_move_user', { RoomId: 'seats-1', SeatIndex: 1, Member_Account: 'p1', Policy: 0 })).toContain('taken by p2');
    await t.ok('seat_move_user', { RoomId: 'seats-1', SeatIndex: 1, Member_Account: 'p1', Policy: 2 });
    expect(await seatsOf()).toEqual(['', 'p1', '', 'p2']);
    await t.ok('seat_move_user', { RoomId: 'seats-1', SeatIndex: 3, Member_Account: 'p1', Policy: 1 });
    expect(await seatsOf()).toEqual(['', '', '', 'p1']);

    await t.ok('seat_lock', { RoomId: 'seats-1', Index: 3, ForbidTaken: true, ForbidAudio: true });
    const locked = (await t.ok('seat_list', { RoomId: 'seats-1' })).SeatList[3];
    expect(locked).toEqual({ Index: 3, Member_Account: '', IsTakenDisabled: true, IsVideoDisabled: false, IsAudioDisabled: true });
    expect(await t.fails('seat_pick_user', { RoomId: 'seats-1', Index: 3, Member_Account: 'p3' })).toContain('locked');
    await t.ok('seat_pick_user', { RoomId: 'seats-1', Index: 2, Member_Account: 'p3' });
    await t.ok('seat_kick_user', { RoomId: 'seats-1', Member_Account: 'p3', Data: 'thanks' });
    expect(await seatsOf()).toEqual(['', '', '', '']);
    expect(await t.fails('seat_kick_user', { RoomId: 'seats-1', Member_Account: 'p3', Data: '' })).toContain('not on a seat');
  });

  it('runs the call story: start a call by robot, get its info, end it, and find its record', async () => {
    const started = await t.ok('call_start_by_robot', {
      Robot_Account: 'robot', CalleeList_Account: ['jack'], Timeout: 300_000, UserData: 'order-42',
      CallInfo: { MediaType: 'Video', RoomId: 'call-room-1', RoomIdType: 2 },
      OfflinePushInfo: { PushFlag: 0, Title: 'Incoming call', Desc: 'Support is calling' },
    });
    expect(started).toMatchObject({ CallId: expect.any(String), CallResult: [{ Callee_Account: 'jack', ResultCode: 0 }] });
    const info = await t.ok('call_get_info', { CallId: started.CallId });
    expect(info.CallInfo).toEqual({ CallId: started.CallId, MediaType: 'Video', ChatGroupId: '', RoomId: 'call-room-1', RoomIdType: 2 });
    expect(info.UserList).toEqual([{ User_Account: 'robot', Status: 'Calling' }, { User_Account: 'jack', Status: 'Waiting' }]);

    // Jack answers: his app enters the call's TRTC room.
    sb.world.join(app(), 'str', 'call-room-1', 'jack');
    expect((await t.ok('call_get_info', { CallId: started.CallId })).UserList[1]).toEqual({ User_Account: 'jack', Status: 'Calling' });

    await t.ok('call_end', { CallId: started.CallId });
    expect(sb.world.room(app(), 'str', 'call-room-1')).toBeUndefined();
    expect(await t.fails('call_get_info', { CallId: started.CallId })).toMatch(/101004.*\nWhat to do: No such call/);
    expect(await t.fails('call_end', { CallId: started.CallId })).toContain('101004');

    const records = await t.ok('call_get_records', {});
    expect(records.RecordList).toEqual([expect.objectContaining({ CallId: started.CallId, CallResult: 'NormalEnd', CallType: 'SingleCall', Caller_Account: 'robot' })]);
    expect((await t.ok('call_get_records', { CallResult: 'NotAnswer' })).RecordList).toEqual([]);
  });

  it('runs a conference: schedule, members, roles, marks, bans, kicks, robots and destruction', async () => {
    const start = Math.floor(Date.now() / 1000) + 3600;
    await t.ok('conference_create_room', {
      RoomInfo: { RoomId: 'conf-1', RoomType: 'Conference', RoomName: 'Weekly', Owner_Account: 'chair', ScheduleStartTime: start, IsSeatEnabled: true, MaxSeatCount: 6 },
      ScheduleInviteeList_Account: ['m1', 'm2'],
    });
    expect((await t.ok('conference_get_room_info', { RoomId: 'conf-1' })).RoomInfo).toMatchObject({
      RoomName: 'Weekly', RoomStatus: 'NotStarted', ScheduleStartTime: start, ScheduleEndTime: start + 3600, MaxSeatCount: 6, TakeSeatMode: 'FreeToTake', MemberCount: 0,
    });
    await t.ok('conference_update_room_info', { RoomInfo: { RoomId: 'conf-1', IsMessageDisabled: true, CustomInfo: 'agenda' } });
    enter('conf-1', 'chair', 'm1', 'm2', 'm3');
    expect((await t.ok('conference_get_room_info', { RoomId: 'conf-1' })).RoomInfo).toMatchObject({ IsMessageDisabled: true, CustomInfo: 'agenda', MemberCount: 4 });
    expect((await t.ok('seat_list', { RoomId: 'conf-1' })).SeatList).toHaveLength(6);

    await t.ok('conference_update_member_info', { RoomId: 'conf-1', MemberInfo: { Member_Account: 'm1', NameCard: 'Minutes', Role: 'Admin' } });
    await t.ok('conference_mark_member', { RoomId: 'conf-1', CommandType: 1, MemberList: [{ Member_Account: 'm2', Marks: [1001, 1002] }] });
    await t.ok('conference_mark_member', { RoomId: 'conf-1', CommandType: 2, MemberList: [{ Member_Account: 'm2', Marks: [1001] }] });
    const page1 = await t.ok('conference_get_member_list', { RoomId: 'conf-1', Count: 3 });
    expect(page1.MemberList).toEqual([
      { Member_Account: 'chair', NameCard: '', Role: 'RoomOwner', Marks: [], CustomInfo: '' },
      { Member_Account: 'm1', NameCard: 'Minutes', Role: 'Admin', Marks: [], CustomInfo: '' },
      { Member_Account: 'm2', NameCard: '', Role: 'Member', Marks: [1002], CustomInfo: '' },
    ]);
    const page2 = await t.ok('conference_get_member_list', { RoomId: 'conf-1', Next: page1.Next });
    expect(page2).toMatchObject({ Next: '', MemberList: [{ Member_Account: 'm3' }] });

    expect(await t.fails('conference_change_room_owner', { RoomId: 'conf-1', From_Account: 'm1', NewOwner_Account: 'm2' })).toContain('100006');
    await t.ok('conference_change_room_owner', { RoomId: 'conf-1', From_Account: 'chair', NewOwner_Account: 'm2' });

    expect(await t.fails('conference_kick_user_out', { RoomId: 'conf-1', MemberList_Account: ['ghost'], Reason: 'x' })).toMatch(/100005.*\nWhat to do: .*not a member/);
    await t.ok('conference_kick_user_out', { RoomId: 'conf-1', MemberList_Account: ['m3'], Reason: 'off topic' });
    expect(trtcUsers('conf-1')).toEqual(['chair', 'm1', 'm2']);
    await t.ok('conference_ban_member', { RoomId: 'conf-1', MemberList_Account: ['m1'], Reason: 'leaked the minutes', Duration: 3600 });
    expect(sb.rest.enter(app(), 'conf-1', 'm1')).toBe(false);
    expect((await t.ok('conference_get_banned_member_list', { RoomId: 'conf-1', Limit: 5 })).BannedAccountList).toMatchObject([{ Member_Account: 'm1' }]);
    await t.ok('conference_unban_member', { RoomId: 'conf-1', MemberList_Account: ['m1'] });

    await t.ok('conference_add_robot', { RoomId: 'conf-1', Member_Account: 'streamer' });
    expect(trtcUsers('conf-1')).toContain('streamer');
    await t.ok('conference_delete_robot', { RoomId: 'conf-1', Member_Account: 'streamer' });
    expect(trtcUsers('conf-1')).not.toContain('streamer');
    expect(await t.fails('live_add_robot', { RoomId: 'conf-1', RobotList_Account: ['bot'] })).toMatch(/100006: .*Conference room/);

    await t.ok('conference_destroy_room', { RoomId: 'conf-1' });
    expect(sb.world.room(app(), 'str', 'conf-1')).toBeUndefined();
    expect(await t.fails('conference_destroy_room', { RoomId: 'conf-1' })).toContain('100004');
  });

  it('answers 100211 for seats in a conference room without them', async () => {
    await t.ok('conference_create_room', { RoomInfo: { RoomId: 'conf-noseat', RoomType: 'Conference' } });
    expect(await t.fails('seat_list', { RoomId: 'conf-noseat' })).toMatch(/100211.*\nWhat to do: This room has no seats/);
  });

  it.each([
    ['a room ID over 48 bytes', 'live_create_room', { RoomInfo: { RoomId: 'é'.repeat(30), RoomType: 'Live', SeatTemplate: 'Karaoke' } }, ['RoomInfo.RoomId: must be at most 48 bytes in UTF-8']],
    ['a missing SeatTemplate', 'live_create_room', { RoomInfo: { RoomId: 'x', RoomType: 'Live' } }, ['RoomInfo.SeatTemplate: is required (one of "VideoDynamicGrid9Seats"']],
    ['a misspelt nested field', 'live_update_room_info', { RoomInfo: { RoomId: 'x', Roomname: 'y' } }, ['RoomInfo.Roomname: is not a parameter of this tool']],
    ['a wrong RoomType', 'conference_create_room', { RoomInfo: { RoomId: 'x', RoomType: 'Live' } }, ['RoomInfo.RoomType: must be one of "Conference"']],
    ['a conference shorter than 5 minutes', 'conference_create_room', { RoomInfo: { RoomId: 'x', RoomType: 'Conference', ScheduleStartTime: 2_000_000_000, ScheduleEndTime: 2_000_000_100 } }, ['RoomInfo.ScheduleEndTime: must be at least 300 s after the start']],
    ['a call Timeout over 10 minutes', 'call_start_by_robot', { Robot_Account: 'r', CalleeList_Account: ['a'], Timeout: 600_001, CallInfo: { MediaType: 'Audio' } }, ['Timeout: must be at most 600000']],
    ['a string room ID with RoomIdType 1', 'call_start_by_robot', { Robot_Account: 'r', CalleeList_Account: ['a'], Timeout: 30_000, CallInfo: { MediaType: 'Audio', RoomId: 'abc', RoomIdType: 1 } }, ['CallInfo.RoomId: "abc" is not a numeric room ID (a whole number from 1 to 4294967295), and RoomIdType 1 means a numeric room. For a string room, set RoomIdType to 2']],
    ['more than 20 members to ban', 'live_ban_member', { RoomId: 'x', MemberList_Account: Array.from({ length: 21 }, (_, i) => `u${i}`), Duration: 60 }, ['MemberList_Account: must have at most 20 items']],
    ['more than 5 admins at once', 'live_modify_admin', { RoomId: 'x', Admin_Account: ['1', '2', '3', '4', '5', '6'], OpType: 'add' }, ['Admin_Account: must have at most 5 items']],
    ['a mark below 1000', 'conference_mark_member', { RoomId: 'x', CommandType: 1, MemberList: [{ Member_Account: 'a', Marks: [7] }] }, ['MemberList[0].Marks[0]: must be at least 1000']],
    ['a Count over 20', 'live_get_room_list', { Next: '', Count: 50 }, ['Count: must be at most 20']],
    ['an unknown OpType', 'pk_set_battle_score', { BattleId: 'b', OpType: 3, ScoreList: [{ RoomId: 'r', Score: 1 }] }, ['OpType: must be one of 1, 2']],
    ['an SdkAppId, which REST tools do not take', 'live_get_room_info', { RoomId: 'x', SdkAppId: APP }, ['SdkAppId: is not a parameter of this tool']],
  ])('rejects %s without sending anything', async (_label, name, args, expected) => {
    const before = restRequests(sb).length;
    const r = await conn.client.callTool({ name, arguments: args });
    expect(r.isError).toBe(true);
    const message = text(r);
    for (const line of expected) expect(message).toContain(line);
    expect(message).toContain('nothing was sent');
    expect(restRequests(sb).length).toBe(before);
  });

  it('never writes a UserSig to its log, and every answer matched its documented output', () => {
    expect(conn.stderr()).toContain('tool call');
    expect(conn.stderr()).not.toContain('does not match the documented output');
    expect(conn.stderr()).not.toMatch(/usersig=(?!\[redacted\])/i);
    expect(conn.stderr()).not.toMatch(/eJ[\w*-]{60,}/);
  });

  it('keeps a gift catalogue with categories and names per language, and counts gifts sent in a room', async () => {
    await t.ok('live_add_gift', { GiftId: 'rose', Coins: 10, DefaultName: 'Rose', IconUrl: 'https://cdn.example.com/rose.png', ExtensionInfo: '{"rare":false}' });
    expect(await t.fails('live_add_gift', { GiftId: 'rose', Coins: 1, DefaultName: 'Rose' })).toContain('100002');
    expect(await t.ok('live_get_gift', { GiftId: 'rose' })).toMatchObject({ GiftInfo: { GiftId: 'rose', Coins: 10, Level: 0, DefaultName: 'Rose' } });
    expect(await t.fails('live_set_gift_language', { GiftId: 'rose', Language: 'zh-Hans', Desc: '花' })).toContain('needs a name');
    await t.ok('live_set_gift_language', { GiftId: 'rose', Language: 'zh-Hans', Name: '玫瑰' });
    await t.ok('live_set_gift_language', { GiftId: 'rose', Language: 'zh-Hans', Desc: '一朵花' });
    expect(await t.ok('live_get_gift_language', { GiftId: 'rose', Language: 'zh-Hans' })).toMatchObject({ GiftInfo: { Name: '玫瑰', Desc: '一朵花' } });
    await t.ok('live_del_gift_language', { GiftId: 'rose', Language: 'zh-Hans' });

    await t.ok('live_add_gift_category', { CategoryId: 'flowers', DefaultName: 'Flowers', DefaultDesc: 'Things that bloom' });
    expect(await t.ok('live_get_gift_category', { CategoryId: 'flowers' })).toMatchObject({ GiftCategoryInfo: { CategoryId: 'flowers', DefaultName: 'Flowers' } });
    await t.ok('live_set_gift_category_language', { CategoryId: 'flowers', Language: 'en', CategoryName: 'Flowers', CategoryDesc: 'Bloom' });
    expect(await t.ok('live_get_gift_category_language', { CategoryId: 'flowers', Language: 'en' })).toMatchObject({ CategoryInfo: { CategoryName: 'Flowers', CategoryDesc: 'Bloom' } });
    await t.ok('live_del_gift_category_language', { CategoryId: 'flowers', Language: 'en' });
    expect(await t.ok('live_add_gift_category_relations', { CategoryId: 'flowers', GiftIdList: ['rose', 'tulip'] })).toMatchObject({ InvalidGiftIdList: ['tulip'] });
    expect(await t.ok('live_get_gift_category_relations', { CategoryId: 'flowers' })).toMatchObject({ Relation: { CategoryId: 'flowers', GiftIdList: ['rose'] } });
    await t.ok('live_del_gift_category_relations', { CategoryId: 'flowers', GiftIdList: ['rose'] });
    expect((await t.ok('live_get_gift_category_relations', { CategoryId: 'flowers' })).Relation.GiftIdList).toEqual([]);
    expect(await t.fails('live_copy_default_gift_config', {})).toContain('only goes into an empty one');

    await t.ok('live_create_room', { RoomInfo: { RoomId: 'gift-show', RoomType: 'Live', SeatTemplate: 'AudioSalon' } });
    for (const u of ['fan', 'host']) expect(sb.rest.enter(sb.world.apps.get(APP)!, 'gift-show', u)).toBe(true);
    await t.ok('live_send_gift', { RoomId: 'gift-show', GiftId: 'rose', Count: 3, From_Account: 'fan', ReceiverList_Account: ['host'] });
    expect(await t.ok('live_get_gift_count', { RoomId: 'gift-show', From_Account: 'fan' })).toMatchObject({ Sequence: 1, TotalCount: 3, TotalCoins: 30, GiftSenderCount: 1 });
    expect(await t.fails('live_send_gift', { RoomId: 'gift-show', GiftId: 'rose', From_Account: 'stranger', ReceiverList_Account: ['host'] })).toContain('100005');
    await t.ok('live_del_gift', { GiftId: 'rose' });
    expect(await t.fails('live_get_gift', { GiftId: 'rose' })).toContain('does not exist');
  });

  it('fills an empty catalogue with the demo gifts', async () => {
    const other = await withSandbox();
    const c = await connectStdio(TOOLSETS, sandboxEnv(other));
    try {
      await tools(c.client).ok('live_copy_default_gift_config', {});
      expect((await tools(c.client).ok('live_get_gift_category_relations', { CategoryId: 'popular' })).Relation.GiftIdList).toHaveLength(5);
    } finally {
      await c.close();
      await other.close();
    }
  });

  it('finds one call\'s record by its CallId once the call has ended', async () => {
    const { CallId } = await t.ok('call_start_by_robot', { Robot_Account: 'robot', CalleeList_Account: ['jack', 'jill'], Timeout: 30_000, CallInfo: { MediaType: 'Audio' } });
    expect(await t.fails('call_get_record', { CallId })).toContain('101004');
    await t.ok('call_end', { CallId });
    expect((await t.ok('call_get_record', { CallId })).CallRecord).toMatchObject({ CallId, Caller_Account: 'robot', MediaType: 'Audio', CallType: 'MultiCall', CallResult: 'Cancel', StartTime: expect.any(Number) });
  });
});

describe('REST tools in the default sandbox', () => {
  it('serve from the in-process sandbox when nothing is configured, and say so', async () => {
    const conn = await connectStdio(['--toolsets', 'live,seat'], cleanEnv());
    try {
      const created = await conn.client.callTool({ name: 'live_create_room', arguments: { RoomInfo: { RoomId: 'default-1', RoomType: 'Live', SeatTemplate: 'Karaoke' } } });
      expect(created.structuredContent).toMatchObject({ RoomId: 'default-1' });
      expect(text(created)).toContain('Sandbox: this answer comes from the local TRTC emulator');
      const seats = await conn.client.callTool({ name: 'seat_list', arguments: { RoomId: 'default-1' } });
      expect((seats.structuredContent as { SeatList: unknown[] }).SeatList).toHaveLength(16);
    } finally {
      await conn.close();
    }
  });
});

describe('REST tools over Streamable HTTP', () => {
  it('create a live room, seat a user, and ring them from a robot', async () => {
    const sb = await withSandbox();
    const srv = await spawnHttp(TOOLSETS, sandboxEnv(sb));
    const client = await connectHttp(srv.url);
    try {
      const t = tools(client);
      await t.ok('live_create_room', { RoomInfo: { RoomId: 'http-1', RoomType: 'Live', SeatTemplate: 'VideoDynamicGrid9Seats' } });
      expect(sb.rest.enter(sb.world.apps.get(APP)!, 'http-1', 'viewer')).toBe(true);
      await t.ok('seat_pick_user', { RoomId: 'http-1', Index: 2, Member_Account: 'viewer' });
      expect((await t.ok('seat_list', { RoomId: 'http-1' })).SeatList).toHaveLength(9);
      const call = await t.ok('call_start_by_robot', { Robot_Account: 'bot', CalleeList_Account: ['viewer'], Timeout: 10_000, CallInfo: { MediaType: 'Audio', RoomId: '7788', RoomIdType: 1 } });
      expect((await t.ok('call_get_info', { CallId: call.CallId })).CallInfo).toMatchObject({ RoomId: '7788', RoomIdType: 1 });
      expect(restRequests(sb).map((r) => r.action)).toEqual([
        'live_engine_http_srv/create_room', 'room_engine_http_mic/pick_user_on_seat', 'room_engine_http_mic/get_seat_list',
        'call_engine_http_srv/start_call_by_robot', 'call_engine_http_srv/get_call_info',
      ]);
    } finally {
      await client.close();
      await srv.stop();
      await sb.close();
    }
  });
});

/**
 * Forwards to the sandbox and remembers every URL, so a test knows the real UserSig that was sent;
 * `rewrite` plays a network that alters the query on the way.
 */
async function recordingProxy(target: string, rewrite: (q: URLSearchParams) => void = () => {}) {
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url!);
    const url = new URL(req.url!, target);
    rewrite(url.searchParams);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const upstream = await fetch(url, { method: req.method, headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, urls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('REST failures become clear isError results', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await withSandbox({ world: { apps: [{ sdkAppId: APP }, { sdkAppId: 1400000002 }] } });
  });
  afterAll(() => sb.close());

  async function callWith(env: Record<string, string>, name: string, args: Args, flags: string[] = []) {
    const conn = await connectStdio([...TOOLSETS, ...flags], sandboxEnv(sb, env));
    try {
      const r = await conn.client.callTool({ name, arguments: args });
      return { result: r, stderr: conn.stderr() };
    } finally {
      await conn.close();
    }
  }

  it('a wrong SDK secret key: 70009, with what to fix', async () => {
    const { result } = await callWith({ TRTC_SDK_SECRET_KEY: 'not-the-secret-key-of-this-app' }, 'live_get_room_list', { Next: '', Count: 5 });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/live_get_room_list failed: 70009: .*\nWhat to do: .*TRTC_SDK_SECRET_KEY.*\nRequestId: Id-/);
  });

  it('an identifier that is not an app admin: 60010, naming TRTC_ADMIN_USER_ID', async () => {
    const { result } = await callWith({ TRTC_ADMIN_USER_ID: 'mallory' }, 'live_get_room_list', { Next: '', Count: 5 });
    expect(text(result)).toMatch(/60010: .*\nWhat to do: TRTC_ADMIN_USER_ID is not an admin/);
  });

  it('no SDK secret key: refused before sending, naming the setting', async () => {
    const before = restRequests(sb).length;
    const { result } = await callWith({ TRTC_SDK_SECRET_KEY: undefined as unknown as string }, 'live_get_room_list', { Next: '', Count: 5 });
    expect(text(result)).toMatch(/live_get_room_list was not sent: .*TRTC_SDK_SECRET_KEY/);
    expect(restRequests(sb).length).toBe(before);
  });

  it('an expired UserSig (the service clock two days ahead): 70001 after retrying with fresh signatures', async () => {
    const ahead = await withSandbox({ now: () => Date.now() + 2 * 86_400_000 });
    try {
      const conn = await connectStdio(TOOLSETS, sandboxEnv(ahead));
      const r = await callConfirmed(conn.client, 'live_destroy_room', { RoomId: 'any' });
      await conn.close();
      expect(text(r)).toMatch(/70001: The UserSig expired at .*\nWhat to do: .*clock/);
      expect(restRequests(ahead, 'live_engine_http_srv/destroy_room').map((x) => x.code)).toEqual(['70001', '70001', '70001']);
    } finally {
      await ahead.close();
    }
  });

  it.each([
    ['a UserSig cut short on the way: 70003', (q: URLSearchParams) => q.set('usersig', q.get('usersig')!.slice(0, 30)), /70003: .*\nWhat to do: The admin UserSig could not be read/],
    ['an identifier that is not the UserSig\'s: 70013', (q: URLSearchParams) => q.set('identifier', 'someone_else'), /70013: .*\nWhat to do: .*TRTC_ADMIN_USER_ID/],
    ['an sdkappid that is not the UserSig\'s: 70014', (q: URLSearchParams) => q.set('sdkappid', '1400000002'), /70014: .*\nWhat to do: .*TRTC_SDK_APP_ID/],
    ['an app the service does not know: 70020', (q: URLSearchParams) => q.set('sdkappid', '1400000003'), /70020: .*\nWhat to do: .*--rest-region/],
  ])('%s', async (_label, rewrite, message) => {
    const proxy = await recordingProxy(sb.url, rewrite);
    try {
      const { result } = await callWith({ TRTC_REST_ENDPOINT: proxy.url }, 'live_get_room_info', { RoomId: 'any' });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(message);
    } finally {
      await proxy.close();
    }
  });

  it('never lets the UserSig it sends reach the log, whatever happens to the request', async () => {
    const proxy = await recordingProxy(sb.url);
    try {
      const conn = await connectStdio([...TOOLSETS, '--log-level', 'debug'], sandboxEnv(sb, { TRTC_REST_ENDPOINT: proxy.url }));
      const results = [
        await conn.client.callTool({ name: 'live_get_room_list', arguments: { Next: '', Count: 5 } }),
        await conn.client.callTool({ name: 'live_get_room_info', arguments: { RoomId: 'no-such-room' } }),
      ];
      await conn.close();
      const sent = new Set(proxy.urls.map((u) => new URL(u, 'http://x').searchParams.get('usersig')!));
      expect(sent.size).toBe(1);
      const [sig] = [...sent] as [string];
      expect(sig).toMatch(/^eJ/);
      rememberSecret(sig);
      const stderr = conn.stderr();
      expect(stderr).toContain('rest call');
      expect(stderr).not.toContain(sig);
      expect(stderr).not.toContain(sig.slice(0, 40));
      for (const r of results) expect(JSON.stringify(r)).not.toContain(sig.slice(0, 40));
    } finally {
      await proxy.close();
    }
  });
});

describe('REST tools under the guardrails', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await withSandbox();
  });
  afterAll(() => sb.close());

  it('keeps every room a REST call names, invited battle rooms included, inside --allow-rooms', async () => {
    const conn = await connectStdio([...TOOLSETS, '--allow-rooms', 'show-*'], sandboxEnv(sb));
    try {
      const t = tools(conn.client);
      await t.ok('live_create_room', { RoomInfo: { RoomId: 'show-1', RoomType: 'Live', SeatTemplate: 'Karaoke' } });
      const before = restRequests(sb).length;
      for (const [name, args] of [
        ['pk_create_battle', { FromRoomId: 'show-1', ToRoomIdList: ['show-2', 'backstage'], Duration: 1000 }],
        ['live_get_room_info', { RoomId: 'backstage' }],
        ['call_start_by_robot', { Robot_Account: 'r', CalleeList_Account: ['a'], Timeout: 10_000, CallInfo: { MediaType: 'Audio', RoomId: 'backstage' } }],
      ] as const) {
        const r = await conn.client.callTool({ name, arguments: args });
        expect(text(r), name).toMatch(/Refused: (string )?room "backstage" is outside the rooms this server may touch/);
      }
      expect(restRequests(sb).length).toBe(before);
    } finally {
      await conn.close();
    }
  });

  it('asks a human to type the room ID back before destroying a live room, then sends exactly one request', async () => {
    const asked: string[] = [];
    const conn = await connectStdio(TOOLSETS, sandboxEnv(sb), (params) => {
      asked.push(params.message);
      return { action: 'accept', content: { confirm: 'doomed-1' } };
    });
    try {
      await tools(conn.client).ok('live_create_room', { RoomInfo: { RoomId: 'doomed-1', RoomType: 'Live', SeatTemplate: 'Karaoke' } });
      const r = await conn.client.callTool({ name: 'live_destroy_room', arguments: { RoomId: 'doomed-1' } });
      expect(r.isError, text(r)).toBeFalsy();
      expect(asked).toEqual([expect.stringMatching(/live_destroy_room on app 1400000001: .*\nEffect: destructive\n  RoomId: "doomed-1"\nType "doomed-1" to confirm\./s)]);
      expect(restRequests(sb, 'live_engine_http_srv/destroy_room')).toHaveLength(1);
      expect(sb.rest.of(sb.world.apps.get(APP)!).rooms.has('doomed-1')).toBe(false);
    } finally {
      await conn.close();
    }
  });
});

describe('REST tools on a misbehaving network', () => {
  it('a read survives a bad gateway and a garbled answer; a write whose answer is lost is reported, never repeated', async () => {
    const sb = await withSandbox();
    const conn = await connectStdio(TOOLSETS, sandboxEnv(sb));
    try {
      const t = tools(conn.client);
      await t.ok('live_create_room', { RoomInfo: { RoomId: 'flaky-1', RoomType: 'Live', SeatTemplate: 'Karaoke' } });
      sb.faults.inject({ kind: 'http5xx', action: 'live_engine_http_srv/get_room_info' });
      sb.faults.inject({ kind: 'malformed', action: 'live_engine_http_srv/get_room_info' });
      expect((await t.ok('live_get_room_info', { RoomId: 'flaky-1' })).RoomInfo.RoomId).toBe('flaky-1');
      expect(restRequests(sb, 'live_engine_http_srv/get_room_info').map((r) => r.code)).toEqual(['fault:http5xx', 'fault:malformed', '0']);

      sb.faults.inject({ kind: 'drop-after', action: 'live_engine_http_srv/send_text_msg' });
      const lost = await conn.client.callTool({ name: 'live_send_text_msg', arguments: { RoomId: 'flaky-1', Sender_Account: 'host', TextContent: 'once' } });
      expect(lost.isError).toBe(true);
      expect(text(lost)).toMatch(/The outcome is unknown/);
      expect(restRequests(sb, 'live_engine_http_srv/send_text_msg')).toHaveLength(1);
      expect((await t.ok('live_get_room_stats', { RoomId: 'flaky-1' })).TotalMsgCount).toBe(1);
    } finally {
      await conn.close();
      await sb.close();
    }
  });
});

describe('catalog coverage', () => {
  it('every REST tool succeeded end to end at least once', () => {
    expect(REST_TOOLS.map((d) => d.name).filter((n) => !exercised.has(n))).toEqual([]);
  });
});
