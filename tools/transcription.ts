// Cloud transcription and speech-recognition vocabularies (China site): a bot joins a room, turns what anchors say
// into text, optionally translates it and speaks the translation back; hot-word vocabularies sharpen recognition.
import { z } from 'zod';
import { cloudAction, effectByArgs } from './define.js';
import { roomIdType } from './room-id.js';
import { NoOutput, RequestId, SdkAppId } from './fields.js';
import { botSig, byTaskId, startedTask, taskJob, TaskId, TaskOutput, TaskRoomId, UserSig, withBotSig } from './tasks.js';

const shared = { toolset: 'transcription', rateLimit: 20, sites: ['cn'] } as const;
const byTask = { SdkAppId, TaskId };

const User = z.strictObject({ UserId: z.string().min(1) });
const TranscriptionParam = withBotSig({
  UserId: z.string().min(1).describe('Bot; not an anchor\'s ID'),
  UserSig,
  SubscribeList: z.array(User).optional().describe('Only these (default all)'),
  UnSubscribeList: z.array(User).optional().describe('Never these'),
  MaxIdleTime: z.int().min(5).max(86400).optional().describe('Idle s before it stops; default 30'),
  SendCustomMode: z.literal([0, 1]).optional(),
});

const AsrParam = z.strictObject({
  Lang: z.string().min(1).describe('e.g. bigmodel-zh'),
  VadSilenceTime: z.int().min(240).max(2000).optional().describe('Silence ms ending a sentence'),
  HotWordList: z.string().optional().describe('"word|weight,..."'),
  AlternativeLanguage: z.array(z.string()).max(4).optional(),
  VadLevel: z.literal([0, 1]).optional(),
  FilterDirty: z.literal([0, 1, 2]).optional().describe('Profanity: 1 drop, 2 mask'),
  FilterModal: z.literal([0, 1, 2]).optional().describe('Fillers: 1 some, 2 all'),
  FilterPunc: z.literal([0, 1]).optional(),
});

const TranslationParam = z.strictObject({
  TargetLang: z.array(z.string().min(1)).optional(),
  Terminologies: z
    .array(z.strictObject({ TargetLang: z.string().min(1), Terminology: z.array(z.strictObject({ Source: z.string(), Target: z.string() })) }))
    .optional(),
});

const TTSParam = z.strictObject({
  Model: z.literal('flow_02_turbo'),
  Language: z.string().min(1).describe('One of TranslationParam.TargetLang'),
  TargetUser: User.describe('Anchor spoken for'),
  TTSRobotUser: User.describe('Speaking bot'),
  Voice: z.strictObject({
    VoiceId: z.string().min(1),
    Speed: z.number().min(0.5).max(2).optional(),
    Volume: z.number().min(0).max(10).optional(),
    Pitch: z.number().min(-12).max(12).optional(),
  }),
});

const createShape = {
  SdkAppId,
  RoomId: TaskRoomId,
  RoomIdType: roomIdType({ numeric: 0, string: 1 }),
  AsrParam,
  TranslationParam: TranslationParam.optional(),
  TTSParam: z.array(TTSParam).optional().describe('Speak translations'),
};

export const CreateCloudTranscription = cloudAction({
  ...shared,
  action: 'CreateCloudTranscription',
  aliases: ['captions', 'subtitles', 'translate', 'interpretation', 'speech to text', '开始 云端 转录', '实时 翻译', '同声传译', '同传', '字幕', '语音转文字'],
  effect: 'write',
  started: startedTask(),
  job: taskJob('cloud transcription', 'DescribeCloudTranscription', 'DeleteCloudTranscription'),
  description: 'Start transcribing a room (optionally translating, and speaking translations back). Returns the TaskId.',
  input: z.object({ ...createShape, TranscriptionParam: TranscriptionParam.wire }),
  agentInput: z.object({ ...createShape, TranscriptionParam: TranscriptionParam.agent }),
  toWire(args, env) {
    const p = args.TranscriptionParam;
    return { ...args, TranscriptionParam: { ...p, UserSig: botSig(env, 'TranscriptionParam.UserSig', p.UserId, p.UserSig) } };
  },
  output: TaskOutput,
});

export const DescribeCloudTranscription = cloudAction({
  ...shared,
  action: 'DescribeCloudTranscription',
  aliases: ['查询 云端 转录 状态', '转录 状态'],
  effect: 'read',
  targets: byTaskId,
  description: 'Status of a transcription task (Idle, InProgress, Exited) and when it started.',
  input: z.object(byTask),
  output: z.object({ StartTime: z.int().optional().describe('Unix s'), Status: z.enum(['Idle', 'InProgress', 'Exited']), TaskId: z.string(), RequestId }),
});

