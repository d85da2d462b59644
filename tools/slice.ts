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
  aliases: ['snapshots', 'screenshots', 'thumbnails', 'audio clips', 'frames', 'capture images'],
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
  aliases: ['snapshot status'],
  effect: 'read',
  targets: byTaskId,
  description: 'Status of a slicing task: Idle, InProgress or Exited.',
  input: z.object(byTask),
  output: z.object({ TaskId: z.string(), Status: z.enum(['Idle', 'InProgress', 'Exited']), RequestId }),
});

export const ModifyCloudSliceTask = cloudAction({
  ...shared,
  action: 'ModifyCloudSliceTask',
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
  aliases: ['stop snapshots', 'stop screenshots'],
  effect: 'destructive',
  targets: byTaskId,
  description: 'Stop a slicing task; its bot leaves the room.',
  input: z.object(byTask),
  output: TaskOutput,
});
