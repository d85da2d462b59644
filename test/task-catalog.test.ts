// The task tools against the reference: every documented parameter and data-type member with its type and
// required-ness, the documented error codes, regions and rate limits, and the hooks that fill in bot UserSigs
// and LLM/TTS configurations.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArgumentError, type ToolDef, type WireEnv } from '../tools/define.js';
import { CATALOG } from '../tools/index.js';
import { decodeUserSig, genUserSig } from '../src/signing/usersig.js';
import { reference, type RefMember } from './reference.js';

const TASK_TOOLS = {
  record: ['CreateCloudRecording', 'DescribeCloudRecording', 'ModifyCloudRecording', 'DeleteCloudRecording'],
  relay: ['StartPublishCdnStream', 'UpdatePublishCdnStream', 'StopPublishCdnStream'],
  ingest: ['StartStreamIngest', 'DescribeStreamIngest', 'UpdateStreamIngest', 'StopStreamIngest'],
  ai: [
    'StartAIConversation', 'DescribeAIConversation', 'UpdateAIConversation', 'ControlAIConversation', 'StopAIConversation',
    'StartAITranscription', 'DescribeAITranscription', 'StopAITranscription',
  ],
} as const;
const ALL = Object.values(TASK_TOOLS).flat();
const byName = new Map(CATALOG.map((d) => [d.name, d]));
const def = (name: string) => byName.get(name)!;

type Json = { type?: string; properties?: Record<string, Json>; required?: string[]; items?: Json; enum?: unknown[] };
const JSON_TYPE: Record<string, string[]> = { String: ['string'], Integer: ['integer', 'number'], Float: ['number'], Boolean: ['boolean'] };

/** Every documented member (and, for structures, every member of theirs) has the documented type and required-ness. */
function compare(where: string, schema: Json, members: RefMember[], problems: string[]): void {
  const names = Object.keys(schema.properties ?? {}).sort();
  const documented = members.map((m) => m.name).sort();
  if (names.join() !== documented.join()) problems.push(`${where}: members ${names.join()} but documented ${documented.join()}`);
  for (const m of members) {
    let s = schema.properties?.[m.name];
    if (!s) continue;
    if (Boolean(schema.required?.includes(m.name)) !== m.required) problems.push(`${where}.${m.name}: required should be ${m.required}`);
    let type = m.type;
    if (type.startsWith('Array of ')) {
      if (s.type !== 'array') problems.push(`${where}.${m.name}: should be an array`);
      s = s.items ?? {};
      type = type.slice('Array of '.length);
    }
    if (JSON_TYPE[type]) {
      if (!JSON_TYPE[type]!.includes(s.type ?? '')) problems.push(`${where}.${m.name}: ${s.type} should be ${type}`);
    } else if (s.type !== 'object' || !reference.datatypes[type]) problems.push(`${where}.${m.name}: should be the structure ${type}`);
    else compare(`${where}.${m.name}`, s, reference.datatypes[type]!, problems);
  }
}

