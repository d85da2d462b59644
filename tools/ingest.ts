// Stream ingest (seed 004, "Pull stream Relay Related interface"): a bot plays an online media file or stream into a room.
import { z } from 'zod';
import { cloudAction, effectByArgs } from './define.js';
import { REGIONS, NoOutput, RequestId, SdkAppId } from './fields.js';
import { roomIdType } from './room-id.js';
import { byTaskId, mintedBot, startedTask, taskJob, TaskId, TaskOutput, TaskRoomId, UserSig } from './tasks.js';

const shared = { toolset: 'ingest', rateLimit: 20 } as const;
const Status = z.object({ Status: z.enum(['InProgress', 'NotExist']), RequestId });
const StreamUrl = z.string().min(1).describe('Media URL');
/** InProgress while it plays; NotExist once it ended (stopped, played out, or its loop's MaxDuration passed). */
const ingestState = (r: Record<string, any>) =>
  r.Status === 'InProgress' ? { state: 'running' as const, words: 'it plays into the room (InProgress)' } : { state: 'ended' as const, words: 'it no longer exists (NotExist)' };
const Volume = z.int().min(0).max(100).optional().describe('% of original; default 100');

const startShape = {
  SdkAppId,
  RoomId: TaskRoomId,
  RoomIdType: roomIdType({ numeric: 1, string: 0 }),
  UserId: z.string().min(1).describe('Ingest bot user ID'),
  UserSig,
  StreamUrl: StreamUrl.optional(),
  PrivateMapKey: z.string().optional().describe('For advanced permission control'),
  SeekSecond: z.int().min(0).optional().describe('Start playing at this second'),
  AutoPush: z.boolean().optional().describe('Also relay to CDN'),
  RepeatNum: z.int().min(-1).max(1000).refine((n) => n !== 0, 'must not be 0').optional().describe('Plays; -1 loops until stopped or MaxDuration; default 1'),
  MaxDuration: z.int().min(1).max(10080).optional().describe('Minutes a loop (RepeatNum -1) may last'),
  Volume,
};

export const StartStreamIngest = cloudAction({
  ...shared,
  action: 'StartStreamIngest',
  aliases: [
    'play video file', 'play music', 'background music', 'pull stream', 'external stream', 'inject media', 'mp4 url', 'hls', 'rtmp input',
    '开始 输入 在线 媒体流', '播放 视频 文件', '播放 背景 音乐', '放 音乐', '拉流 进房', '输入 媒体流', '插播',
  ],
  effect: 'write',
  started: startedTask(),
  job: taskJob('stream ingest', 'DescribeStreamIngest', 'StopStreamIngest', 7, ingestState),
  regions: REGIONS.ingest,
  description: 'Play an online media file or stream into a room through a bot user. Returns the TaskId.',
  ...mintedBot(startShape),
  output: TaskOutput,
  errors: [
    'FailedOperation.NotAllowed', 'FailedOperation.NotRtmpFunction', 'FailedOperation.RestrictedConcurrency', 'FailedOperation.TaskExist',
    'InternalError.HttpParseFailed', 'InternalError.InternalError', 'InvalidParameter.BodyParamsError', 'InvalidParameter.RoomId',
    'InvalidParameter.SdkAppId', 'InvalidParameter.StrRoomId', 'InvalidParameter.StreamUrl', 'InvalidParameter.TaskId',
    'InvalidParameter.UserSig', 'MissingParameter.RoomId', 'MissingParameter.SdkAppId', 'MissingParameter.TaskId',
    'ResourceInsufficient.RequestRejection',
  ],
});

export const DescribeStreamIngest = cloudAction({
  ...shared,
  action: 'DescribeStreamIngest',
  aliases: ['is the music playing', 'ingest status', '查询 输入 在线 媒体流', '媒体流 状态', '音乐 是否 播放'],
  effect: 'read',
  regions: REGIONS.ingestQuery,
  description: 'Whether an ingest task is running (InProgress) or gone (NotExist).',
  input: z.object({ SdkAppId, TaskId }),
  targets: byTaskId,
  output: Status,
  errors: ['FailedOperation.QueryTaskInfoFailed', 'InternalError.DBError', 'InvalidParameter.TaskId', 'MissingParameter.SdkAppId', 'MissingParameter.TaskId'],
});

export const UpdateStreamIngest = cloudAction({
  ...shared,
  action: 'UpdateStreamIngest',
  aliases: ['volume', 'pause music', 'change media url', '更新 输入 在线 媒体流', '调整 音量', '音量 调小', '声音 调小', '音乐 音量', '音量 调大', '暂停 播放', '更换 播放 地址'],
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'StreamUrl is given (what the room hears is replaced)',
    effect: 'destructive',
    test: (a) => a.StreamUrl !== undefined,
  }),
  idempotent: true,
  regions: REGIONS.ingest,
  description: 'Change what a running ingest plays, its volume, or pause it (a paused task still runs and is billed).',
  input: z.object({ SdkAppId, TaskId, StreamUrl: StreamUrl.optional(), Volume, IsPause: z.boolean().optional() }),
  targets: byTaskId,
  output: Status,
  errors: ['FailedOperation.TaskNotExist', 'InternalError.DBError', 'InvalidParameter.StreamUrl', 'InvalidParameter.TaskId', 'MissingParameter.SdkAppId', 'MissingParameter.TaskId'],
});

export const StopStreamIngest = cloudAction({
  ...shared,
  action: 'StopStreamIngest',
  aliases: ['stop playing', 'stop music', 'stop video file', '停止 输入 在线 媒体流', '停止 播放', '停止 背景 音乐'],
  effect: 'destructive',
  regions: REGIONS.ingestQuery,
  description: 'Stop an ingest task.',
  input: z.object({ SdkAppId, TaskId }),
  targets: byTaskId,
  output: NoOutput,
  errors: ['FailedOperation.TaskFinished', 'InvalidParameter.BodyParamsError', 'InvalidParameter.SdkAppId', 'InvalidParameter.TaskId'],
});
