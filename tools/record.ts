// On-cloud recording (seed 004, "On-cloud recording APIs"): a recorder bot joins a room and records it to VOD or COS.
import { z } from 'zod';
import { cloudAction } from './define.js';
import { MixLayoutParams, MixTranscodeParams, RecordParams, StorageFile, StorageParams, SubscribeStreamUserIds } from './datatypes/recording.js';
import { REGIONS, RequestId, SdkAppId } from './fields.js';
import { roomIdType } from './room-id.js';
import { byTaskId, mintedBot, startedTask, taskJob, TaskId, TaskOutput, TaskRoomId, UserSig } from './tasks.js';

const shared = { toolset: 'record', rateLimit: 20, regions: REGIONS.record } as const;

const common = [
  'AuthFailure', 'AuthFailure.UnRealNameAuthenticated', 'AuthFailure.UnauthorizedOperation', 'AuthFailure.UnsupportedOperation',
  'FailedOperation.CRUnsupportMethod', 'InternalError.CRInternalError', 'InvalidParameter.OutOfRange',
  'MissingParameter.RoomId', 'MissingParameter.SdkAppId', 'MissingParameter.TaskId', 'MissingParameter.UserId',
];
const onTask = [...common, 'ResourceNotFound'];

const createShape = {
  SdkAppId,
  RoomId: TaskRoomId,
  UserId: z.string().min(1).describe('Recorder bot; not an anchor\'s ID'),
  UserSig,
  RecordParams,
  StorageParams,
  RoomIdType: roomIdType({ numeric: 1, string: 0, fallback: 'int' }),
  MixTranscodeParams: MixTranscodeParams.optional().describe('Mixed mode; all members'),
  MixLayoutParams: MixLayoutParams.optional().describe('Mixed mode only'),
  ResourceExpiredHour: z.int().min(6).max(720).optional().describe('Hours it can be managed; default 72'),
  PrivateMapKey: z.string().optional().describe('For advanced permission control'),
};

export const CreateCloudRecording = cloudAction({
  ...shared,
  action: 'CreateCloudRecording',
  aliases: [
    'record', 'start recording', 'capture', 'save video', 'mp4', 'archive the meeting',
    '开始 云端 录制', '录制 房间', '录制', '开启 录制', '录像', '录下来', '录制 会议', '云录制', '点播',
  ],
  effect: 'write',
  started: startedTask(),
  job: taskJob('recording', 'DescribeCloudRecording', 'DeleteCloudRecording', 3),
  description: 'Start recording a room: each user separately or one mixed stream, saved to VOD or COS. Returns the TaskId.',
  ...mintedBot(createShape),
  output: TaskOutput,
  errors: [
    ...common, 'FailedOperation', 'FailedOperation.RestrictedConcurrency', 'InvalidParameter.SdkAppId',
    'MissingParameter.AccessKey', 'MissingParameter.Bucket', 'MissingParameter.CloudStorage', 'MissingParameter.RecordMode',
    'MissingParameter.RecordParams', 'MissingParameter.Region', 'MissingParameter.SecretKey', 'MissingParameter.StorageParams',
    'MissingParameter.StreamType', 'MissingParameter.UserSig', 'MissingParameter.Vendor', 'UnsupportedOperation',
  ],
});

export const DescribeCloudRecording = cloudAction({
  ...shared,
  action: 'DescribeCloudRecording',
  aliases: [
    'recording status', 'recording still running', 'recorded files', 'where are recordings',
    '查询 云端 录制 状态', '录制 状态', '录制 文件', '录制 进度', '录制 还在 进行',
  ],
  effect: 'read',
  description: 'Status of a recording (Idle: nobody to record, InProgress, Exited: ending) and its files (not those bound for VOD).',
  input: z.object({ SdkAppId, TaskId }),
  targets: byTaskId,
  output: z.object({
    TaskId: z.string(),
    Status: z.enum(['Idle', 'InProgress', 'Exited']),
    StorageFileList: z.array(StorageFile).optional(),
    RequestId,
  }),
  errors: [...onTask, 'FailedOperation', 'InvalidParameter.SdkAppId'],
});

export const ModifyCloudRecording = cloudAction({
  ...shared,
  action: 'ModifyCloudRecording',
  aliases: ['recording layout', 'change recording', '更新 云端 录制', '修改 录制', '录制 布局', '录制 画面'],
  effect: 'write',
  idempotent: true,
  description: 'Change the mixed layout and whose streams a running recording takes. Replaces both: pass the full settings each time.',
  input: z.object({ SdkAppId, TaskId, MixLayoutParams: MixLayoutParams.optional(), SubscribeStreamUserIds: SubscribeStreamUserIds.optional() }),
  targets: byTaskId,
  output: TaskOutput,
  errors: [...onTask, 'FailedOperation'],
});

export const DeleteCloudRecording = cloudAction({
  ...shared,
  action: 'DeleteCloudRecording',
  aliases: ['stop recording', 'end recording', '停止 云端 录制', '停止 录制', '结束 录制', '停止 录像'],
  effect: 'destructive',
  description: 'Stop a recording. Files still uploading finish afterwards.',
  input: z.object({ SdkAppId, TaskId }),
  targets: byTaskId,
  output: TaskOutput,
  errors: [...onTask, 'InvalidParameter.SdkAppId'],
});
