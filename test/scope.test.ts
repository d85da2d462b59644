// Scope holds for every way of naming a target, end to end: a hostile agent names tasks, calls, battles and call
// records (TaskId, CallId, BattleId, CommId, SessionId) in rooms and apps outside --allow-rooms/--allow-apps, through
// direct calls, call_tool, stdio and HTTP. Each attack is counted at the sandbox (nothing is sent for the action it
// names), and the legitimate path beside it still works: targets this server started resolve through the ledger,
// others through the reads the API offers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { ToolDef } from '../tools/define.js';
import { CATALOG } from '../tools/index.js';
import { callConfirmed, connectHttp, connectStdio, recordAttack, rememberSecret, sandboxEnv, spawnHttp, text, withSandbox, type Connected } from './helpers.js';

// The storage key in moderation and slicing arguments must never come back.
rememberSecret('cos-secret-for-scope-tests');

const APP = 1400000001;
const OTHER = 1400000002;
const SCOPE = ['--allow-rooms', 'team-*', '--allow-apps', String(APP), '--toolsets', 'all'];
type Result = Awaited<ReturnType<Client['callTool']>>;

const byName = new Map(CATALOG.map((d) => [d.name, d]));
const wireName = (d: ToolDef) => (d.api.kind === 'cloud' ? d.api.action : `${d.api.service}/${d.api.command}`);
const READS = new Set(CATALOG.filter((d) => d.effect === 'read').map(wireName));

let sb: Sandbox;
const dirs: string[] = [];
const conns: Connected[] = [];
const tempStore = () => {
  const d = mkdtempSync(join(tmpdir(), 'trtc-scope-store-'));
  dirs.push(d);
  return d;
};
async function server(args: string[], env: Record<string, string> = {}): Promise<Client> {
  const c = await connectStdio(args, sandboxEnv(sb, env));
  conns.push(c);
  return c.client;
}
const otherApp = () => sb.world.apps.get(OTHER)!;

/** Another operator's unscoped server, with its own store: what it starts, the scoped server's ledger never saw. */
let outsider: Client;
/** The scoped server under attack, with a fresh store. */
let scoped: Client;
let scopedStore: string;
const outsiderStore = () => dirs[0]!;

const ok = async (client: Client, name: string, args: Record<string, unknown>) => {
  const r = await callConfirmed(client, name, args);
  expect(r.isError, `${name}: ${text(r)}`).toBeFalsy();
  return r.structuredContent as Record<string, any>;
};

/**
 * Runs one attack and proves that it sent nothing: no write reached the sandbox, and no request for the tool it
 * named beyond the `lookups` the server itself makes to resolve a target (a read whose answer never reaches the agent).
 */
async function attack(name: string, tool: string, fn: () => Promise<Result>, lookups = 0): Promise<string> {
  const before = sb.requests.length;
  const r = await fn();
  const during = sb.requests.slice(before);
  const writes = during.filter((q) => q.action && !READS.has(q.action)).length;
  const own = during.filter((q) => q.action === wireName(byName.get(tool)!)).length - lookups;
  const sent = writes + Math.max(0, own);
  recordAttack(`scope: ${name}`, sent);
  expect(sent, name).toBe(0);
  expect(r.isError, `${name}: ${text(r)}`).toBe(true);
  expect(text(r)).toMatch(/^Refused: .*Nothing was sent\./s);
  // A refusal says that the target is outside, never where it is.
  expect(text(r)).not.toMatch(/secret-(room|a|b)|1400000002/);
  return text(r);
}

const ids: Record<string, string> = {};
const nowS = () => Math.floor(sb.world.now() / 1000);
const window = () => ({ StartTime: nowS() - 3600, EndTime: nowS() });

