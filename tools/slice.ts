// Cloud slicing ("Cloud Slicing APIs"): a bot joins a room and cuts each user's audio into clips and video into
// frames, uploaded to your storage; each file is announced by callback.
import { z } from 'zod';
import { cloudAction, effectByArgs } from './define.js';
import { botTaskShape, sliceBot, SliceParams, SliceStorageParams, SubscribeStreamUserIds } from './datatypes/slicing.js';
import { REGIONS, RequestId, SdkAppId } from './fields.js';
import { byTaskId, mintedBot, startedTask, taskJob, TaskId, TaskOutput } from './tasks.js';

const shared = { toolset: 'slice', rateLimit: 20, regions: REGIONS.singapore } as const;
const byTask = { SdkAppId, TaskId };

const createShape = {
  ...botTaskShape,
  SliceParams,
  SliceStorageParams,
  ResourceExpiredHour: z.int().min(6).max(720).optional().describe('Hours the TaskId lasts; default 72'),
  PrivateMapKey: z.string().optional(),
};

export const CreateCloudSliceTask = cloudAction({
  ...shared,
  action: 'CreateCloudSliceTask',
  aliases: ['snapshots', 'screenshots', 'thumbnails', 'audio clips', 'frames', 'capture images', '开始 云端 切片', '截图', '定时 截图', '截帧', '音频 切片', '缩略图'],
  effect: 'destructive',
  effectOf: effectByArgs('write'),
  bot: sliceBot,
  started: startedTask({ bot: sliceBot }),
  job: taskJob('slicing', 'DescribeCloudSliceTask', 'DeleteCloudSliceTask'),
  description: 'Start slicing a room: a bot saves audio clips and video frames of each user to your storage. Returns the TaskId.',
  ...mintedBot(createShape),
  output: TaskOutput,
});

export const DescribeCloudSliceTask = cloudAction({
  ...shared,
  action: 'DescribeCloudSliceTask',
  aliases: ['snapshot status', '查询 云端 切片 任务 状态', '切片 状态'],
  effect: 'read',
  targets: byTaskId,
  description: 'Status of a slicing task: Idle, InProgress or Exited.',
  input: z.object(byTask),
  output: z.object({ TaskId: z.string(), Status: z.enum(['Idle', 'InProgress', 'Exited']), RequestId }),
});

export const ModifyCloudSliceTask = cloudAction({
  ...shared,
  action: 'ModifyCloudSliceTask',
  aliases: ['更新 云端 切片 任务', '修改 切片 名单'],
  effect: 'write',
  targets: byTaskId,
  idempotent: true,
  description: 'Change whose streams a running slicing task takes (allowlists or blocklists).',
  input: z.object({ ...byTask, SubscribeStreamUserIds: SubscribeStreamUserIds.optional() }),
  output: TaskOutput,
});

export const DeleteCloudSliceTask = cloudAction({
  ...shared,
  action: 'DeleteCloudSliceTask',
  aliases: ['stop snapshots', 'stop screenshots', '停止 云端 切片', '停止 截图'],
  effect: 'destructive',
  targets: byTaskId,
  description: 'Stop a slicing task; its bot leaves the room.',
  input: z.object(byTask),
  output: TaskOutput,
});
