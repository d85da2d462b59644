// Speech synthesis, voice cloning and voiceprints. TextToSpeech, its streamed twin and VoiceClone are documented for
// both sites (the international docs serve them in Singapore); asynchronous synthesis and voiceprints for the
// China site only.
import { z } from 'zod';
import { cloudAction, effectByArgs } from './define.js';
import { Alignments, AudioFormat, Language, Model, PronunciationDict, Voice } from './datatypes/speech.js';
import { NoOutput, REGIONS, RequestId, SdkAppId } from './fields.js';
import { byTaskId, startedTask, TaskId } from './tasks.js';

const shared = { toolset: 'speech', rateLimit: 20 } as const;
const both = { ...shared, regions: REGIONS.singapore } as const;
const cnOnly = { ...shared, sites: ['cn'] } as const;

const synthesis = {
  Voice,
  SdkAppId,
  AudioFormat: AudioFormat.optional(),
  Model: Model.optional(),
  Language: Language.optional(),
  PronunciationDict: PronunciationDict.optional(),
  AlignmentMode: z.literal([0, 1, 2]).optional().describe('Subtitles: 0 none, 1 sentences, 2 words'),
  ExtraParams: z.string().optional().describe('JSON'),
};
const Audio = z.string().describe('Base64');

export const TextToSpeech = cloudAction({
  ...both,
  action: 'TextToSpeech',
  aliases: ['tts', 'speak text', 'read aloud', 'synthesize voice', 'text into speech', '语音 合成', '文字转语音', '朗读', '合成 声音'],
  // Synthesis changes nothing: the audio comes back in the answer.
  effect: 'read',
  description: 'Turn a short text into speech (base64 audio in the answer), with optional subtitles.',
  input: z.object({ Text: z.string().min(1).max(2000).describe('≤255 chars on the international site'), ...synthesis }),
  output: z.object({ Audio: Audio.optional(), Alignments: Alignments.optional(), TotalDurationMs: z.int().optional(), RequestId }),
  whole: ['Audio'],
});

export const TextToSpeechSSE = cloudAction({
  ...both,
  action: 'TextToSpeechSSE',
  aliases: ['tts', 'speak long text', 'read aloud', 'streaming speech', '流式 语音 合成', '流式 文本转语音', '朗读 长文本'],
  effect: 'read',
  // Tencent streams the audio as server-sent events from a domain of its own.
  hosts: { intl: 'trtc.ai.intl.tencentcloudapi.com', cn: 'trtc.ai.tencentcloudapi.com' },
  description: 'Turn a longer text into speech as a stream; the server gathers the chunks into one base64 audio.',
  input: z.object({ Text: z.string().min(1).max(20000).describe('≤255 chars on the international site'), ...synthesis }),
  output: z.object({
    Audio: Audio.optional(),
    Alignments: Alignments.optional(),
    Chunks: z.int().optional(),
    RequestId,
  }),
  whole: ['Audio'],
  present(r) {
    const chunks: Array<Record<string, any>> = r.Events ?? [];
    const audio = Buffer.concat(chunks.filter((e) => typeof e.Audio === 'string').map((e) => Buffer.from(e.Audio, 'base64')));
    const alignments = chunks.flatMap((e) => (Array.isArray(e.Alignments) ? e.Alignments : []));
    return {
      structured: { Audio: audio.toString('base64'), ...(alignments.length && { Alignments: alignments }), Chunks: chunks.length, RequestId: r.RequestId },
      notes: [`${chunks.length} chunks, ${audio.length} bytes of audio.`],
    };
  },
});

export const AsyncTextToSpeech = cloudAction({
  ...cnOnly,
  action: 'AsyncTextToSpeech',
  aliases: ['long text to speech', 'audiobook', '异步 语音 合成', '长文本转语音', '有声书'],
  effect: 'write',
  started: startedTask({ rooms: () => [] }),
  description: 'Start synthesising a long text (up to 50000 characters, a CJK character counting 2); fetch the audio with DescribeAsyncTextToSpeech.',
  input: z.object({
    Text: z.string().min(1).max(50000),
    Voice,
    SdkAppId,
    AudioFormat: AudioFormat.optional(),
    Model: z.literal('flow_02_turbo').optional(),
    PronunciationDict: PronunciationDict.optional(),
    AlignmentMode: z.literal([0, 1]).optional().describe('1 subtitles'),
    LanguageCode: z.enum(['zh', 'en', 'ja', 'ko', 'yue', 'ms', 'ar', 'id', 'th', 'vi']).optional(),
  }),
  output: z.object({ TaskId: z.string(), RequestId }),
});

export const DescribeAsyncTextToSpeech = cloudAction({
  ...cnOnly,
  action: 'DescribeAsyncTextToSpeech',
  aliases: ['查询 异步 语音 合成 状态', '合成 结果'],
  effect: 'read',
  targets: byTaskId,
  description: 'Status of an asynchronous synthesis and, once done, where to download the audio and subtitles.',
  input: z.object({ TaskId }),
  output: z.object({
    Status: z.enum(['Processing', 'Success', 'Failed', 'Expired']),
    AudioDownloadUrl: z.string().optional(),
    SubtitleDownloadUrl: z.string().optional(),
    TotalDurationMs: z.int().optional(),
    RequestId,
  }),
});

