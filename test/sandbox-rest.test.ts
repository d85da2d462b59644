// The sandbox's REST endpoint must be as strict as Tencent: it accepts admin UserSigs from Tencent's own
// generator (tls-sig-api-v2), and answers every malformed, mis-signed or mis-addressed request with the documented code.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { withSandbox } from './helpers.js';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (sdkappid: number, key: string) => { genUserSig(userid: string, expire: number): string } };

const APP = 1400000001;

/** A UserSig from Tencent's official generator, issued at `at` (ms). */
function officialSig(key: string, opts: { app?: number; user?: string; expire?: number; at?: number } = {}): string {
  vi.useFakeTimers({ now: opts.at ?? Date.now(), toFake: ['Date'] });
  try {
    return new Api(opts.app ?? APP, key).genUserSig(opts.user ?? 'administrator', opts.expire ?? 86_400);
  } finally {
    vi.useRealTimers();
  }
}

interface Envelope {
  ActionStatus: string;
  ErrorCode: number;
  ErrorInfo: string;
  RequestId: string;
  Response?: Record<string, any>;
  RoomId?: string;
}

async function rest(sb: Sandbox, command: string, body: unknown, query: Record<string, string | undefined> = {}, method = 'POST'): Promise<Envelope> {
  const key = sb.world.apps.get(APP)!.sdkSecretKey;
  const params: Record<string, string> = {};
  const all = { sdkappid: String(APP), identifier: 'administrator', usersig: officialSig(key), random: '123456789', contenttype: 'json', ...query };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) params[k] = v;
  const res = await fetch(`${sb.url}v4/${command}?${new URLSearchParams(params)}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Envelope;
}

describe('sandbox REST protocol', () => {
  let sb: Sandbox;
  let key: string;
  beforeAll(async () => {
    sb = await withSandbox();
    key = sb.world.apps.get(APP)!.sdkSecretKey;
  });
  afterAll(() => sb.close());

  it('accepts an admin UserSig from tls-sig-api-v2 and answers in the documented envelope', async () => {
    const r = await rest(sb, 'live_engine_http_srv/create_room', { RoomInfo: { RoomId: 'official-1', RoomType: 'Live', SeatTemplate: 'Karaoke' } });
    expect(r).toEqual({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', RequestId: expect.stringMatching(/^Id-[0-9a-f]{32}-O-Seq-\d+$/), RoomId: 'official-1' });
    const info = await rest(sb, 'live_engine_http_srv/get_room_info', { RoomId: 'official-1' });
    expect(info.Response!.RoomInfo).toMatchObject({ RoomId: 'official-1', RoomType: 'Live', Owner_Account: 'administrator', MaxSeatCount: 16 });
  });

  it.each([
    ['an expired UserSig', () => ({ usersig: officialSig(key, { at: Date.now() - 2 * 86_400_000 }) }), 70001],
    ['a truncated UserSig', () => ({ usersig: officialSig(key).slice(0, 40) }), 70003],
    ['an empty UserSig', () => ({ usersig: '' }), 70002],
    ['a UserSig signed with another key', () => ({ usersig: officialSig('not-the-app-key') }), 70009],
    ['a UserSig of another account', () => ({ usersig: officialSig(key, { user: 'mallory' }) }), 70013],
    ['a UserSig of another app', () => ({ usersig: officialSig(key, { app: 1400000002 }) }), 70014],
    ['a valid UserSig of a user who is not an admin', () => ({ identifier: 'mallory', usersig: officialSig(key, { user: 'mallory' }) }), 60010],
    ['no sdkappid', () => ({ sdkappid: undefined }), 60012],
    ['a sdkappid that is not a number', () => ({ sdkappid: 'app1' }), 60006],
    ['an unknown SDKAppID', () => ({ sdkappid: '1400999999' }), 70020],
    ['no identifier', () => ({ identifier: undefined }), 60004],
    ['a random above 32 bits', () => ({ random: '4294967296' }), 60002],
    ['no random', () => ({ random: undefined }), 60002],
    ['a content type other than json', () => ({ contenttype: 'xml' }), 60002],
  ])('answers %s with %i', async (_label, query, code) => {
    const r = await rest(sb, 'live_engine_http_srv/get_room_list', { Next: '', Count: 20 }, query());
    expect(r).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: code, RequestId: expect.stringMatching(/^Id-/) });
    expect(r.ErrorInfo.length).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown command', 'live_engine_http_srv/drop_everything', {}, 60009],
    ['a body that is not JSON', 'live_engine_http_srv/get_room_list', '{"Next":', 60003],
    ['an empty body', 'live_engine_http_srv/get_room_list', '', 60003],
    ['a user ID that is a number', 'live_engine_http_srv/change_room_owner', { RoomId: 'official-1', NewOwner_Account: 42 }, 60015],
    ['a missing required field', 'live_engine_http_srv/get_room_list', { Next: '' }, 100002],
    ['a Count above 20', 'live_engine_http_srv/get_room_list', { Next: '', Count: 21 }, 100002],
    ['an unknown field', 'live_engine_http_srv/destroy_room', { RoomId: 'official-1', Force: true }, 100002],
    ['a RoomType of the wrong product', 'room_engine_http_srv/create_room', { RoomInfo: { RoomId: 'c1', RoomType: 'Live' } }, 100002],
    ['a call Timeout below 10 s', 'call_engine_http_srv/start_call_by_robot', { Robot_Account: 'r', CalleeList_Account: ['a'], Timeout: 5000, CallInfo: { MediaType: 'Audio' } }, 101002],
    ['a room that does not exist', 'live_engine_http_srv/get_room_info', { RoomId: 'nowhere' }, 100004],
    ['a call that does not exist', 'call_engine_http_srv/get_call_info', { CallId: 'no-such-call' }, 101004],
  ])('answers %s with %i', async (_label, command, body, code) => {
    const r = await rest(sb, command, body);
    expect(r.ErrorCode).toBe(code);
    expect(r.ActionStatus).toBe('FAIL');
  });

  it('names the field and the rule when it refuses parameters', async () => {
    const r = await rest(sb, 'room_engine_http_mic/move_user_to_seat', { RoomId: 'official-1', SeatIndex: -1, Member_Account: 'a', Policy: 7 });
    expect(r.ErrorCode).toBe(100002);
    expect(r.ErrorInfo).toContain('SeatIndex: must be at least 0');
    expect(r.ErrorInfo).toContain('Policy: must be one of 0, 1, 2');
  });

  it('refuses other methods than POST', async () => {
    expect((await rest(sb, 'live_engine_http_srv/get_room_list', undefined, {}, 'GET')).ErrorCode).toBe(60002);
  });

  it('answers create_room for a taken ID with 100003, or 100010 when the owner is the same', async () => {
    const mine = await rest(sb, 'live_engine_http_srv/create_room', { RoomInfo: { RoomId: 'official-1', RoomType: 'Live', SeatTemplate: 'Karaoke' } });
    expect(mine.ErrorCode).toBe(100010);
    const theirs = await rest(sb, 'live_engine_http_srv/create_room', { RoomInfo: { RoomId: 'official-1', RoomType: 'Live', SeatTemplate: 'Karaoke', Owner_Account: 'zoe' } });
    expect(theirs.ErrorCode).toBe(100003);
  });

  it('allows creating the same room ID once per second (100012)', async () => {
    const body = { RoomInfo: { RoomId: 'flash', RoomType: 'Live', SeatTemplate: 'AudioSalon' } };
    expect((await rest(sb, 'live_engine_http_srv/create_room', body)).ErrorCode).toBe(0);
    expect((await rest(sb, 'live_engine_http_srv/destroy_room', { RoomId: 'flash' })).ErrorCode).toBe(0);
    expect((await rest(sb, 'live_engine_http_srv/create_room', body)).ErrorCode).toBe(100012);
  });
});

describe('sandbox REST rate limits', () => {
  it('holds get_room_list to its documented 10 requests per second (60007)', async () => {
    const frozen = Date.now();
    const sb = await withSandbox({ now: () => frozen });
    try {
      const codes = await Promise.all(Array.from({ length: 13 }, () => rest(sb, 'live_engine_http_srv/get_room_list', { Next: '', Count: 5 }).then((r) => r.ErrorCode)));
      expect(codes.filter((c) => c === 60007).length).toBe(3);
      expect(codes.filter((c) => c === 0).length).toBe(10);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox REST admins', () => {
  it('accepts a configured admin account besides "administrator"', async () => {
    const sb = await withSandbox({ admins: ['ops_admin'] });
    try {
      const key = sb.world.apps.get(APP)!.sdkSecretKey;
      const r = await rest(sb, 'live_engine_http_srv/get_room_list', { Next: '', Count: 5 }, { identifier: 'ops_admin', usersig: officialSig(key, { user: 'ops_admin' }) });
      expect(r.ErrorCode).toBe(0);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox REST state over time', () => {
  let clock = Date.now();
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await withSandbox({ now: () => clock });
  });
  afterAll(() => sb.close());
  const ok = async (command: string, body: unknown) => {
    const r = await rest(sb, command, body);
    expect(r.ErrorCode, `${command}: ${r.ErrorInfo}`).toBe(0);
    return r.Response ?? {};
  };

  it('ends a call that rang out unanswered, and records it as not answered', async () => {
    const { CallId } = await ok('call_engine_http_srv/start_call_by_robot', { Robot_Account: 'bot', CalleeList_Account: ['amy', 'raj'], Timeout: 10_000, CallInfo: { MediaType: 'Audio' } });
    expect((await ok('call_engine_http_srv/get_call_info', { CallId })).CallInfo.RoomId).toMatch(/^call_/);
    clock += 10_001;
    expect((await rest(sb, 'call_engine_http_srv/get_call_info', { CallId })).ErrorCode).toBe(101004);
    const records = await ok('call_record_http_srv/get_record_by_filter', { CallType: 'MultiCall' });
    expect(records).toMatchObject({ TotalCount: 1, RecordList: [{ CallId, CallResult: 'NotAnswer', AcceptTime: 0 }] });
  });

  it('ends a battle when its time is up, so its rooms may battle again', async () => {
    for (const id of ['t-a', 't-b']) await ok('live_engine_http_srv/create_room', { RoomInfo: { RoomId: id, RoomType: 'Live', SeatTemplate: 'Karaoke' } });
    const { BattleId } = await ok('live_engine_http_pk/create_battle', { FromRoomId: 't-a', ToRoomIdList: ['t-b'], Duration: 5000 });
    expect((await rest(sb, 'live_engine_http_pk/create_battle', { FromRoomId: 't-b', ToRoomIdList: ['t-a'], Duration: 5000 })).ErrorCode).toBe(100415);
    clock += 5000;
    expect((await ok('live_engine_http_pk/get_battle_info', { BattleId })).Status).toBe(2);
    await ok('live_engine_http_pk/create_battle', { FromRoomId: 't-b', ToRoomIdList: ['t-a'], Duration: 5000 });
  });

  it('answers 100412 when every invited room is busy, and code 3 for each busy one', async () => {
    for (const id of ['t-c', 't-d']) await ok('live_engine_http_srv/create_room', { RoomInfo: { RoomId: id, RoomType: 'Live', SeatTemplate: 'Karaoke' } });
    expect((await rest(sb, 'live_engine_http_pk/create_battle', { FromRoomId: 't-c', ToRoomIdList: ['t-a'], Duration: 5000 })).ErrorCode).toBe(100412);
    const mixed = await ok('live_engine_http_pk/create_battle', { FromRoomId: 't-c', ToRoomIdList: ['t-a', 't-d'], Duration: 5000 });
    expect(mixed.Result).toEqual([{ RoomId: 't-a', ResultCode: 3, ResultMessage: expect.any(String) }, { RoomId: 't-d', ResultCode: 0, ResultMessage: '' }]);
  });

  it('lets bans and mutes lapse', async () => {
    const app = sb.world.apps.get(APP)!;
    expect(sb.rest.enter(app, 't-a', 'kim')).toBe(true);
    await ok('live_engine_http_srv/ban_member', { RoomId: 't-a', MemberList_Account: ['kim'], Duration: 60 });
    await ok('live_engine_http_srv/mute_member', { RoomId: 't-a', MemberList_Account: ['lee'], MuteTime: 30 });
    expect(sb.rest.enter(app, 't-a', 'kim')).toBe(false);
    clock += 60_000;
    expect((await ok('live_engine_http_srv/get_banned_member_list', { RoomId: 't-a' })).BannedAccountList).toEqual([]);
    expect((await ok('live_engine_http_srv/get_muted_member_list', { RoomId: 't-a' })).MutedAccountList).toEqual([]);
    expect(sb.rest.enter(app, 't-a', 'kim')).toBe(true);
  });
});