export const DeleteCloudTranscription = cloudAction({
  ...shared,
  action: 'DeleteCloudTranscription',
  aliases: ['stop captions', 'stop translation', '停止 云端 转录', '停止 翻译'],
  effect: 'destructive',
  targets: byTaskId,
  description: 'Stop a transcription task; its bot leaves the room.',
  input: z.object(byTask),
  output: TaskOutput,
});

const VocabId = z.string().min(1);
const HotWord = z.strictObject({
  Word: z.string().min(1).max(30),
  Weight: z.int().refine((w) => (w >= 1 && w <= 11) || w === 100, 'must be 1-11 or 100'),
});
const words = {
  WordWeights: z.array(HotWord).optional(),
  WordWeightStr: z.string().optional().describe('The same words as text, base64'),
};
const Vocab = z
  .object({
    Name: z.string(),
    Description: z.string(),
    VocabId: z.string(),
    WordWeights: z.array(z.object({ Word: z.string(), Weight: z.int() }).partial()),
    CreateTime: z.string(),
    UpdateTime: z.string(),
    State: z.int().describe('1 default vocabulary'),
  })
  .partial();

export const CreateRecognizeVocabV3 = cloudAction({
  ...shared,
  action: 'CreateRecognizeVocabV3',
  aliases: ['hot words', 'custom vocabulary', 'jargon', '创建 热词表', '热词', '自定义 词汇', '专业 术语', '识别 准确率'],
  effect: 'write',
  description: 'Create a hot-word vocabulary that makes recognition favour given words. Returns its VocabId.',
  input: z.object({ Name: z.string().min(1).describe('Unique in the app'), SdkAppId, Description: z.string().optional(), ...words }),
  output: z.object({ VocabId: z.string(), RequestId }),
});

export const GetRecognizeVocabListV3 = cloudAction({
  ...shared,
  action: 'GetRecognizeVocabListV3',
  aliases: ['列出 热词表', '热词表 列表'],
  effect: 'read',
  description: 'List the app\'s hot-word vocabularies.',
  input: z.object({ SdkAppId, Offset: z.int().min(0).optional(), Limit: z.int().min(1).optional() }),
  output: z.object({ VocabList: z.array(Vocab).optional(), TotalCount: z.int().optional(), RequestId }),
});

export const GetRecognizeVocabV3 = cloudAction({
  ...shared,
  action: 'GetRecognizeVocabV3',
  aliases: ['获取 热词表', '查看 热词表'],
  effect: 'read',
  description: 'One hot-word vocabulary with its words and weights.',
  input: z.object({ VocabId, SdkAppId }),
  output: Vocab.extend({ RequestId }),
});

export const DownloadRecognizeVocabV3 = cloudAction({
  ...shared,
  action: 'DownloadRecognizeVocabV3',
  aliases: ['下载 热词表'],
  effect: 'read',
  description: 'A hot-word vocabulary\'s words as text.',
  input: z.object({ VocabId, SdkAppId }),
  output: z.object({ VocabId: z.string().optional(), WordWeightStr: z.string().optional(), RequestId }),
});

export const UpdateRecognizeVocabV3 = cloudAction({
  ...shared,
  action: 'UpdateRecognizeVocabV3',
  aliases: ['更新 热词表', '修改 热词'],
  // New words replace the old list for good; a new name or description alone is a plain change.
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'WordWeights or WordWeightStr is given (the word list is replaced for good)',
    effect: 'destructive',
    test: (a) => Boolean(a.WordWeights) || a.WordWeightStr !== undefined,
  }),
  idempotent: true,
  description: 'Rename a hot-word vocabulary or replace its words.',
  input: z.object({ VocabId, SdkAppId, Name: z.string().min(1).optional(), Description: z.string().optional(), ...words }),
  output: z.object({ VocabId: z.string().optional(), RequestId }),
});

export const SetVocabStateV3 = cloudAction({
  ...shared,
  action: 'SetVocabStateV3',
  aliases: ['设置 热词表 状态', '默认 热词表'],
  effect: 'write',
  idempotent: true,
  description: 'Make a vocabulary the app\'s default (State 1), used in every recognition, or not (0).',
  input: z.object({ VocabId, State: z.literal([0, 1]), SdkAppId }),
  output: z.object({ VocabId: z.string().optional(), RequestId }),
});

export const DeleteRecognizeVocabV3 = cloudAction({
  ...shared,
  action: 'DeleteRecognizeVocabV3',
  aliases: ['删除 热词表'],
  effect: 'destructive',
  description: 'Delete a hot-word vocabulary.',
  input: z.object({ VocabId, SdkAppId }),
  output: NoOutput,
});