describe('task tools follow the reference', () => {
  it('are all in the catalog, in their toolsets, with the documented rate limit', () => {
    for (const [toolset, names] of Object.entries(TASK_TOOLS)) {
      for (const name of names) {
        expect(def(name), name).toBeDefined();
        expect(def(name).toolset).toBe(toolset);
        expect(def(name).rateLimit).toBe(reference.actions[name]!.rateLimit);
      }
    }
  });

  it.each(ALL)('%s has every documented parameter and data-type member, typed and required as documented', (name) => {
    const problems: string[] = [];
    const schema = z.toJSONSchema(def(name).input, { io: 'input', unrepresentable: 'any' }) as Json;
    compare(name, schema, reference.actions[name]!.params, problems);
    expect(problems).toEqual([]);
  });

  it('the comparison catches what it should', () => {
    const problems: string[] = [];
    const schema: Json = { type: 'object', properties: { A: { type: 'string' }, B: { type: 'object', properties: {} }, C: { type: 'string' } }, required: ['C'] };
    compare('X', schema, [{ name: 'A', type: 'Integer', required: true }, { name: 'B', type: 'Array of MixLayout', required: false }, { name: 'C', type: 'String', required: false }], problems);
    expect(problems).toEqual(['X.A: required should be true', 'X.A: string should be Integer', 'X.B: should be an array', 'X.B: should be the structure MixLayout', 'X.C: required should be false']);
    compare('Y', { type: 'object', properties: { A: { type: 'string' } } }, [{ name: 'Z', type: 'String', required: false }], problems);
    expect(problems.at(-1)).toBe('Y: members A but documented Z');
  });

  it.each(ALL)('%s lists exactly the documented error codes', (name) => {
    expect([...def(name).errors].sort()).toEqual(reference.actions[name]!.errors);
  });

  it('classifies effects: Describe reads, Stop and Delete end things, and some writes can end things with some arguments', () => {
    // At worst: a start that reuses a running bot's user ID ends that bot's task; a text spoken with StopAfterPlay
    // ends the conversation; a new StreamUrl, CDN list or feedback room list replaces what listeners get.
    const endsSometimes = ['StartAIConversation', 'StartAITranscription', 'StartPublishCdnStream', 'ControlAIConversation', 'UpdateStreamIngest', 'UpdatePublishCdnStream'];
    for (const name of ALL) {
      const effect = /^Describe/.test(name) ? 'read' : /^(Stop|Delete)/.test(name) || endsSometimes.includes(name) ? 'destructive' : 'write';
      expect(def(name).effect, name).toBe(effect);
    }
    expect(def('ControlAIConversation').effectOf!({ TaskId: 't', Command: 'ServerPushText', ServerPushText: { Text: 'hi' } })).toBe('write');
    expect(def('ControlAIConversation').effectOf!({ TaskId: 't', Command: 'ServerPushText', ServerPushText: { Text: 'bye', StopAfterPlay: true } })).toBe('destructive');
    expect(def('UpdateStreamIngest').effectOf!({ TaskId: 't', IsPause: true })).toBe('write');
    expect(def('UpdateStreamIngest').effectOf!({ TaskId: 't', StreamUrl: 'https://x/y.mp4' })).toBe('destructive');
  });

  it('names the documented regions, which all include the default ap-singapore', () => {
    const regions = (name: string) => (def(name).api as { regions?: readonly string[] }).regions!;
    expect(regions('CreateCloudRecording')).toEqual(['ap-beijing', 'ap-guangzhou', 'ap-mumbai', 'ap-shanghai', 'ap-singapore']);
    expect(regions('StopPublishCdnStream')).toEqual(['ap-guangzhou', 'ap-hongkong', 'ap-singapore']);
    expect(regions('UpdateStreamIngest')).toContain('ap-tokyo');
    expect(regions('DescribeStreamIngest')).not.toContain('ap-tokyo');
    expect(regions('ControlAIConversation')).toEqual(['ap-guangzhou', 'ap-singapore', 'ap-tokyo', 'na-siliconvalley']);
    for (const name of ALL) expect(regions(name), name).toContain('ap-singapore');
  });

  it.each(ALL)('%s accepts the seed\'s input examples on the wire', (name) => {
    for (const input of reference.actions[name]!.examples) {
      const result = def(name).input.strict().safeParse(input);
      expect(result.error?.issues ?? [], JSON.stringify(input).slice(0, 80)).toEqual([]);
    }
  });
});

const SECRET = 'sdk-secret-key-for-catalog-tests';
const APP = 1400000001;
const env = (over: Partial<WireEnv> = {}): WireEnv => ({
  sdkAppId: APP,
  now: Date.now,
  mintUserSig: (userId) => genUserSig({ sdkAppId: APP, secretKey: SECRET, userId, expireSeconds: 600 }),
  profiles: {
    llm: { default: { LLMType: 'openai', Model: 'gpt-4o', APIKey: 'sk-profile', APIUrl: 'https://llm.example/v1/chat/completions' }, keyOnly: { APIKey: 'sk-2' } },
    tts: { warm: { TTSType: 'tencent', AppId: 1300000000, SecretId: 'AKID-profile', SecretKey: 'tts-profile-key', VoiceType: 101001 } },
  },
  ...over,
});
const toWire = (name: string, args: Record<string, unknown>, e = env()) => def(name).toWire!(args, e);
const argError = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArgumentError) return err.message;
    throw err;
  }
  throw new Error('expected an ArgumentError');
};

