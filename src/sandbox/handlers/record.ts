// On-cloud recording behaviour. A recording is Idle while nobody is in its room, InProgress while someone is,
// and Exited once stopped or idle for MaxIdleTime; it can be queried for ResourceExpiredHour hours.
import * as defs from '../../../tools/record.js';
import { subscribed } from '../media.js';
import { addressableTask, botStatus, checkBotSig, taskRoomKind, type Task } from '../tasks.js';
import type { World } from '../world.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const FILE_EXTENSIONS = ['m3u8', 'm3u8', 'm3u8', 'mp4', 'aac'];
const TRACKS = ['audio_video', 'audio', 'video'] as const;

/** A recording whose query window (ResourceExpiredHour, default 72) has passed can no longer be addressed. */
const recording = (ctx: HandlerContext, running: boolean): Task => addressableTask(ctx, 'recording', running, 72);

/** A recording's files: one per recorded user, or one mixed file. */
export function recordingFiles(world: World, task: Task) {
  const { RecordParams: rec } = task.config;
  const ext = FILE_EXTENSIONS[rec.OutputFormat ?? 0];
  const file = (userId?: string) => ({
    UserId: userId ?? null,
    FileName: `${task.id}${userId ? `__UserId_s_${userId}__UserId_e` : ''}.${ext}`,
    TrackType: TRACKS[rec.StreamType ?? 0],
    BeginTimeStamp: task.startedAt,
  });
  const users = [...world.tasks.occupancy(task).everyone].filter((u) => subscribed(rec.SubscribeStreamUserIds, u));
  if (!users.length) return [];
  return rec.RecordMode === 2 ? [file()] : users.map(file);
}

/** Files on third-party storage, as DescribeCloudRecording lists them. Files bound for VOD are not listed. */
const storageFiles = (ctx: HandlerContext, task: Task) => (task.config.StorageParams.CloudStorage ? recordingFiles(ctx.world, task) : []);

export const recordHandlers: Record<string, Handler> = {
  CreateCloudRecording(ctx) {
    const { params, app, world } = ctx;
    const roomKind = taskRoomKind(defs.CreateCloudRecording, params);
    checkBotSig(ctx, 'FailedOperation', 'UserSig', params.UserId, params.UserSig);
    const clash =
      world.room(app, roomKind, params.RoomId)?.users.has(params.UserId) ||
      world.tasks.runningBots(app, roomKind, params.RoomId, params.UserId).length > 0;
    if (clash) throw new SandboxError('FailedOperation', `UserId ${params.UserId} is already in room ${params.RoomId}; the recorder needs an ID of its own.`);
    const task = world.tasks.start(app, {
      kind: 'recording', roomKind, roomId: params.RoomId, botUserId: params.UserId, maxIdleS: params.RecordParams.MaxIdleTime ?? 30, config: params,
    });
    return { TaskId: task.id };
  },

  DescribeCloudRecording(ctx) {
    const task = recording(ctx, false);
    return { TaskId: task.id, Status: botStatus(ctx, task), StorageFileList: storageFiles(ctx, task) };
  },

  // Both settings are replaced, as documented: what the request leaves out returns to its default.
  ModifyCloudRecording(ctx) {
    const task = recording(ctx, true);
    const { MixLayoutParams, SubscribeStreamUserIds } = ctx.params;
    task.config = { ...task.config, MixLayoutParams, RecordParams: { ...task.config.RecordParams, SubscribeStreamUserIds } };
    task.history.push({ time: ctx.world.now(), action: 'ModifyCloudRecording', detail: { MixLayoutParams, SubscribeStreamUserIds } });
    return { TaskId: task.id };
  },

  DeleteCloudRecording(ctx) {
    const task = recording(ctx, true);
    ctx.world.tasks.end(task, 'stopped');
    return { TaskId: task.id };
  },
};
