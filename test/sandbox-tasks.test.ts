// The sandbox's task APIs, spoken to with Tencent's official Node SDK: the seed's examples are accepted as they are,
// tasks move through their documented statuses (on an adjustable clock), bot UserSigs are checked with the app's
// SDK secret key, and every failure carries an error code the docs list for the action.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { recordHandlers } from '../src/sandbox/handlers/record.js';
import { ENDED_VISIBLE_MS } from '../src/sandbox/tasks.js';
import { World, type WorldSeed } from '../src/sandbox/world.js';
import { genUserSig } from '../src/signing/usersig.js';
import { CATALOG } from '../tools/index.js';
import { withSandbox } from './helpers.js';
import { officialCall, officialTrtcClient, SdkError } from './official-sdk.js';
import { reference } from './reference.js';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (app: number, key: string) => { genUserSig(user: string, expire: number): string } };

/** Every (action, code) the sandbox answered in this file, to check that each code is documented. */
const answered: Array<[string, string]> = [];

function client(sb: Sandbox) {
  const sdk = officialTrtcClient(sb.url, sb.accounts[0]!);
  return async (action: string, req: Record<string, unknown>): Promise<Record<string, any>> => {
    try {
      const resp = await officialCall(sdk, action, req);
      answered.push([action, 'OK']);
      return resp;
    } catch (err) {
      if (err instanceof SdkError) answered.push([action, err.code]);
      throw err;
    }
  };
}
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: SdkError) => e.code);

describe('the seed\'s input examples', () => {
  // The examples name apps and tasks, and carry placeholder UserSigs that no key can verify. Each runs in a fresh
  // world that has those apps and tasks, and that accepts exactly those placeholders for exactly those users.
  const examples = Object.entries(reference.actions).flatMap(([action, a]) => a.examples.map((input) => ({ action, input })));
  const example = (action: string, i = 0) => reference.actions[action]!.examples[i]!;
  const bots = (v: unknown): Array<{ UserId: string; UserSig: string }> =>
    !v || typeof v !== 'object' ? [] : [...('UserId' in v && 'UserSig' in v ? [v as { UserId: string; UserSig: string }] : []), ...Object.values(v).flatMap(bots)];

  async function fixtureSandbox(): Promise<Sandbox> {
    const apps = [...new Set(examples.map((e) => e.input.SdkAppId as number | undefined).filter((id) => id !== undefined))];
    const sb = await withSandbox({ world: { apps: apps.map((sdkAppId) => ({ sdkAppId })) } });
    const fixture = (appId: number, kind: 'recording' | 'relay' | 'ingest' | 'conversation' | 'transcription', taskId: string, config: Record<string, any>) =>
      sb.world.tasks.start(sb.world.apps.get(appId)!, { id: taskId, kind, roomKind: 'str', roomId: 'fixture-room', botUserId: `fixture-${taskId}`, config });
    fixture(1234, 'recording', 'xx', example('CreateCloudRecording'));
    fixture(1400188366, 'relay', example('UpdatePublishCdnStream').TaskId, { ...example('StartPublishCdnStream'), SequenceNumber: -1 });
    fixture(1234567890, 'ingest', '1234', example('StartStreamIngest'));
    for (const action of ['DescribeAIConversation', 'UpdateAIConversation', 'StopAIConversation']) fixture(12345678, 'conversation', example(action).TaskId, example('StartAIConversation'));
    fixture(1234, 'transcription', 'abc', example('StartAITranscription'));
    for (const { input } of examples) for (const b of bots(input)) sb.world.tasks.acceptUserSig(input.SdkAppId, b.UserId, b.UserSig);
    return sb;
  }

  /**
   * The StartStreamIngest example names the string room "room123" with RoomIdType 1, which its own parameter table
   * (and the official SDK) define as a numeric room: TRTC cannot read it so, and refuses it.
   */
  const REFUSED: Record<string, string> = { StartStreamIngest: 'InvalidParameter.RoomId' };

  it.each(examples.map((e, i) => [`${e.action} #${i}`, e] as const))('%s is answered as documented', async (_label, { action, input }) => {
    const sb = await fixtureSandbox();
    try {
      expect(await codeOf(client(sb)(action, input))).toBe(REFUSED[action] ?? 'OK');
    } finally {
      await sb.close();
    }
  });

  it('covers every example of the 19 actions, while every other UserSig is still checked', async () => {
    expect(examples.length).toBe(25);
    const sb = await fixtureSandbox();
    try {
      const input = { ...example('CreateCloudRecording'), UserId: '10002' };
      expect(await codeOf(client(sb)('CreateCloudRecording', input))).toBe('FailedOperation');
    } finally {
      await sb.close();
    }
  });
});