beforeAll(async () => {
  sb = await withSandbox({
    world: {
      apps: [
        { sdkAppId: APP, rooms: [{ roomId: 'team-1', users: ['alice', 'bob'] }, { roomId: 'secret-room', users: ['s1', 's2'] }, { roomId: 1234, users: ['x'] }] },
        { sdkAppId: OTHER, rooms: [{ roomId: 'team-2', users: ['z'] }] },
      ],
    },
  });
  const store = tempStore();
  outsider = await server(['--toolsets', 'all', '--dangerously-skip-consent'], { TRTC_MCP_STORE: store });
  // The same operator's server for the second app (bot UserSigs are minted with each app's own key).
  const outsiderOther = await server(['--toolsets', 'all', '--dangerously-skip-consent'], {
    TRTC_MCP_STORE: store, TRTC_SDK_APP_ID: String(OTHER), TRTC_SDK_SECRET_KEY: otherApp().sdkSecretKey,
  });
  scopedStore = tempStore();
  scoped = await server(SCOPE, { TRTC_MCP_STORE: scopedStore });

  ids.aiSecret = (await ok(outsider, 'StartAIConversation', { RoomId: 'secret-room', RoomIdType: 1, SessionId: 'sess-secret', AgentConfig: { UserId: 'bot_s', TargetUserId: 's1' } })).TaskId;
  ids.recSecret = (await ok(outsider, 'CreateCloudRecording', { RoomId: 'secret-room', RoomIdType: 0, UserId: 'rec_s', RecordParams: { RecordMode: 1 }, StorageParams: { CloudVod: { TencentVod: {} } } })).TaskId;
  ids.ingestSecret = (await ok(outsider, 'StartStreamIngest', { RoomId: 'secret-room', RoomIdType: 0, UserId: 'ing_s', StreamUrl: 'https://media.example.com/a.mp4' })).TaskId;
  ids.relaySecret = (await ok(outsider, 'StartPublishCdnStream', {
    RoomId: 'secret-room', RoomIdType: 1, WithTranscoding: 1, AgentParams: { UserId: 'relay_s' },
    AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 2, BitRate: 64 } }, PublishCdnParams: [{ PublishCdnUrl: 'rtmp://push.example.com/live/s', IsTencentCdn: 1 }],
  })).TaskId;
  const cos = { Vendor: 0, Region: 'ap-singapore', Bucket: 'clips-1300000000', AccessKey: 'AKID-cos', SecretKey: 'cos-secret-for-scope-tests' };
  ids.modSecret = (await ok(outsider, 'CreateCloudModeration', {
    RoomId: 'secret-room', RoomIdType: 0, UserId: 'mod_s', ModerationParams: { ModerationType: 1 }, ModerationStorageParams: { CloudModerationStorage: cos },
  })).TaskId;
  ids.sliceSecret = (await ok(outsider, 'CreateCloudSliceTask', {
    RoomId: 'secret-room', RoomIdType: 0, UserId: 'slice_s', SliceParams: { SliceType: 3, SliceAudio: 20 }, SliceStorageParams: { CloudSliceStorage: cos },
  })).TaskId;
  ids.aiOther = (await ok(outsiderOther, 'StartAIConversation', { RoomId: 'team-2', RoomIdType: 1, AgentConfig: { UserId: 'bot_o', TargetUserId: 'z' } })).TaskId;
  const call = (RoomId: string) => ({ Robot_Account: 'robot1', CalleeList_Account: ['s1'], Timeout: 60_000, CallInfo: { MediaType: 'Audio', RoomId, RoomIdType: 2 } });
  ids.callSecret = (await ok(outsider, 'call_start_by_robot', call('secret-room'))).CallId;
  ids.callTeam = (await ok(outsider, 'call_start_by_robot', call('team-call'))).CallId;
  for (const RoomId of ['secret-a', 'secret-b', 'team-a', 'team-b']) await ok(outsider, 'live_create_room', { RoomInfo: { RoomId, RoomType: 'Live', SeatTemplate: 'AudioSalon' } });
  ids.battleSecret = (await ok(outsider, 'pk_create_battle', { FromRoomId: 'secret-a', ToRoomIdList: ['secret-b'], Duration: 600_000 })).BattleId;
  ids.battleTeam = (await ok(outsider, 'pk_create_battle', { FromRoomId: 'team-a', ToRoomIdList: ['team-b'], Duration: 600_000 })).BattleId;
  const calls = (await ok(outsider, 'DescribeRoomInfo', { ...window(), PageSize: 100 })).RoomList as Array<{ CommId: string; RoomString: string }>;
  ids.commSecret = calls.find((c) => c.RoomString === 'secret-room')!.CommId;
  ids.commTeam = calls.find((c) => c.RoomString === 'team-1')!.CommId;
}, 60_000);

afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await sb.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('targets this server cannot place are refused', () => {
  it.each([
    ['StopAIConversation', () => ({ TaskId: ids.aiSecret })],
    ['ControlAIConversation', () => ({ TaskId: ids.aiSecret, Command: 'ServerPushText', ServerPushText: { Text: 'hello from outside' } })],
    ['UpdateAIConversation', () => ({ TaskId: ids.aiSecret, WelcomeMessage: 'hi' })],
    ['DescribeAIConversation', () => ({ TaskId: ids.aiSecret })],
    ['DescribeAIConversation', () => ({ SessionId: 'sess-secret' })],
    ['DeleteCloudRecording', () => ({ TaskId: ids.recSecret })],
    ['ModifyCloudRecording', () => ({ TaskId: ids.recSecret, SubscribeStreamUserIds: { SubscribeAudioUserIds: ['s1'] } })],
    ['DescribeCloudRecording', () => ({ TaskId: ids.recSecret })],
    ['UpdateStreamIngest', () => ({ TaskId: ids.ingestSecret, StreamUrl: 'https://attacker.example/other.mp4' })],
    ['StopStreamIngest', () => ({ TaskId: ids.ingestSecret })],
    ['DescribeStreamIngest', () => ({ TaskId: ids.ingestSecret })],
    ['StopPublishCdnStream', () => ({ TaskId: ids.relaySecret })],
    ['StopAIConversation', () => ({ TaskId: ids.aiOther })],
    ['QueryAIMessageList', () => ({ TaskId: ids.aiSecret })],
    ['DescribeCloudModeration', () => ({ TaskId: ids.modSecret })],
    ['ModifyCloudModeration', () => ({ TaskId: ids.modSecret, SubscribeStreamUserIds: { UnSubscribeAudioUserIds: ['s1'] } })],
    ['DeleteCloudModeration', () => ({ TaskId: ids.modSecret })],
    ['DescribeCloudSliceTask', () => ({ TaskId: ids.sliceSecret })],
    ['DeleteCloudSliceTask', () => ({ TaskId: ids.sliceSecret })],
  ])('%s naming a task it did not start (%#)', async (tool, args) => {
    const why = await attack(`${tool} ${JSON.stringify(args())}`, tool, () => scoped.callTool({ name: tool, arguments: args() }));
    expect(why).toMatch(/cannot tell which app and room (TaskId|SessionId) \S+ belongs to \(this server did not start it.*\).*Use a target this server started, or ask the operator to widen/s);
  });

  it('the secret tasks still run, untouched', () => {
    const running = sb.world.snapshot().tasks.filter((t: { running: boolean }) => t.running).map((t: { taskId: string }) => t.taskId);
    for (const id of [ids.aiSecret, ids.recSecret, ids.ingestSecret, ids.relaySecret, ids.aiOther, ids.modSecret, ids.sliceSecret]) expect(running).toContain(id);
    const ingest = [...sb.world.tasks.all(sb.world.apps.get(APP)!, (t) => t.id === ids.ingestSecret)][0]!;
    expect(ingest.config.StreamUrl).toBe('https://media.example.com/a.mp4');
  });
});