describe('bot UserSigs', () => {
  const recording = { SdkAppId: APP, RoomId: '1234', UserId: 'recorder_1', RecordParams: { RecordMode: 1 }, StorageParams: { CloudVod: {} } };

  it('are optional for agents and minted for the bot user when left out', () => {
    expect(def('CreateCloudRecording').agentInput!.safeParse(recording).success).toBe(true);
    expect(def('CreateCloudRecording').input.safeParse(recording).success).toBe(false);
    const wire = toWire('CreateCloudRecording', recording);
    expect(decodeUserSig(wire.UserSig as string)).toMatchObject({ sdkAppId: APP, userId: 'recorder_1', expire: 600 });
  });

  it.each([
    ['StartStreamIngest', { UserId: 'ingest_1' }, (w: any) => w.UserSig],
    ['StartAIConversation', { AgentConfig: { UserId: 'ai_1', TargetUserId: 'alice' } }, (w: any) => w.AgentConfig.UserSig],
    ['StartAITranscription', { TranscriptionParams: { UserId: 'asr_1' } }, (w: any) => w.TranscriptionParams.UserSig],
    ['StartPublishCdnStream', { AgentParams: { UserId: 'relay_1' }, WithTranscoding: 1, FeedBackRoomParams: [{ RoomId: '9', RoomIdType: 0, UserId: 'back_1' }] }, (w: any) => w.FeedBackRoomParams[0].UserSig],
  ])('are minted in %s wherever a bot enters a room', (name, args, sigOf) => {
    const wire = toWire(name, { SdkAppId: APP, RoomId: '1234', RoomIdType: 0, ...args });
    expect(decodeUserSig(sigOf(wire))).toMatchObject({ sdkAppId: APP, expire: 600 });
  });

  it('keeps a UserSig the agent passes', () => {
    expect(toWire('CreateCloudRecording', { ...recording, UserSig: 'given-by-agent' }).UserSig).toBe('given-by-agent');
  });

  it('names the field when no UserSig can be minted', () => {
    const message = argError(() => toWire('StartAIConversation', { SdkAppId: APP, RoomId: '1', AgentConfig: { UserId: 'ai', TargetUserId: 'u' } }, env({ mintUserSig: undefined })));
    expect(message).toMatch(/^AgentConfig\.UserSig: is required: this server cannot mint UserSigs/);
    // The relay bot's own UserSig is optional on the wire, so it is simply left out.
    const relay = toWire('StartPublishCdnStream', { SdkAppId: APP, RoomId: '1', RoomIdType: 0, AgentParams: { UserId: 'r' }, WithTranscoding: 1, PublishCdnParams: [{ PublishCdnUrl: 'rtmp://x/y' }] }, env({ mintUserSig: undefined }));
    expect(JSON.parse(JSON.stringify(relay)).AgentParams).toEqual({ UserId: 'r' });
  });
});

describe('LLMConfig and TTSConfig', () => {
  const start = (configs: Record<string, unknown>, e?: WireEnv) =>
    toWire('StartAIConversation', { SdkAppId: APP, RoomId: '1', AgentConfig: { UserId: 'ai', TargetUserId: 'u', UserSig: 's' }, ...configs }, e);

  it('serialises a profile reference into the JSON string the wire wants, keys included', () => {
    const wire = start({ LLMConfig: { profile: 'default' }, TTSConfig: { profile: 'warm', Speed: 1.25 } });
    expect(JSON.parse(wire.LLMConfig as string)).toEqual({ LLMType: 'openai', Model: 'gpt-4o', APIKey: 'sk-profile', APIUrl: 'https://llm.example/v1/chat/completions' });
    expect(JSON.parse(wire.TTSConfig as string)).toMatchObject({ TTSType: 'tencent', SecretKey: 'tts-profile-key', Speed: 1.25 });
  });

  it('lets a profile that holds only the key be completed, and inline configurations through', () => {
    const profiles = { llm: { keyOnly: { LLMType: 'openai', APIKey: 'k', APIUrl: 'https://a.b/v1' } }, tts: {} };
    const wire = start({ LLMConfig: { profile: 'keyOnly', Model: 'm', Streaming: true } }, env({ profiles }));
    expect(JSON.parse(wire.LLMConfig as string)).toEqual({ LLMType: 'openai', APIKey: 'k', APIUrl: 'https://a.b/v1', Model: 'm', Streaming: true });
    const inline = start({ LLMConfig: { LLMType: 'openai', Model: 'm', APIKey: 'k', APIUrl: 'http://h/v1', Streaming: true, SystemPrompt: 'Be brief' } });
    expect(JSON.parse(inline.LLMConfig as string)).toMatchObject({ Streaming: true, SystemPrompt: 'Be brief' });
  });

  it.each([
    [{ LLMConfig: { profile: 'nope' } }, 'LLMConfig.profile: no LLM profile named "nope" is configured (configured: default, keyOnly)'],
    [{ LLMConfig: { profile: 'default', APIUrl: 'https://attacker.example/v1' } }, 'LLMConfig.APIUrl: cannot be changed when a profile is used'],
    [{ TTSConfig: { profile: 'warm', TTSType: 'custom' } }, 'TTSConfig.TTSType: cannot be changed when a profile is used'],
    [{ LLMConfig: { profile: 'keyOnly' } }, 'LLMConfig.LLMType: is required'],
    [{ LLMConfig: { LLMType: 'openai', Model: 'm', APIKey: 'k', APIUrl: 'ftp://h' } }, 'LLMConfig.APIUrl: must be a valid regex'],
    [{ TTSConfig: { TTSType: 'tencent', AppId: 1, VoiceType: 2 } }, 'TTSConfig.SecretId: is required when TTSType is "tencent"'],
  ])('rejects %j naming the field', (configs, message) => {
    expect(argError(() => start(configs))).toContain(message);
  });

  it('leaves configurations out of the wire when the agent leaves them out', () => {
    const wire = toWire('UpdateAIConversation', { TaskId: 't', WelcomeMessage: 'hi' });
    expect(JSON.parse(JSON.stringify(wire))).toEqual({ TaskId: 't', WelcomeMessage: 'hi' });
  });
});

