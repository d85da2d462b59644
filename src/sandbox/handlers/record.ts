// On-cloud recording behaviour. A recording is Idle while nobody is in its room, InProgress while someone is,
// and Exited once stopped or idle for MaxIdleTime; it can be queried for ResourceExpiredHour hours.
import * as defs from '../../../tools/record.js';
import { checkBotSig, describedTask, runningTask, taskRoomKind, type Task } from '../tasks.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const NOT_FOUND = 'ResourceNotFound';
const FILE_EXTENSIONS = ['m3u8', 'm3u8', 'm3u8', 'mp4', 'aac'];
const TRACKS = ['audio_video', 'audio', 'video'] as const;

/** A recording whose query window (ResourceExpiredHour) has passed can no longer be addressed. */
function recording(ctx: HandlerContext, running: boolean): Task {
  const task = (running ? runningTask : describedTask)(ctx, 'recording', NOT_FOUND);
  if (ctx.world.now() > task.startedAt + (task.config.ResourceExpiredHour ?? 72) * 3_600_000) {
    throw new SandboxError(NOT_FOUND, `Task ${task.id} is past its ResourceExpiredHour and can no longer be addressed.`);
  }
  return task;
}

/** Whether the subscription lists let this user's audio or video be recorded. */
function subscribed(lists: Record<string, string[] | undefined> | undefined, userId: string): boolean {
  const matches = (ids: string[] | undefined) => ids?.some((id) => (id.endsWith('.*$') ? userId.startsWith(id.slice(0, -3)) : id === userId));
  return (['Audio', 'Video'] as const).some((m) => {
    const allow = lists?.[`Subscribe${m}UserIds`];
    return (allow?.length ? matches(allow) : true) && !matches(lists?.[`UnSubscribe${m}UserIds`]);
  });
}

/** Files on third-party storage: one per recorded user, or one mixed file. Files bound for VOD are not listed. */
function storageFiles(ctx: HandlerContext, task: Task) {
  const { RecordParams: rec, StorageParams: storage } = task.config;
  if (!storage.CloudStorage) return [];
  const ext = FILE_EXTENSIONS[rec.OutputFormat ?? 0];
  const file = (userId?: string) => ({
    UserId: userId ?? null,
    FileName: `${task.id}${userId ? `__UserId_s_${userId}__UserId_e` : ''}.${ext}`,
    TrackType: TRACKS[rec.StreamType ?? 0],
    BeginTimeStamp: task.startedAt,
  });
  const users = [...ctx.world.tasks.occupancy(task).everyone].filter((u) => subscribed(rec.SubscribeStreamUserIds, u));
  if (!users.length) return [];
  return rec.RecordMode === 2 ? [file()] : users.map(file);
}

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
    const status = task.endedAt !== undefined ? 'Exited' : ctx.world.tasks.occupancy(task).present.size ? 'InProgress' : 'Idle';
    return { TaskId: task.id, Status: status, StorageFileList: storageFiles(ctx, task) };
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