describe('targets resolved by a lookup', () => {
  it('call_end on a call in another room: call_get_info places it, and nothing is ended', async () => {
    const why = await attack('call_end in secret-room', 'call_end', () => scoped.callTool({ name: 'call_end', arguments: { CallId: ids.callSecret } }));
    expect(why).toMatch(/CallId \S+ acts in a room outside the rooms this server may touch \(team-\*\)\. Nothing was sent\./);
  });

  it('call_get_info and pk_get_battle_info answer nothing about targets elsewhere (their one lookup is not returned)', async () => {
    const info = await attack('call_get_info in secret-room', 'call_get_info', () => scoped.callTool({ name: 'call_get_info', arguments: { CallId: ids.callSecret } }));
    expect(info).not.toMatch(/s1|robot1|Calling/);
    // A second try is refused from the ledger, without a lookup.
    await attack('call_get_info in secret-room, again', 'call_get_info', () => scoped.callTool({ name: 'call_get_info', arguments: { CallId: ids.callSecret } }), 0);
    const battle = await attack('pk_get_battle_info of secret rooms', 'pk_get_battle_info', () => scoped.callTool({ name: 'pk_get_battle_info', arguments: { BattleId: ids.battleSecret } }), 1);
    expect(battle).toMatch(/BattleId \S+ acts in a room outside/);
    await attack('pk_set_battle_score naming in-scope rooms in a secret battle', 'pk_set_battle_score', () =>
      scoped.callTool({ name: 'pk_set_battle_score', arguments: { BattleId: ids.battleSecret, OpType: 1, ScoreList: [{ RoomId: 'team-a', Score: 5 }] } }));
  });

  it('a CommId of another room is refused, even next to an allowed RoomId', async () => {
    const user = await attack('DescribeUserInfo by CommId', 'DescribeUserInfo', () => scoped.callTool({ name: 'DescribeUserInfo', arguments: { CommId: ids.commSecret, ...window() } }));
    expect(user).toMatch(/CommId \S+ acts in a room outside/);
    await attack('DescribeCallDetailInfo by CommId', 'DescribeCallDetailInfo', () => scoped.callTool({ name: 'DescribeCallDetailInfo', arguments: { CommId: ids.commSecret, ...window() } }));
    await attack('DescribeUserEvent by CommId with RoomId team-1', 'DescribeUserEvent', () =>
      scoped.callTool({ name: 'DescribeUserEvent', arguments: { CommId: ids.commSecret, RoomId: 'team-1', UserId: 's1', ...window() } }));
  });

  it('the legitimate path: a call, a battle and a call record in allowed rooms resolve by lookup and work', async () => {
    const before = sb.requests.length;
    expect((await ok(scoped, 'call_get_info', { CallId: ids.callTeam })).CallInfo).toMatchObject({ RoomId: 'team-call' });
    expect(await ok(scoped, 'pk_get_battle_info', { BattleId: ids.battleTeam })).toMatchObject({ FromRoomInfo: { RoomId: 'team-a' } });
    expect((await ok(scoped, 'DescribeUserInfo', { CommId: ids.commTeam, ...window() })).UserList.map((u: { UserId: string }) => u.UserId).sort()).toEqual(['alice', 'bob']);
    await ok(scoped, 'call_end', { CallId: ids.callTeam });
    const actions = sb.requests.slice(before).map((q) => q.action);
    // One lookup each (call_get_info's finding is kept in the ledger, so call_end needs none), then the calls.
    expect(actions.filter((a) => a === 'call_engine_http_srv/get_call_info')).toHaveLength(2);
    expect(actions.filter((a) => a === 'call_engine_http_srv/end_call')).toHaveLength(1);
  });
});

