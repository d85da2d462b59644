// End to end: the task tools through the built server and the SDK's real MCP client (stdio and Streamable HTTP),
// against the sandbox. Bots get UserSigs the server mints; LLM and TTS keys come from operator profiles; and no
// key, UserSig or SecretKey shows up in any tool result or log line.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { Task } from '../src/sandbox/tasks.js';
import { CATALOG } from '../tools/index.js';
import { decodeUserSig } from '../src/signing/usersig.js';
import {
  cloudRequests, confirmationTokenOf, connectHttp, connectStdio, rememberSecret, sandboxEnv, spawnHttp, text, withSandbox, type Connected, type SpawnedHttp,
} from './helpers.js';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (app: number, key: string) => { genUserSig(user: string, expire: number): string } };

const APP = 1400000001;
const TASK_TOOLS = [
  'CreateCloudRecording', 'DescribeCloudRecording', 'ModifyCloudRecording', 'DeleteCloudRecording',
  'StartPublishCdnStream', 'UpdatePublishCdnStream', 'StopPublishCdnStream',
  'StartStreamIngest', 'DescribeStreamIngest', 'UpdateStreamIngest', 'StopStreamIngest',
  'StartAIConversation', 'DescribeAIConversation', 'UpdateAIConversation', 'ControlAIConversation', 'StopAIConversation',
  'StartAITranscription', 'DescribeAITranscription', 'StopAITranscription',
];

const secret = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;
const LLM_KEY = secret('sk-llm-');
const FAST_LLM_KEY = secret('sk-fast-');
const TTS_ID = secret('AKIDtts');
const TTS_KEY = secret('tts-key-');
const COS_KEY = secret('cos-key-');
rememberSecret(LLM_KEY, FAST_LLM_KEY, TTS_ID, TTS_KEY, COS_KEY);

const LLM_DEFAULT = { LLMType: 'openai', Model: 'gpt-4o', APIKey: LLM_KEY, APIUrl: 'https://llm.example.com/v1/chat/completions', Streaming: true };
const PROFILES = {
  llm: { fast: { LLMType: 'openai', Model: 'gpt-4o-mini', APIKey: FAST_LLM_KEY, APIUrl: 'https://llm.example.com/v1/chat/completions' } },
  tts: { default: { TTSType: 'tencent', AppId: 1300000000, SecretId: TTS_ID, SecretKey: TTS_KEY, VoiceType: 101001, Speed: 1 } },
};

/** Everything the tests saw come back from servers: swept for secrets at the end. */
const seen: string[] = [];
type Result = Awaited<ReturnType<Client['callTool']>>;

function caller(client: Client) {
  const call = async (name: string, args: Record<string, unknown>): Promise<Result> => {
    const r = await client.callTool({ name, arguments: args });
    seen.push(JSON.stringify(r));
    return r;
  };
  /** A destructive call through the two-step confirmation, as an agent with a consenting user makes it. */
  const confirmed = async (name: string, args: Record<string, unknown>) => call(name, { ...args, confirmationToken: confirmationTokenOf(await call(name, args)) });
  const ok = async (name: string, args: Record<string, unknown>, how = call) => {
    const r = await how(name, args);
    expect(r.isError, text(r)).toBeFalsy();
    return r.structuredContent as Record<string, any>;
  };
  return { call, confirmed, ok };
}

/** The minted UserSig is Tencent's own: tls-sig-api-v2, run at the same second, produces the same bytes. */
function expectOfficialMint(sig: string, key: string, userId: string) {
  const claims = decodeUserSig(sig)!;
  expect(claims).toMatchObject({ sdkAppId: APP, userId, expire: 600 });
  vi.useFakeTimers({ now: claims.time * 1000 });
  try {
    expect(new Api(APP, key).genUserSig(userId, 600)).toBe(sig);
  } finally {
    vi.useRealTimers();
  }
}

