// Content moderation ("Cloud Moderation APIs", and the China site's live-stream and audio moderation): a bot joins
// a room, cuts what is said and shown into clips and frames, and hands them to a checker. Verdicts arrive at the
// callback URL configured in the TRTC console; a synchronous check answers at once for one audio file.
import { z } from 'zod';
import { ArgumentError, cloudAction, effectByArgs } from './define.js';
import { roomIdType } from './room-id.js';
import { botTaskShape, sliceBot, ModerationParams, ModerationStorageParams, SliceStorage, SubscribedUserIds, SubscribeStreamUserIds } from './datatypes/slicing.js';
import { REGIONS, RequestId, SdkAppId } from './fields.js';
import { byTaskId, mintedBot, startedTask, taskJob, TaskId, TaskOutput } from './tasks.js';

const shared = { toolset: 'moderation', rateLimit: 20 } as const;
/** Documented for both sites; the international docs serve it in Singapore only. */
const both = { ...shared, regions: REGIONS.singapore } as const;
const cnOnly = { ...shared, sites: ['cn'] } as const;

const byTask = { SdkAppId, TaskId };
const TaskStatus = z.enum(['Idle', 'InProgress', 'Exited']);

const moderationShape = {
  ...botTaskShape,
  ModerationParams,
  // Required by Tencent's API definitions (the China-site SDK's model marks it optional).
  ModerationStorageParams,
  ResourceExpiredHour: z.int().min(6).max(72).optional().describe('Hours the TaskId lasts; default 24'),
};

export const CreateCloudModeration = cloudAction({
  ...both,
  action: 'CreateCloudModeration',
  aliases: [
    'content moderation', 'detect abuse', 'swearing', 'profanity', 'toxic', 'nsfw', 'porn', 'filter',
    '开始 云端 审核', '启动 AI 内容 理解', '内容 审核', '鉴黄', '违规 检测', '脏话', '辱骂', '过滤',
  ],
  effect: 'destructive',
  effectOf: effectByArgs('write'),
  bot: sliceBot,
  started: startedTask({ bot: sliceBot }),
  job: taskJob('moderation', 'DescribeCloudModeration', 'DeleteCloudModeration'),
  description: 'Start moderating a room: a bot checks what each user says (and shows) and reports verdicts by callback. Returns the TaskId.',
  ...mintedBot(moderationShape),
  output: TaskOutput,
});

export const DescribeCloudModeration = cloudAction({
  ...both,
  action: 'DescribeCloudModeration',
  aliases: ['moderation status', '查询 云端 审核 任务 状态', '审核 状态'],
  effect: 'read',
  targets: byTaskId,
  description: 'Status of a moderation task (Idle, InProgress, Exited) and whose streams it checks.',
  input: z.object(byTask),
  output: z.object({ TaskId: z.string(), Status: TaskStatus, SubscribeStreamUserIds: SubscribedUserIds.optional(), RequestId }),
});

export const ModifyCloudModeration = cloudAction({
  ...both,
  action: 'ModifyCloudModeration',
  aliases: ['change moderation', '更新 云端 审核', '修改 审核 名单'],
  effect: 'write',
  targets: byTaskId,
  idempotent: true,
  description: 'Change whose streams a running moderation task checks (allowlists or blocklists).',
  input: z.object({ ...byTask, SubscribeStreamUserIds: SubscribeStreamUserIds.optional() }),
  output: TaskOutput,
});

export const DeleteCloudModeration = cloudAction({
  ...both,
  action: 'DeleteCloudModeration',
  aliases: ['stop moderation', 'stop content check', '停止 云端 审核', '停止 内容 审核', '停止 AI 内容 理解'],
  effect: 'destructive',
  targets: byTaskId,
  description: 'Stop a moderation task; its bot leaves the room.',
  input: z.object(byTask),
  output: TaskOutput,
});

const LiveInput = z
  .strictObject({
    Url: z.string().max(2047).optional(),
    Format: z.literal('rtmp').optional(),
    AgoraParam: z
      .strictObject({
        AppId: z.string().optional(),
        Channel: z.string().optional(),
        ChannelProfile: z.literal([0, 1]).optional().describe('0 communication, 1 live'),
        Token: z.string().optional(),
        Uid: z.int().optional(),
        TrustedUserIdList: z.array(z.unknown()).optional(),
        UntrustedUserIdList: z.array(z.unknown()).optional(),
      })
      .optional(),
  })
  .refine((v) => v.Url || v.AgoraParam, { message: 'give Url or AgoraParam', path: ['Url'] });