describe('targets resolved by the ledger', () => {
  let shared: Client;
  beforeAll(async () => {
    // A scoped server sharing the store of the server that started the targets: its ledger knows them.
    shared = await server(SCOPE, { TRTC_MCP_STORE: outsiderStore() });
  });

  it.each([
    ['StopAIConversation', () => ({ TaskId: ids.aiSecret }), /TaskId \S+ acts in a room outside the rooms/],
    ['ControlAIConversation', () => ({ TaskId: ids.aiSecret, Command: 'ServerPushText', ServerPushText: { Text: 'x' } }), /acts in a room outside/],
    ['DescribeAIConversation', () => ({ SessionId: 'sess-secret' }), /SessionId "sess-secret" acts in a room outside/],
    ['UpdateStreamIngest', () => ({ TaskId: ids.ingestSecret, StreamUrl: 'https://attacker.example/x.mp4' }), /acts in a room outside/],
    ['DeleteCloudRecording', () => ({ TaskId: ids.recSecret }), /acts in a room outside/],
    ['StopAIConversation', () => ({ TaskId: ids.aiOther }), /TaskId \S+ belongs to an app outside the apps this server may touch \(1400000001\)/],
    ['DescribeCloudRecording', () => ({ SdkAppId: APP, TaskId: ids.aiOther }), /belongs to an app outside/],
    ['QueryAIMessageList', () => ({ TaskId: ids.aiSecret }), /acts in a room outside/],
    ['DeleteCloudModeration', () => ({ TaskId: ids.modSecret }), /acts in a room outside/],
    ['ModifyCloudSliceTask', () => ({ TaskId: ids.sliceSecret, SubscribeStreamUserIds: { UnSubscribeAudioUserIds: ['s1'] } }), /acts in a room outside/],
    ['call_end', () => ({ CallId: ids.callSecret }), /CallId \S+ acts in a room outside/],
    ['pk_get_battle_info', () => ({ BattleId: ids.battleSecret }), /acts in a room outside/],
  ])('%s is refused by what the ledger knows (%#)', async (tool, args, why) => {
    expect(await attack(`${tool} (ledger) ${JSON.stringify(args())}`, tool, () => shared.callTool({ name: tool, arguments: args() }))).toMatch(why);
  });

  it('with only --allow-apps, a read that finds a task by its TaskId alone is checked against the task\'s app', async () => {
    const appsOnly = await server(['--allow-apps', String(APP), '--toolsets', 'all'], { TRTC_MCP_STORE: outsiderStore() });
    const why = await attack('DescribeAIConversation of another app\'s task', 'DescribeAIConversation', () => appsOnly.callTool({ name: 'DescribeAIConversation', arguments: { SdkAppId: APP, TaskId: ids.aiOther } }));
    expect(why).toMatch(/belongs to an app outside the apps this server may touch \(1400000001\)/);
    expect(await ok(appsOnly, 'DescribeAIConversation', { TaskId: ids.aiSecret })).toMatchObject({ Status: 'InProgress' });
  });

  it('the legitimate path: a task this server started in an allowed room is driven by TaskId and SessionId', async () => {
    const { TaskId } = await ok(scoped, 'StartAIConversation', { RoomId: 'team-1', RoomIdType: 1, SessionId: 'sess-team', AgentConfig: { UserId: 'bot_t', TargetUserId: 'alice' } });
    expect(await ok(scoped, 'DescribeAIConversation', { SessionId: 'sess-team' })).toMatchObject({ TaskId, Status: 'InProgress' });
    await ok(scoped, 'ControlAIConversation', { TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'hello' } });
    await ok(scoped, 'StopAIConversation', { TaskId });
    expect(await ok(scoped, 'DescribeAIConversation', { TaskId })).toMatchObject({ Status: 'Stopped' });
  });
});