describe('task tools over stdio', () => {
  let sb: Sandbox;
  let conn: Connected;
  let call: ReturnType<typeof caller>['call'];
  let confirmed: ReturnType<typeof caller>['confirmed'];
  let ok: ReturnType<typeof caller>['ok'];
  const app = () => sb.world.apps.get(APP)!;
  const task = (id: string) => sb.world.tasks.find(app(), id)!;
  const key = () => app().sdkSecretKey;

  const dir = mkdtempSync(join(tmpdir(), 'trtc-mcp-profiles-'));

  beforeAll(async () => {
    sb = await withSandbox();
    const profiles = join(dir, 'profiles.json');
    writeFileSync(profiles, JSON.stringify(PROFILES));
    conn = await connectStdio(['--toolsets', 'all', '--log-level', 'debug'], sandboxEnv(sb, { TRTC_LLM_CONFIG: JSON.stringify(LLM_DEFAULT), TRTC_AI_PROFILES: profiles }));
    ({ call, confirmed, ok } = caller(conn.client));
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the 19 task tools, with bot UserSigs optional and LLM/TTS settings as objects', async () => {
    const { tools } = await conn.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of TASK_TOOLS) {
      const t = byName.get(name);
      expect(t, name).toBeDefined();
      expect(t!.annotations).toEqual({
        readOnlyHint: name.startsWith('Describe'),
        destructiveHint: CATALOG.find((d) => d.name === name)!.effect === 'destructive',
        idempotentHint: expect.any(Boolean),
        openWorldHint: true,
      });
      expect(t!._meta).toEqual({ api: name });
    }
    const ai = byName.get('StartAIConversation')!.inputSchema as any;
    expect(ai.required).toEqual(['RoomId', 'AgentConfig']);
    expect(ai.properties.AgentConfig.required).toEqual(['UserId', 'TargetUserId']);
    expect(ai.properties.LLMConfig).toMatchObject({ type: 'object', properties: { profile: { type: 'string' }, APIKey: { type: 'string' } } });
    expect((byName.get('CreateCloudRecording')!.inputSchema as any).required).toEqual(['RoomId', 'UserId', 'RecordParams', 'StorageParams']);
    expect((byName.get('StartPublishCdnStream')!.inputSchema as any).properties.FeedBackRoomParams.items.required).toEqual(['RoomId', 'RoomIdType', 'UserId']);
  });

  it('tells agents that bot UserSigs are minted, and which profiles exist', () => {
    const instructions = conn.client.getInstructions()!;
    expect(instructions).toContain('the server mints them');
    expect(instructions).toContain('LLM profiles: fast, default. TTS profiles: default.');
  });

  it('runs an AI conversation: start a bot, describe it, push text, update it, stop it, see that it ended', async () => {
    const started = await ok('StartAIConversation', {
      RoomId: '1234',
      SessionId: 'support-42',
      AgentConfig: { UserId: 'ai_bot', TargetUserId: 'alice', WelcomeMessage: 'Hello!' },
      STTConfig: { Language: 'en', VadSilenceTime: 800 },
      LLMConfig: { profile: 'default' },
      TTSConfig: { profile: 'default' },
    });
    const { TaskId } = started;
    expect(TaskId).toEqual(expect.any(String));
    // What reached the (emulated) cloud: the profiles' keys, serialised, and a UserSig minted for the bot.
    const wire = task(TaskId).config;
    expect(JSON.parse(wire.LLMConfig)).toEqual(LLM_DEFAULT);
    expect(JSON.parse(wire.TTSConfig)).toMatchObject({ SecretId: TTS_ID, SecretKey: TTS_KEY, VoiceType: 101001 });
    expectOfficialMint(wire.AgentConfig.UserSig, key(), 'ai_bot');

    expect(await ok('DescribeAIConversation', { TaskId })).toMatchObject({ TaskId, Status: 'InProgress', SessionId: 'support-42', StartTime: expect.stringMatching(/^\d{4}-/) });
    expect(await ok('DescribeAIConversation', { SessionId: 'support-42' })).toMatchObject({ TaskId, Status: 'InProgress' });

    await ok('ControlAIConversation', { TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'Let me check that for you.', Interrupt: true } });
    expect(task(TaskId).history.at(-1)).toMatchObject({ action: 'ServerPushText', detail: { Text: 'Let me check that for you.', Interrupt: true } });

    await ok('UpdateAIConversation', { TaskId, WelcomeMessage: 'Welcome back', InterruptMode: 1, LLMConfig: { profile: 'fast' }, TTSConfig: { profile: 'default', Speed: 1.25 } });
    const updated = task(TaskId).config;
    expect(JSON.parse(updated.LLMConfig)).toMatchObject({ Model: 'gpt-4o-mini', APIKey: FAST_LLM_KEY });
    expect(JSON.parse(updated.TTSConfig)).toMatchObject({ Speed: 1.25, SecretKey: TTS_KEY });
    expect(updated.AgentConfig).toMatchObject({ WelcomeMessage: 'Welcome back', InterruptMode: 1, TargetUserId: 'alice' });

    const preview = await call('StopAIConversation', { TaskId });
    expect(text(preview)).toContain('Confirmation required; nothing was sent.');
    await ok('StopAIConversation', { TaskId, confirmationToken: confirmationTokenOf(preview) });
    expect(await ok('DescribeAIConversation', { TaskId })).toMatchObject({ TaskId, Status: 'Stopped' });

    const late = await call('ControlAIConversation', { TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'Still there?' } });
    expect(late.isError).toBe(true);
    expect(text(late)).toMatch(/FailedOperation\.TaskNotExist[\s\S]*What to do: [\s\S]*RequestId: /);
  });

  it('runs a recording: started with a minted UserSig, described with its files, modified, deleted', async () => {
    const storage = { CloudStorage: { Vendor: 0, Region: 'ap-singapore', Bucket: 'rec-1300000000', AccessKey: 'AKID-cos', SecretKey: COS_KEY } };
    const { TaskId } = await ok('CreateCloudRecording', { RoomId: '1234', UserId: 'recorder_1234', RecordParams: { RecordMode: 1, MaxIdleTime: 60 }, StorageParams: storage });
    expectOfficialMint(task(TaskId).config.UserSig, key(), 'recorder_1234');
    const files = (d: Record<string, any>) => d.StorageFileList.map((f: { UserId: string }) => f.UserId);
    const before = await ok('DescribeCloudRecording', { TaskId });
    expect(before.Status).toBe('InProgress');
    expect(files(before)).toEqual(['alice', 'bob', 'carol']);
    await ok('ModifyCloudRecording', { TaskId, SubscribeStreamUserIds: { UnSubscribeAudioUserIds: ['bob', 'carol'], UnSubscribeVideoUserIds: ['bob', 'carol'] } });
    expect(files(await ok('DescribeCloudRecording', { TaskId }))).toEqual(['alice']);
    expect(await ok('DeleteCloudRecording', { TaskId }, confirmed)).toMatchObject({ TaskId });
    expect((await ok('DescribeCloudRecording', { TaskId })).Status).toBe('Exited');
  });

  it('runs a relay: minted UserSigs for the relay and push-back bots, ordered updates, stop', async () => {
    const { TaskId } = await ok('StartPublishCdnStream', {
      RoomId: '1234',
      RoomIdType: 0,
      WithTranscoding: 1,
      AgentParams: { UserId: 'relay_1234', MaxIdleTime: 30 },
      AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 2, BitRate: 64 } },
      VideoParams: { VideoEncode: { Width: 1280, Height: 720, Fps: 15, BitRate: 1500, Gop: 2 }, LayoutParams: { MixLayoutMode: 3 } },
      PublishCdnParams: [{ PublishCdnUrl: 'rtmp://push.example.com/live/room1234', IsTencentCdn: 1 }],
      FeedBackRoomParams: [{ RoomId: 'overflow-1234', RoomIdType: 1, UserId: 'relay_back_1234' }],
    });
    const wire = task(TaskId).config;
    expectOfficialMint(wire.AgentParams.UserSig, key(), 'relay_1234');
    expectOfficialMint(wire.FeedBackRoomParams[0].UserSig, key(), 'relay_back_1234');

    const layout = { VideoParams: { LayoutParams: { MixLayoutMode: 1, MaxVideoUser: { UserMediaStream: { UserInfo: { UserId: 'alice' } } } } } };
    await ok('UpdatePublishCdnStream', { TaskId, SequenceNumber: 1, WithTranscoding: 1, ...layout });
    expect(task(TaskId).config.VideoParams).toEqual(layout.VideoParams);
    const stale = await call('UpdatePublishCdnStream', { TaskId, SequenceNumber: 1, WithTranscoding: 1 });
    expect(text(stale)).toContain('FailedOperation: SequenceNumber 1 is not above the last one (1).');

    await ok('StopPublishCdnStream', { TaskId }, confirmed);
    const after = await call('UpdatePublishCdnStream', { TaskId, SequenceNumber: 2, WithTranscoding: 1 });
    expect(text(after)).toMatch(/ResourceNotFound[\s\S]*What to do: No such task/);
  });

  it('runs an ingest: play a file into a room, pause it, stop it; a second copy of the bot is refused', async () => {
    const start = { RoomId: '1234', RoomIdType: 1, UserId: 'player_1234', StreamUrl: 'https://media.example.com/intro.mp4', RepeatNum: 2, Volume: 80 };
    const { TaskId } = await ok('StartStreamIngest', start);
    expectOfficialMint(task(TaskId).config.UserSig, key(), 'player_1234');
    expect((await call('StartStreamIngest', start)).content).toEqual(expect.arrayContaining([expect.objectContaining({ text: expect.stringContaining('FailedOperation.TaskExist') })]));
    expect(await ok('DescribeStreamIngest', { TaskId })).toMatchObject({ Status: 'InProgress' });
    expect(await ok('UpdateStreamIngest', { TaskId, IsPause: true })).toMatchObject({ Status: 'InProgress' });
    expect(task(TaskId).config.IsPause).toBe(true);
    await ok('StopStreamIngest', { TaskId }, confirmed);
    expect(await ok('DescribeStreamIngest', { TaskId })).toMatchObject({ Status: 'NotExist' });
  });

  it('runs a transcription found by its SessionId, and stops it', async () => {
    const { TaskId } = await ok('StartAITranscription', {
      RoomId: '1234', SessionId: 'minutes-7', TranscriptionParams: { UserId: 'asr_1234', TranscriptionMode: 1, TargetUserId: 'bob' }, RecognizeConfig: { Language: 'en', AlternativeLanguage: ['zh'] },
    });
    expectOfficialMint(task(TaskId).config.TranscriptionParams.UserSig, key(), 'asr_1234');
    expect(await ok('DescribeAITranscription', { SessionId: 'minutes-7' })).toMatchObject({ TaskId, SessionId: 'minutes-7', Status: 'InProgress' });
    await ok('StopAITranscription', { TaskId }, confirmed);
    expect(await ok('DescribeAITranscription', { TaskId })).toMatchObject({ Status: 'Stopped' });
  });

  it('accepts a UserSig from tls-sig-api-v2 passed explicitly, and explains a wrong one', async () => {
    const official = new Api(APP, key()).genUserSig('player_explicit', 600);
    rememberSecret(official);
    const start = { RoomId: '1234', RoomIdType: 1, UserId: 'player_explicit', StreamUrl: 'https://media.example.com/b.mp4' };
    const { TaskId } = await ok('StartStreamIngest', { ...start, UserSig: official });
    expect(task(TaskId).config.UserSig).toBe(official);
    const wrong = new Api(APP, 'someone-elses-key').genUserSig('player_wrong', 600);
    rememberSecret(wrong);
    const r = await call('StartStreamIngest', { ...start, UserId: 'player_wrong', UserSig: wrong });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/InvalidParameter\.UserSig: The UserSig in UserSig is not signed with this app's SDK secret key\.[\s\S]*Leave UserSig out/);
  });

  it.each([
    ['StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b', TargetUserId: 'u', InterruptMode: 3 } }, 'AgentConfig.InterruptMode: must be one of 0, 1'],
    ['StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b', TargetUserId: 'u', Voice: 'x' } }, 'AgentConfig.Voice: is not a parameter of this tool'],
    ['StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b' } }, 'AgentConfig.TargetUserId: is required'],
    ['StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b', TargetUserId: 'u' }, LLMConfig: { profile: 'cheap' } }, 'LLMConfig.profile: no LLM profile named "cheap" is configured (configured: fast, default)'],
    ['StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b', TargetUserId: 'u' }, LLMConfig: { profile: 'default', APIUrl: 'https://collector.example/v1' } }, 'LLMConfig.APIUrl: cannot be changed when a profile is used'],
    ['StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b', TargetUserId: 'u' }, STTConfig: { AlternativeLanguage: ['en', 'ja', 'ko', 'fr'] } }, 'STTConfig.AlternativeLanguage: must have at most 3 items'],
    ['CreateCloudRecording', { RoomId: '1', UserId: 'r', RecordParams: { RecordMode: 3 }, StorageParams: {} }, 'RecordParams.RecordMode: must be one of 1, 2'],
    ['CreateCloudRecording', { RoomId: '1', UserId: 'r', RecordParams: { RecordMode: 1 }, StorageParams: {} }, 'StorageParams.CloudVod: needs CloudStorage or CloudVod'],
    ['CreateCloudRecording', { RoomId: '1', UserId: 'r', RecordParams: { RecordMode: 2 }, StorageParams: { CloudVod: {} }, MixLayoutParams: { MixLayoutMode: 4, MixLayoutList: [{ Top: 0, Left: 0, Width: 3000, Height: 10 }] } }, 'MixLayoutParams.MixLayoutList[0].Width: must be at most 1920'],
    ['StartPublishCdnStream', { RoomId: '1', RoomIdType: 0, AgentParams: { UserId: 'r' }, WithTranscoding: 1 }, 'PublishCdnParams: give PublishCdnParams or FeedBackRoomParams'],
    ['StartPublishCdnStream', { RoomId: '1', RoomIdType: 0, AgentParams: { UserId: 'r' }, WithTranscoding: 1, PublishCdnParams: [{ PublishCdnUrl: 'rtmp://a/b' }], VideoParams: { VideoEncode: { Width: 1280, Height: 720, Fps: 15, BitRate: 1500, Gop: 9 } } }, 'VideoParams.VideoEncode.Gop: must be at most 5'],
    ['StartStreamIngest', { RoomId: '1', RoomIdType: 2, UserId: 'p' }, 'RoomIdType: must be one of 0, 1'],
    ['ControlAIConversation', { TaskId: 't', Command: 'ServerPushText' }, 'ServerPushText: is required when Command is ServerPushText'],
    ['DescribeAITranscription', {}, 'TaskId: is required unless SessionId is given'],
  ])('rejects bad %s arguments naming the field, and sends nothing (%j)', async (name, args, message) => {
    const before = cloudRequests(sb).length;
    const r = await call(name, args);
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('nothing was sent');
    expect(text(r)).toContain(message);
    expect(cloudRequests(sb).length).toBe(before);
  });

  /** The call is refused by the server, naming the field and the fix, and nothing reaches the sandbox. */
  const refusedBeforeSending = async (name: string, args: Record<string, unknown>, message: string) => {
    const before = cloudRequests(sb).length;
    const r = await call(name, args);
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(`Invalid arguments for ${name}; nothing was sent:\n- ${message}`);
    expect(cloudRequests(sb).length).toBe(before);
  };
  const numericOnly = (id: string, type: string, fix: number) =>
    `"${id}" is not a numeric room ID (a whole number from 1 to 4294967295), and ${type} means a numeric room. For a string room, set RoomIdType to ${fix}`;
  const relay = { AgentParams: { UserId: 'relay_k' }, WithTranscoding: 1, PublishCdnParams: [{ PublishCdnUrl: 'rtmp://a/b' }] };
  it.each([
    ['StartAIConversation', { RoomId: 'support-7', AgentConfig: { UserId: 'bot_s7', TargetUserId: 'u' } }, `RoomId: ${numericOnly('support-7', 'RoomIdType left out', 1)}`],
    ['StartAIConversation', { RoomId: '4294967296', RoomIdType: 0, AgentConfig: { UserId: 'bot_s7', TargetUserId: 'u' } }, `RoomId: ${numericOnly('4294967296', 'RoomIdType 0', 1)}`],
    ['StartAITranscription', { RoomId: 'class-101', TranscriptionParams: { UserId: 'scribe' } }, `RoomId: ${numericOnly('class-101', 'RoomIdType left out', 1)}`],
    ['CreateCloudRecording', { RoomId: 'abcd', UserId: 'rec_k', RecordParams: { RecordMode: 2 }, StorageParams: { CloudVod: {} } }, `RoomId: ${numericOnly('abcd', 'RoomIdType left out', 0)}`],
    ['StartStreamIngest', { RoomId: 'room123', RoomIdType: 1, UserId: 'p', StreamUrl: 'https://media.example.com/a.mp4' }, `RoomId: ${numericOnly('room123', 'RoomIdType 1', 0)}`],
    ['StartPublishCdnStream', { RoomId: '0012', RoomIdType: 0, ...relay }, `RoomId: ${numericOnly('0012', 'RoomIdType 0', 1)}`],
    ['StartPublishCdnStream', { RoomId: '1234', RoomIdType: 0, ...relay, FeedBackRoomParams: [{ RoomId: 'overflow', RoomIdType: 0, UserId: 'back' }] }, `FeedBackRoomParams[0].RoomId: ${numericOnly('overflow', 'RoomIdType 0', 1)}`],
    ['StartPublishCdnStream', { RoomId: '1234', RoomIdType: 0, ...relay, AudioParams: { SubscribeAudioList: [{ UserInfo: { UserId: 'u', RoomId: 'stage' } }] } }, `AudioParams.SubscribeAudioList[0].UserInfo.RoomId: ${numericOnly('stage', 'RoomIdType left out', 1)}`],
    ['UpdatePublishCdnStream', { TaskId: 't', SequenceNumber: 1, WithTranscoding: 1, VideoParams: { LayoutParams: { MixLayoutList: [{ UserMediaStream: { UserInfo: { UserId: 'u', RoomId: 'x-1', RoomIdType: 0 } } }] } } }, `VideoParams.LayoutParams.MixLayoutList[0].UserMediaStream.UserInfo.RoomId: ${numericOnly('x-1', 'RoomIdType 0', 1)}`],
  ])('refuses a %s RoomId that does not fit its RoomIdType before sending, and says how to fix it (%j)', (name, args, message) => refusedBeforeSending(name, args, message));

  it.each([
    ['StartAIConversation', { RoomId: '1234', AgentConfig: { UserId: 'alice', TargetUserId: 'alice' } },
      'AgentConfig.UserId: must differ from TargetUserId: the bot joins the room as a user of its own; give it an ID nobody in the room uses, such as "ai_bot"'],
    ['StartAITranscription', { RoomId: '1234', TranscriptionParams: { UserId: 'bob', TranscriptionMode: 1, TargetUserId: 'bob' } },
      'TranscriptionParams.UserId: must differ from TargetUserId'],
    ['ControlAIConversation', { TaskId: 'task-1', Command: 'ServerPushText', ServerPushText: {} },
      'ServerPushText.Text: must be the words the bot should say, not empty (to end the conversation, use StopAIConversation)'],
    ['ControlAIConversation', { TaskId: 'task-1', Command: 'ServerPushText', ServerPushText: { Text: '', StopAfterPlay: true } },
      'ServerPushText.Text: must be the words the bot should say, not empty'],
    ['ControlAIConversation', { TaskId: 'task-1', Command: 'ServerPushText' }, 'ServerPushText: is required when Command is ServerPushText: give {"Text": "what the bot should say"}'],
  ])('refuses a %s that cannot work, with the fix, before sending (%j)', (name, args, message) => refusedBeforeSending(name, args, message));

  it('is refused by the sandbox, as the docs say TRTC refuses it, when a bot takes the ID of a user in the room', async () => {
    const r = await call('StartAIConversation', { RoomId: '1234', AgentConfig: { UserId: 'bob', TargetUserId: 'alice' } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('StartAIConversation failed: InvalidParameter: AgentConfig.UserId bob is a user in room 1234; a bot needs a user ID of its own.');
    expect(cloudRequests(sb, 'StartAIConversation').at(-1)!.code).toBe('InvalidParameter');
  });

  it('puts an AI bot in the string room when RoomIdType says so', async () => {
    const { TaskId } = await ok('StartAIConversation', { RoomId: 'support-7', RoomIdType: 1, AgentConfig: { UserId: 'bot_s7', TargetUserId: 'u' }, LLMConfig: { profile: 'default' }, TTSConfig: { profile: 'default' } });
    expect(sb.world.tasks.find(app(), TaskId)).toMatchObject({ roomKind: 'str', roomId: 'support-7' });
    expect((await confirmed('StopAIConversation', { TaskId })).isError).toBeFalsy();
  });

  it('never shows a key, UserSig or SecretKey in a tool result or a log line, and every answer matched its output schema', () => {
    const sigs = sb.world.tasks.all(app(), () => true).flatMap((t: Task) => sigsIn(t.config));
    expect(sigs.length).toBe(8);
    rememberSecret(...sigs);
    const secrets = [LLM_KEY, FAST_LLM_KEY, TTS_ID, TTS_KEY, COS_KEY, sb.accounts[0]!.secretKey, app().sdkSecretKey, ...sigs];
    const stderr = conn.stderr();
    expect(stderr).toContain('"type":"audit"');
    for (const s of secrets) {
      for (const out of [...seen, stderr]) expect(out.includes(s), `a secret starting ${s.slice(0, 6)} leaked`).toBe(false);
    }
    expect(stderr).not.toContain('response does not match the documented output');
  });
});