export const VoiceClone = cloudAction({
  ...both,
  action: 'VoiceClone',
  aliases: ['clone voice', 'custom voice', 'my voice', '声音 克隆', '克隆 声音', '复刻 声音', '定制 音色'],
  effect: 'write',
  description: 'Make a new voice from a sample recording (base64, 16 kHz mono, a few seconds to 3 minutes). Returns its VoiceId.',
  input: z.object({
    SdkAppId,
    VoiceName: z.string().regex(/^\w{1,36}$/, 'must be 1-36 letters, digits or underscores'),
    PromptAudio: z.string().min(1).describe('Base64 wav/mp3/m4a'),
    PromptText: z.string().optional(),
    Model: Model.optional(),
    Language: Language.optional(),
    ExtraParams: z.string().optional().describe('JSON'),
  }),
  output: z.object({ VoiceId: z.string(), RequestId }),
});

const VoicePrintId = z.string().min(1);
const WavBase64 = z.string().min(1).describe('Base64 wav, 16 kHz 16-bit mono, 8-18 s, ≤2 MB');
const AudioMetaInfo = z.string().max(512).optional();
/** The wire wants the request time in ms; the server fills it when the agent leaves it out. */
const ReqTimestamp = z.int().min(1).describe('Unix ms');
const stamped = (args: Record<string, any>, env: { now(): number }) => ({ ...args, ReqTimestamp: args.ReqTimestamp ?? env.now() });

const registerShape = {
  Audio: WavBase64,
  ReqTimestamp,
  AudioFormat: z.literal(0).describe('0 wav'),
  AudioName: z.string().min(1).max(32),
  AudioMetaInfo,
};

export const RegisterVoicePrint = cloudAction({
  ...cnOnly,
  action: 'RegisterVoicePrint',
  ownedByAccount: true,
  aliases: ['enroll speaker', 'voice id', 'speaker recognition', '注册 声纹', '声纹 识别', '说话人 识别'],
  effect: 'write',
  description: 'Enrol a speaker\'s voiceprint from a wav sample. Returns its VoicePrintId.',
  input: z.object(registerShape),
  agentInput: z.object({ ...registerShape, ReqTimestamp: ReqTimestamp.optional().describe('Omit: now') }),
  toWire: stamped,
  output: z.object({ VoicePrintId: z.string(), RequestId }),
});

export const DescribeVoicePrint = cloudAction({
  ...cnOnly,
  action: 'DescribeVoicePrint',
  ownedByAccount: true,
  aliases: ['查询 声纹 信息', '声纹 列表'],
  effect: 'read',
  description: 'Voiceprints of the account: given ones (DescribeMode 0) or page by page (1).',
  input: z.object({
    DescribeMode: z.literal([0, 1]).describe('0 by VoicePrintIdList, 1 paged'),
    VoicePrintIdList: z.array(VoicePrintId).optional(),
    PageIndex: z.int().min(1).optional(),
    PageSize: z.int().min(20).optional(),
  }),
  output: z.object({
    TotalCount: z.int().optional(),
    Data: z
      .array(
        z.object({
          VoicePrintId: z.string(),
          AppId: z.int(),
          VoicePrintMetaInfo: z.string(),
          CreateTime: z.string(),
          UpdateTime: z.string(),
          AudioFormat: z.int(),
          AudioName: z.string(),
          ReqTimestamp: z.int(),
        }).partial(),
      )
      .optional(),
    RequestId,
  }),
});

const updateShape = {
  VoicePrintId,
  ReqTimestamp,
  AudioFormat: z.literal(0).optional().describe('0 wav'),
  Audio: WavBase64.optional(),
  AudioMetaInfo,
};

export const UpdateVoicePrint = cloudAction({
  ...cnOnly,
  action: 'UpdateVoicePrint',
  ownedByAccount: true,
  aliases: ['更新 声纹 信息'],
  // A new sample replaces the enrolled one for good; the meta information alone is a plain change.
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'Audio is given (the enrolled sample is replaced for good)',
    effect: 'destructive',
    test: (a) => Boolean(a.Audio),
  }),
  idempotent: true,
  description: 'Replace a voiceprint\'s sample and/or its meta information.',
  input: z.object(updateShape),
  agentInput: z.object({ ...updateShape, ReqTimestamp: ReqTimestamp.optional().describe('Omit: now') }),
  toWire: stamped,
  output: NoOutput,
});

export const DeleteVoicePrint = cloudAction({
  ...cnOnly,
  action: 'DeleteVoicePrint',
  ownedByAccount: true,
  aliases: ['删除 声纹'],
  effect: 'destructive',
  description: 'Delete a voiceprint.',
  input: z.object({ VoicePrintId }),
  output: NoOutput,
});