describe('rooms the service would pick, and lists', () => {
  it('refuses call_start_by_robot without a room when rooms are scoped, and starts one in an allowed room', async () => {
    const args = { Robot_Account: 'robot2', CalleeList_Account: ['alice'], Timeout: 60_000, CallInfo: { MediaType: 'Audio' } };
    const why = await attack('call_start_by_robot without a room', 'call_start_by_robot', () => scoped.callTool({ name: 'call_start_by_robot', arguments: args }));
    expect(why).toMatch(/without CallInfo\.RoomId lets the service pick the room.*Pass CallInfo\.RoomId/);
    const { CallId } = await ok(scoped, 'call_start_by_robot', { ...args, CallInfo: { MediaType: 'Audio', RoomId: 'team-9', RoomIdType: 2 } });
    // Started here, so it is in the ledger: ending it needs no lookup.
    const before = sb.requests.length;
    await ok(scoped, 'call_end', { CallId });
    expect(sb.requests.slice(before).map((q) => q.action)).toEqual(['call_engine_http_srv/end_call']);
  });

  it('DescribeRoomInfo without a RoomId lists only allowed rooms, and says how many were left out', async () => {
    const r = await scoped.callTool({ name: 'DescribeRoomInfo', arguments: { ...window(), PageSize: 100 } });
    const rooms = (r.structuredContent as { RoomList: Array<{ RoomString: string }> }).RoomList.map((x) => x.RoomString);
    const leaked = rooms.filter((room) => !room.startsWith('team-')).length;
    recordAttack('scope: DescribeRoomInfo lists every room', 0, leaked);
    expect(leaked).toBe(0);
    expect(rooms).toContain('team-1');
    const leftOut = (r._meta as { scope: { leftOut: number } }).scope.leftOut;
    expect(leftOut).toBeGreaterThanOrEqual(2);
    expect(text(r)).toContain(`Scope: ${leftOut} rows of rooms outside the rooms this server may touch (team-*) were left out.`);
  });

  it('live_get_room_list lists only allowed rooms, and says how many were left out', async () => {
    const r = await scoped.callTool({ name: 'live_get_room_list', arguments: { Next: '', Count: 20 } });
    const rooms = (r.structuredContent as { RoomList: Array<{ RoomId: string }> }).RoomList.map((x) => x.RoomId);
    const leaked = rooms.filter((room) => !room.startsWith('team-')).length;
    recordAttack('scope: live_get_room_list lists every room', 0, leaked);
    expect(leaked).toBe(0);
    expect(rooms.sort()).toEqual(['team-a', 'team-b']);
    expect(text(r)).toContain('Scope: 2 rows of rooms outside the rooms this server may touch (team-*) were left out.');
  });
});

describe('every path into the pipeline', () => {
  it('call_tool is refused the same way', async () => {
    const why = await attack('call_tool StopAIConversation', 'StopAIConversation', () =>
      scoped.callTool({ name: 'call_tool', arguments: { name: 'StopAIConversation', arguments: { TaskId: ids.aiSecret } } }));
    expect(why).toMatch(/cannot tell which app and room TaskId/);
  });

  it('Streamable HTTP and legacy SSE are refused the same way', async () => {
    const srv = await spawnHttp(SCOPE, sandboxEnv(sb, { TRTC_MCP_STORE: scopedStore }));
    try {
      for (const kind of ['streamable', 'sse'] as const) {
        const client = await connectHttp(srv.url, kind);
        await attack(`HTTP (${kind}) call_end in secret-room`, 'call_end', () => client.callTool({ name: 'call_end', arguments: { CallId: ids.callSecret } }));
        await attack(`HTTP (${kind}) UpdateStreamIngest`, 'UpdateStreamIngest', () =>
          client.callTool({ name: 'UpdateStreamIngest', arguments: { TaskId: ids.ingestSecret, StreamUrl: 'https://attacker.example/y.mp4' } }));
        await client.close();
      }
    } finally {
      await srv.stop();
    }
  });

  it('a dry run sends no lookup, so a target the ledger does not know is refused', async () => {
    const dry = await server([...SCOPE, '--dry-run'], { TRTC_MCP_STORE: tempStore() });
    const why = await attack('dry-run call_end', 'call_end', () => dry.callTool({ name: 'call_end', arguments: { CallId: ids.callTeam } }));
    expect(why).toMatch(/a dry run sends no lookup/);
  });
});