/** Every UserSig in a task's wire parameters. */
function sigsIn(v: unknown): string[] {
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => (k === 'UserSig' && typeof x === 'string' ? [x] : sigsIn(x)));
}

describe('a server that cannot mint UserSigs', () => {
  let sb: Sandbox;
  let conn: Connected;
  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio(['--toolsets', 'ai'], sandboxEnv(sb, { TRTC_SDK_SECRET_KEY: undefined }));
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });

  it('asks for the bot UserSig by name, and for profiles that are not configured, before sending anything', async () => {
    expect(conn.client.getInstructions()).not.toContain('mints');
    const { call } = caller(conn.client);
    const noSig = await call('StartAIConversation', { RoomId: '1234', AgentConfig: { UserId: 'ai_bot', TargetUserId: 'alice' } });
    expect(text(noSig)).toContain('AgentConfig.UserSig: is required: this server cannot mint UserSigs');
    const sig = new Api(APP, sb.world.apps.get(APP)!.sdkSecretKey).genUserSig('ai_bot', 600);
    rememberSecret(sig);
    const noProfile = await call('StartAIConversation', { RoomId: '1234', AgentConfig: { UserId: 'ai_bot', TargetUserId: 'alice', UserSig: sig }, TTSConfig: { profile: 'default' } });
    expect(text(noProfile)).toContain('TTSConfig.profile: no TTS profile named "default" is configured (configured: none)');
    expect(cloudRequests(sb)).toEqual([]);
    const started = await call('StartAIConversation', { RoomId: '1234', AgentConfig: { UserId: 'ai_bot', TargetUserId: 'alice', UserSig: sig } });
    expect(started.isError, text(started)).toBeFalsy();
  });
});