const APP = 1400000001;
const WORLD: WorldSeed = {
  apps: [
    { sdkAppId: APP, rooms: [{ roomId: 1234, users: ['alice', 'bob', 'carol'] }, { roomId: 'class-101', users: ['teacher'] }] },
    { sdkAppId: 1400000002 },
  ],
};

describe('task lifecycles', () => {
  let sb: Sandbox;
  let call: ReturnType<typeof client>;
  let offset = 0;
  /** Moves the sandbox clock; signatures stay within Tencent's five-minute window. */
  const advance = (ms: number) => void (offset += ms);
  const sig = (userId: string, appId = APP) => genUserSig({ sdkAppId: appId, secretKey: sb.world.apps.get(appId)!.sdkSecretKey, userId, expireSeconds: 600, now: Date.now() + offset });
  const appOf = () => sb.world.apps.get(APP)!;
  const cos = { CloudStorage: { Vendor: 0, Region: 'ap-singapore', Bucket: 'rec-1300000000', AccessKey: 'AK-cos', SecretKey: 'cos-secret', FileNamePrefix: ['trtc'] } };

  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD, now: () => Date.now() + offset });
    call = client(sb);
  });
  afterAll(() => sb.close());

  it('refuses a RoomId that is no numeric room where RoomIdType names a numeric one, at any depth', async () => {
    const bot = (UserId: string) => ({ UserId, UserSig: sig(UserId) });
    const relay = { SdkAppId: APP, RoomIdType: 0, AgentParams: bot('relay_k'), WithTranscoding: 1, PublishCdnParams: [{ PublishCdnUrl: 'rtmp://a/b' }] };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      // The AI bot would otherwise sit in a numeric room "support-7" while the user is in the string room.
      ['StartAIConversation', { SdkAppId: APP, RoomId: 'support-7', AgentConfig: { ...bot('ai_k'), TargetUserId: 'alice' } }, 'InvalidParameter'],
      ['StartStreamIngest', { SdkAppId: APP, RoomId: 'room9', RoomIdType: 1, ...bot('ingest_k'), StreamUrl: 'https://media.example.com/a.mp4' }, 'InvalidParameter.RoomId'],
      ['CreateCloudRecording', { SdkAppId: APP, RoomId: '99999999999', ...bot('rec_k'), RecordParams: { RecordMode: 2 }, StorageParams: cos }, 'InvalidParameter'],
      ['StartPublishCdnStream', { ...relay, RoomId: '1234', FeedBackRoomParams: [{ RoomId: 'overflow', RoomIdType: 0, ...bot('back_k') }] }, 'InvalidParameter'],
    ];
    const before = sb.world.tasks.all(appOf(), () => true).length;
    for (const [action, req, code] of cases) expect(await codeOf(call(action, req)), action).toBe(code);
    expect(sb.world.tasks.all(appOf(), () => true)).toHaveLength(before);
    // The same requests with the kind that fits are accepted.
    const { TaskId } = await call('StartAIConversation', { ...cases[0]![1], RoomIdType: 1 });
    expect(sb.world.tasks.find(appOf(), TaskId)).toMatchObject({ roomKind: 'str', roomId: 'support-7' });
    await call('StopAIConversation', { TaskId });
  });

  it('recording: InProgress with one file per subscribed user, changed by Modify, Exited after Delete, then gone', async () => {
    const { TaskId } = await call('CreateCloudRecording', {
      SdkAppId: APP, RoomId: '1234', UserId: 'rec_1', UserSig: sig('rec_1'), RecordParams: { RecordMode: 1, OutputFormat: 3 }, StorageParams: cos,
    });
    let d = await call('DescribeCloudRecording', { SdkAppId: APP, TaskId });
    expect(d).toMatchObject({ TaskId, Status: 'InProgress' });
    expect(d.StorageFileList.map((f: { UserId: string }) => f.UserId)).toEqual(['alice', 'bob', 'carol']);
    expect(d.StorageFileList[0].FileName).toMatch(/\.mp4$/);

    await call('ModifyCloudRecording', { SdkAppId: APP, TaskId, SubscribeStreamUserIds: { SubscribeAudioUserIds: ['al.*$'], SubscribeVideoUserIds: ['alice'] } });
    d = await call('DescribeCloudRecording', { SdkAppId: APP, TaskId });
    expect(d.StorageFileList.map((f: { UserId: string }) => f.UserId)).toEqual(['alice']);

    expect(await call('DeleteCloudRecording', { SdkAppId: APP, TaskId })).toMatchObject({ TaskId });
    expect((await call('DescribeCloudRecording', { SdkAppId: APP, TaskId })).Status).toBe('Exited');
    expect(await codeOf(call('ModifyCloudRecording', { SdkAppId: APP, TaskId }))).toBe('ResourceNotFound');
    expect(await codeOf(call('DeleteCloudRecording', { SdkAppId: APP, TaskId }))).toBe('ResourceNotFound');
    advance(ENDED_VISIBLE_MS + 1000);
    expect(await codeOf(call('DescribeCloudRecording', { SdkAppId: APP, TaskId }))).toBe('ResourceNotFound');
  });

  it('recording: Idle in an empty room, InProgress while someone is there, Exited after MaxIdleTime alone', async () => {
    const { TaskId } = await call('CreateCloudRecording', {
      SdkAppId: APP, RoomId: 'empty-room', RoomIdType: 0, UserId: 'rec_2', UserSig: sig('rec_2'), RecordParams: { RecordMode: 2, MaxIdleTime: 10 }, StorageParams: { CloudVod: { TencentVod: {} } },
    });
    const status = async () => (await call('DescribeCloudRecording', { SdkAppId: APP, TaskId })).Status;
    expect(await status()).toBe('Idle');
    advance(8000);
    sb.world.join(appOf(), 'str', 'empty-room', 'dave');
    expect(await status()).toBe('InProgress');
    advance(20_000);
    expect(await status()).toBe('InProgress');
    sb.world.kick(appOf(), sb.world.room(appOf(), 'str', 'empty-room')!, ['dave']);
    advance(9000);
    expect(await status()).toBe('Idle');
    advance(2000);
    expect(await status()).toBe('Exited');
    expect(sb.world.tasks.find(appOf(), TaskId)!.endReason).toBe('idle');
  });

  it('recording: a task stays addressable for ResourceExpiredHour hours only', () => {
    let now = Date.UTC(2025, 0, 1);
    const world = new World(WORLD, () => now);
    const app = world.apps.get(APP)!;
    const params = {
      SdkAppId: APP, RoomId: '1234', UserId: 'rec_3', RecordParams: { RecordMode: 1 }, StorageParams: { CloudVod: {} }, ResourceExpiredHour: 6,
      UserSig: genUserSig({ sdkAppId: APP, secretKey: app.sdkSecretKey, userId: 'rec_3', expireSeconds: 600, now }),
    };
    const { TaskId } = recordHandlers.CreateCloudRecording!({ world, app, apps: [app], params }) as { TaskId: string };
    now += 5 * 3_600_000;
    expect(recordHandlers.DescribeCloudRecording!({ world, app, apps: [app], params: { SdkAppId: APP, TaskId } })).toMatchObject({ Status: 'InProgress' });
    now += 2 * 3_600_000;
    expect(() => recordHandlers.DescribeCloudRecording!({ world, app, apps: [app], params: { SdkAppId: APP, TaskId } })).toThrow(/ResourceExpiredHour/);
  });

  it('recording: the recorder needs a user ID of its own and a valid UserSig', async () => {
    const create = (UserId: string, UserSig: string) =>
      codeOf(call('CreateCloudRecording', { SdkAppId: APP, RoomId: '1234', UserId, UserSig, RecordParams: { RecordMode: 1 }, StorageParams: cos }));
    expect(await create('bob', sig('bob'))).toBe('FailedOperation');
    expect(await create('rec_4', sig('rec_other'))).toBe('FailedOperation');
    expect(await create('rec_4', new Api(APP, 'not-the-app-key').genUserSig('rec_4', 600))).toBe('FailedOperation');
  });

  it('relay: starts before anyone joins, updates in sequence, refuses encoding changes, stops', async () => {
    const start = {
      SdkAppId: APP, RoomId: 'stage', RoomIdType: 1, WithTranscoding: 1, AgentParams: { UserId: 'relay_1', UserSig: sig('relay_1') },
      AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 2, BitRate: 64 } },
      VideoParams: { VideoEncode: { Width: 1280, Height: 720, Fps: 15, BitRate: 1500, Gop: 2 } },
      PublishCdnParams: [{ PublishCdnUrl: 'rtmp://push.example.com/live/stage', IsTencentCdn: 0 }],
      FeedBackRoomParams: [{ RoomId: 'overflow', RoomIdType: 1, UserId: 'relay_back', UserSig: sig('relay_back') }],
    };
    const { TaskId } = await call('StartPublishCdnStream', start);
    const update = (extra: Record<string, unknown>) => codeOf(call('UpdatePublishCdnStream', { SdkAppId: APP, TaskId, WithTranscoding: 1, ...extra }));
    expect(await update({ SequenceNumber: 1, VideoParams: { LayoutParams: { MixLayoutMode: 3 } } })).toBe('OK');
    expect(await update({ SequenceNumber: 1 })).toBe('FailedOperation');
    expect(await update({ SequenceNumber: 2, AudioParams: { AudioEncode: { SampleRate: 44100, Channel: 2, BitRate: 64 } } })).toBe('UnsupportedOperation');
    expect(await update({ SequenceNumber: 3, WithTranscoding: 0 })).toBe('UnsupportedOperation');
    expect(sb.world.tasks.find(appOf(), TaskId)!.config.VideoParams.LayoutParams).toEqual({ MixLayoutMode: 3 });
    expect(await codeOf(call('StopPublishCdnStream', { SdkAppId: APP, TaskId }))).toBe('OK');
    expect(await update({ SequenceNumber: 4 })).toBe('ResourceNotFound');
    expect(await codeOf(call('StopPublishCdnStream', { SdkAppId: APP, TaskId }))).toBe('ResourceNotFound');
    const { FeedBackRoomParams: _f, ...noTarget } = { ...start, PublishCdnParams: undefined };
    expect(await codeOf(call('StartPublishCdnStream', noTarget))).toBe('MissingParameter');
    expect(await codeOf(call('StartPublishCdnStream', { ...start, FeedBackRoomParams: [{ ...start.FeedBackRoomParams[0], UserSig: sig('someone_else') }] }))).toBe('InvalidParameter');
  });

  it('ingest: InProgress until stopped, then NotExist; a loop ends after MaxDuration', async () => {
    const start = { SdkAppId: APP, RoomId: '1234', RoomIdType: 1, UserId: 'ingest_1', UserSig: sig('ingest_1'), StreamUrl: 'https://media.example.com/a.mp4' };
    const { TaskId } = await call('StartStreamIngest', start);
    expect(await codeOf(call('StartStreamIngest', start))).toBe('FailedOperation.TaskExist');
    expect((await call('DescribeStreamIngest', { SdkAppId: APP, TaskId })).Status).toBe('InProgress');
    expect((await call('UpdateStreamIngest', { SdkAppId: APP, TaskId, IsPause: true, Volume: 40 })).Status).toBe('InProgress');
    expect(sb.world.tasks.find(appOf(), TaskId)!.config).toMatchObject({ IsPause: true, Volume: 40 });
    expect(await codeOf(call('UpdateStreamIngest', { SdkAppId: APP, TaskId, StreamUrl: 'file:///etc/passwd' }))).toBe('InvalidParameter.StreamUrl');
    await call('StopStreamIngest', { SdkAppId: APP, TaskId });
    expect((await call('DescribeStreamIngest', { SdkAppId: APP, TaskId })).Status).toBe('NotExist');
    expect(await codeOf(call('StopStreamIngest', { SdkAppId: APP, TaskId }))).toBe('FailedOperation.TaskFinished');
    expect(await codeOf(call('UpdateStreamIngest', { SdkAppId: APP, TaskId, Volume: 10 }))).toBe('FailedOperation.TaskNotExist');
    expect(await codeOf(call('StopStreamIngest', { SdkAppId: APP, TaskId: 'never-started' }))).toBe('InvalidParameter.TaskId');
    expect((await call('DescribeStreamIngest', { SdkAppId: APP, TaskId: 'never-started' })).Status).toBe('NotExist');
    expect(await codeOf(call('StartStreamIngest', { ...start, UserId: 'ingest_2', UserSig: sig('ingest_2'), StreamUrl: undefined }))).toBe('InvalidParameter.StreamUrl');

    const loop = await call('StartStreamIngest', { ...start, UserId: 'ingest_3', UserSig: sig('ingest_3'), RepeatNum: -1, MaxDuration: 1 });
    advance(59_000);
    expect((await call('DescribeStreamIngest', { SdkAppId: APP, TaskId: loop.TaskId })).Status).toBe('InProgress');
    advance(2000);
    expect((await call('DescribeStreamIngest', { SdkAppId: APP, TaskId: loop.TaskId })).Status).toBe('NotExist');
  });

  it('AI conversation: a SessionId runs once, a bot user ID replaced, texts pushed, StopAfterPlay ends it', async () => {
    const start = (UserId: string, SessionId?: string) =>
      call('StartAIConversation', { SdkAppId: APP, RoomId: '1234', SessionId, AgentConfig: { UserId, UserSig: sig(UserId), TargetUserId: 'alice' } });
    const first = await start('ai_1', 'conv-1');
    expect(await codeOf(start('ai_2', 'conv-1'))).toBe('FailedOperation.TaskExist');
    const second = await start('ai_1');
    expect((await call('DescribeAIConversation', { TaskId: first.TaskId })).Status).toBe('Stopped');
    expect(sb.world.tasks.find(appOf(), first.TaskId)!.endReason).toBe('replaced');
    expect(await call('DescribeAIConversation', { SdkAppId: APP, SessionId: 'conv-1' })).toMatchObject({ TaskId: first.TaskId, SessionId: 'conv-1', Status: 'Stopped' });

    await call('ControlAIConversation', { TaskId: second.TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'One moment', Interrupt: false } });
    await call('ControlAIConversation', { TaskId: second.TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'Goodbye', StopAfterPlay: true } });
    const task = sb.world.tasks.find(appOf(), second.TaskId)!;
    expect(task.history.map((h) => h.detail?.Text)).toEqual(['One moment', 'Goodbye']);
    expect(task.endReason).toBe('finished');
    expect(await codeOf(call('ControlAIConversation', { TaskId: second.TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'x' } }))).toBe('FailedOperation.TaskNotExist');
    expect(await codeOf(call('StopAIConversation', { TaskId: 'no-such-task' }))).toBe('FailedOperation.TaskNotExist');
    expect(await codeOf(call('UpdateAIConversation', { TaskId: second.TaskId, WelcomeMessage: 'hi' }))).toBe('FailedOperation.TaskNotExist');
  });

  it('AI conversation: the bot leaves after MaxIdleTime in an empty room', async () => {
    const { TaskId } = await call('StartAIConversation', {
      SdkAppId: APP, RoomId: 'lobby', RoomIdType: 1, AgentConfig: { UserId: 'ai_idle', UserSig: sig('ai_idle'), TargetUserId: 'nobody', MaxIdleTime: 30 },
    });
    advance(29_000);
    expect((await call('DescribeAIConversation', { TaskId })).Status).toBe('InProgress');
    advance(2000);
    expect((await call('DescribeAIConversation', { TaskId })).Status).toBe('Stopped');
  });

  it('AI transcription: one whole-room task per room, one personal task per user, unless SessionIds differ', async () => {
    const start = (UserId: string, extra: Record<string, unknown> = {}, SessionId?: string) =>
      call('StartAITranscription', { SdkAppId: APP, RoomId: 'class-101', RoomIdType: 1, SessionId, TranscriptionParams: { UserId, UserSig: sig(UserId), ...extra } });
    const room = await start('asr_1');
    expect(await codeOf(start('asr_2'))).toBe('FailedOperation.TaskExist');
    expect(await codeOf(start('asr_2', {}, 's-1'))).toBe('OK');
    expect(await codeOf(start('asr_3', { TranscriptionMode: 1, TargetUserId: 'teacher' }))).toBe('OK');
    expect(await codeOf(start('asr_4', { TranscriptionMode: 1, TargetUserId: 'teacher' }))).toBe('FailedOperation.TaskExist');
    expect(await codeOf(start('asr_4', { TranscriptionMode: 1, TargetUserId: 'student' }))).toBe('OK');
    expect(await call('DescribeAITranscription', { TaskId: '', SdkAppId: APP, SessionId: 's-1' })).toMatchObject({ SessionId: 's-1', Status: 'InProgress' });
    await call('StopAITranscription', { TaskId: room.TaskId });
    expect((await call('DescribeAITranscription', { TaskId: room.TaskId })).Status).toBe('Stopped');
    expect(await codeOf(call('StopAITranscription', { TaskId: room.TaskId }))).toBe('FailedOperation.TaskNotExist');
  });

  it('bots: UserSigs from tls-sig-api-v2 get in; wrong, expired or borrowed ones do not', async () => {
    const key = sb.world.apps.get(APP)!.sdkSecretKey;
    const start = (UserId: string, UserSig: string) =>
      codeOf(call('StartAIConversation', { SdkAppId: APP, RoomId: '1234', AgentConfig: { UserId, UserSig, TargetUserId: 'bob' } }));
    expect(await start('ai_official', new Api(APP, key).genUserSig('ai_official', 600))).toBe('OK');
    expect(await start('ai_wrong', new Api(APP, 'another-key-000').genUserSig('ai_wrong', 600))).toBe('InvalidParameter.UserSig');
    expect(await start('ai_other_app', new Api(1400000002, key).genUserSig('ai_other_app', 600))).toBe('InvalidParameter.UserSig');
    expect(await start('ai_borrowed', sig('ai_official'))).toBe('InvalidParameter.UserSig');
    const short = new Api(APP, key).genUserSig('ai_late', 5);
    advance(6000);
    expect(await start('ai_late', short)).toBe('InvalidParameter.UserSig');
  });

  it('tasks belong to their app', async () => {
    const { TaskId } = await call('StartStreamIngest', { SdkAppId: APP, RoomId: '1234', RoomIdType: 1, UserId: 'ingest_9', UserSig: sig('ingest_9'), StreamUrl: 'rtmp://a.example/live/x' });
    expect((await call('DescribeStreamIngest', { SdkAppId: 1400000002, TaskId })).Status).toBe('NotExist');
    expect(await codeOf(call('DescribeCloudRecording', { SdkAppId: 1400000002, TaskId }))).toBe('ResourceNotFound');
  });

  it('shows tasks in the world view, without their configurations', async () => {
    const view = await (await fetch(`${sb.url}_sandbox/world`)).text();
    const tasks = (JSON.parse(view) as { tasks: Array<Record<string, unknown>> }).tasks;
    expect(tasks.length).toBeGreaterThan(10);
    expect(tasks.find((t) => t.botUserId === 'ingest_9')).toMatchObject({ kind: 'ingest', sdkAppId: APP, roomId: '1234', roomKind: 'int', running: true });
    // A UserSig is base64 of zlib data ("eJ...") well over 60 characters; task IDs are 32 random ones and may hold "eJ".
    expect(view).not.toMatch(/UserSig|eJ[\w*-]{60}|cos-secret/);
  });

  it('answers bad parameters with the codes the action documents', async () => {
    const base = { SdkAppId: APP, RoomId: '1234', UserId: 'rec_9', UserSig: sig('rec_9'), RecordParams: { RecordMode: 1 }, StorageParams: cos };
    const { Bucket: _b, ...noBucket } = cos.CloudStorage;
    expect(await codeOf(call('CreateCloudRecording', { ...base, StorageParams: { CloudStorage: noBucket } }))).toBe('MissingParameter.Bucket');
    expect(await codeOf(call('CreateCloudRecording', { ...base, RecordParams: { RecordMode: 1, MaxIdleTime: 3 } }))).toBe('InvalidParameter.OutOfRange');
    expect(await codeOf(call('CreateCloudRecording', { ...base, RecordParams: { RecordMode: 1, Mode: 2 } }))).toBe('UnknownParameter');
    expect(await codeOf(call('CreateCloudRecording', { ...base, UserSig: undefined }))).toBe('MissingParameter.UserSig');
    expect(await codeOf(call('StopAIConversation', {}))).toBe('MissingParameter');
  });
});

describe('error codes', () => {
  it('every code the sandbox answered for a task action is one the docs list for it, or a common one', () => {
    const defs = new Map(CATALOG.map((d) => [d.name, d]));
    const undocumented = answered.filter(([action, code]) => code !== 'OK' && !defs.get(action)!.errors.includes(code) && !reference.commonErrors.includes(code));
    expect(undocumented).toEqual([]);
    expect(new Set(answered.map(([, code]) => code)).size).toBeGreaterThan(10);
  });
});