describe('rules across members, checked before anything is sent', () => {
  it.each([
    ['StartPublishCdnStream', { RoomIdType: 0, RoomId: '1', AgentParams: { UserId: 'r', UserSig: 's' }, WithTranscoding: 1 }, 'PublishCdnParams: give PublishCdnParams or FeedBackRoomParams'],
    ['StartPublishCdnStream', { RoomIdType: 0, RoomId: '1', AgentParams: { UserId: 'r', UserSig: 's' }, WithTranscoding: 0, PublishCdnParams: [{ PublishCdnUrl: 'rtmp://a/b' }] }, 'SingleSubscribeParams: is required when WithTranscoding is 0'],
    ['ControlAIConversation', { TaskId: 't', Command: 'ServerPushText' }, 'ServerPushText: is required when Command is ServerPushText'],
    ['DescribeAIConversation', {}, 'TaskId: is required unless SessionId is given'],
    ['DescribeAITranscription', { SdkAppId: APP }, 'TaskId: is required unless SessionId is given'],
  ])('%s %j', (name, args, message) => {
    expect(argError(() => toWire(name, { SdkAppId: APP, ...args }))).toContain(message);
  });

  it('looks transcriptions up by SessionId with the empty TaskId the wire wants', () => {
    expect(toWire('DescribeAITranscription', { SdkAppId: APP, SessionId: 's-1' })).toEqual({ SdkAppId: APP, SessionId: 's-1', TaskId: '' });
  });

  it.each([
    ['CreateCloudRecording', { StorageParams: {} }, 'StorageParams.CloudVod'],
    ['CreateCloudRecording', { RecordParams: { RecordMode: 1, SubscribeStreamUserIds: { SubscribeAudioUserIds: ['a'], UnSubscribeAudioUserIds: ['b'] } } }, 'UnSubscribeAudioUserIds'],
    ['CreateCloudRecording', { MixTranscodeParams: { VideoParams: { Width: 1920, Height: 1920, Fps: 15, BitRate: 900000, Gop: 2 } } }, 'Width x Height must not exceed'],
    ['StartPublishCdnStream', { AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 1, BitRate: 64, Codec: 2 } } }, 'must be 2 when Codec is 2'],
    ['StartAITranscription', { TranscriptionParams: { UserId: 'b', UserSig: 's', TranscriptionMode: 1 } }, 'is required when TranscriptionMode is 1'],
    ['StartStreamIngest', { RepeatNum: 0 }, 'must not be 0'],
  ])('nested rule in %s: %j', (name, args, message) => {
    const issues = (def(name) as ToolDef).input.safeParse(args).error!.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    expect(issues.join('\n')).toContain(message);
  });
});