describe('task tools over Streamable HTTP', () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;
  beforeAll(async () => {
    sb = await withSandbox();
    srv = await spawnHttp(['--toolsets', 'record'], sandboxEnv(sb));
  });
  afterAll(async () => {
    await srv.stop();
    await sb.close();
  });

  it('records a room from start to end', async () => {
    const client = await connectHttp(srv.url);
    const { ok, confirmed } = caller(client);
    const { TaskId } = await ok('CreateCloudRecording', { RoomId: 'abcd', RoomIdType: 0, UserId: 'rec_abcd', RecordParams: { RecordMode: 2 }, StorageParams: { CloudVod: { TencentVod: { ExpireTime: 86400 } } } });
    const wire = sb.world.tasks.find(sb.world.apps.get(APP)!, TaskId)!.config;
    rememberSecret(wire.UserSig);
    expectOfficialMint(wire.UserSig, sb.world.apps.get(APP)!.sdkSecretKey, 'rec_abcd');
    expect(await ok('DescribeCloudRecording', { TaskId })).toMatchObject({ Status: 'InProgress', StorageFileList: [] });
    await ok('DeleteCloudRecording', { TaskId }, confirmed);
    expect((await ok('DescribeCloudRecording', { TaskId })).Status).toBe('Exited');
    await client.close();
    for (const out of [...seen, srv.stderr()]) expect(out).not.toContain(wire.UserSig);
  });
});