const liveShape = {
  SdkAppId,
  Input: LiveInput,
  LiveModerationParams: z.strictObject({
    ModerationType: z.literal([1, 2, 3]).optional().describe('1 audio, 2 video, 3 both (default)'),
    MaxIdleTime: z.int().min(30).max(1800).optional(),
    SliceVideo: z.int().min(1).max(60).optional(),
    SliceAudio: z.int().min(5).max(60).optional(),
    SaveModerationFile: z.literal([0, 1, 2]).optional().describe('0 none, 1 all, 2 flagged'),
    CallbackAllResults: z.literal([0, 1]).optional().describe('0 all, 1 flagged'),
  }),
  DataId: z.string().max(60).optional().describe('Echoed in callbacks'),
  SourceInfo: z
    .strictObject({
      RoomId: z.string().optional(),
      RoomIdType: roomIdType({ numeric: 1, string: 0, optional: true }),
      UserId: z.string().optional(),
    })
    .optional()
    .describe('Echoed in callbacks'),
  LiveModerationStorageParams: z.strictObject({ CloudModerationStorage: SliceStorage.optional() }).optional(),
  ResourceExpiredHour: z.int().min(1).max(72).optional().describe('Hours; default 48'),
};

export const CreateLiveStreamModeration = cloudAction({
  ...cnOnly,
  action: 'CreateLiveStreamModeration',
  aliases: ['moderate stream url', 'moderate agora', '启动 直播流 审核', '审核 直播流', '直播流 内容 审核'],
  effect: 'write',
  started: startedTask({ rooms: (a) => (a.SourceInfo?.RoomId ? [a.SourceInfo.RoomId] : []) }),
  job: taskJob('live-stream moderation', 'DescribeLiveStreamModeration', 'DeleteLiveStreamModeration'),
  description: 'Start moderating a live stream pulled from a URL (or an Agora channel). Verdicts arrive by callback. Returns the TaskId.',
  input: z.object(liveShape),
  output: TaskOutput,
});

export const DescribeLiveStreamModeration = cloudAction({
  ...cnOnly,
  action: 'DescribeLiveStreamModeration',
  aliases: ['查询 直播流 审核 任务 状态'],
  effect: 'read',
  targets: byTaskId,
  description: 'Status of a live-stream moderation task.',
  input: z.object(byTask),
  output: z.object({ TaskId: z.string(), Status: TaskStatus, RequestId }),
});

export const DeleteLiveStreamModeration = cloudAction({
  ...cnOnly,
  action: 'DeleteLiveStreamModeration',
  aliases: ['停止 直播流 审核'],
  effect: 'destructive',
  targets: byTaskId,
  description: 'Stop a live-stream moderation task.',
  input: z.object(byTask),
  output: TaskOutput,
});

const FileId = z.string().max(64).regex(/^[\w\-@#]*$/, 'may hold letters, digits and _-@# only');

/** A verdict line: what was found, how sure, and what to do. */
const Suggest = z.literal([0, 1, 2]).describe('0 pass, 1 review, 2 block');
const CheckDetail = z
  .object({
    Scene: z.string(),
    Label: z.string(),
    SubLabel: z.string(),
    Suggest,
    LibName: z.string(),
    Keywords: z.array(z.string()),
    Desc: z.string(),
    Score: z.int(),
    Severity: z.int(),
    SeverityDesc: z.string(),
    AudioSegments: z.object({ StartTime: z.number(), FinishTime: z.number() }).partial(),
    ImageLocation: z.object({ X: z.int(), Y: z.int() }).partial(),
  })
  .partial();

export const CreateAudioModerationSync = cloudAction({
  ...cnOnly,
  action: 'CreateAudioModerationSync',
  aliases: ['check audio file', 'is this audio ok', 'moderate a clip', '短音频 同步 内容 理解', '审核 音频 文件', '检查 音频'],
  // A synchronous check: it answers with a verdict and keeps nothing.
  effect: 'read',
  description: 'Check one short audio file (≤60 s, ≤5 MB; wav, mp3 or m4a) now and get the verdict: label, confidence and what was heard.',
  input: z.object({
    Sdkappid: SdkAppId.optional(),
    BizType: z.string().optional().describe('Policy ID'),
    DataId: FileId.optional(),
    FileFormat: z.enum(['wav', 'mp3', 'm4a']).optional(),
    FileName: FileId.optional(),
    FileContent: z.string().optional().describe('Base64; or FileUrl'),
    FileUrl: z.string().optional(),
  }),
  toWire(args) {
    if (!args.FileContent === !args.FileUrl) throw new ArgumentError('FileUrl', 'give exactly one of FileContent and FileUrl');
    if (args.FileContent && !args.FileFormat) throw new ArgumentError('FileFormat', 'is required with FileContent');
    return args;
  },
  output: z.object({
    DataId: z.string().optional(),
    TaskId: z.string().optional(),
    FileName: z.string().optional(),
    MediaType: z.int().optional(),
    Suggest: Suggest.optional(),
    Rate: z.number().optional(),
    Label: z.string().optional().describe('e.g. Normal, Ad, Porn, Abuse'),
    SubLabel: z.string().optional(),
    Audio: z.string().optional(),
    AudioText: z.string().optional(),
    Duration: z.number().optional(),
    CheckDetail: z.array(CheckDetail).optional(),
    RequestId,
  }),
});
