// Stream ingest behaviour. An ingest runs (InProgress) until stopped, or until a loop's MaxDuration is over; after
// that it does not exist (NotExist). Pausing keeps it running.
import * as defs from '../../../tools/ingest.js';
import { checkBotSig, runningTask, taskRoomKind } from '../tasks.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const MEDIA_URL = /^(https?|rtmp|rtmps|srt):\/\/[^\s/]+/i;

function checkStreamUrl(url: unknown): void {
  if (typeof url === 'string' && !MEDIA_URL.test(url)) throw new SandboxError('InvalidParameter.StreamUrl', 'StreamUrl must be an http(s), rtmp(s) or srt URL.');
}

/** The running ingest the request names; `code` is what the action documents for one that is missing or ended. */
const ingest = (ctx: HandlerContext, code: string) => runningTask(ctx, 'ingest', code);

export const ingestHandlers: Record<string, Handler> = {
  StartStreamIngest(ctx) {
    const { params, app, world } = ctx;
    if (params.StreamUrl === undefined) throw new SandboxError('InvalidParameter.StreamUrl', 'StreamUrl is required: it is the media to play.');
    checkStreamUrl(params.StreamUrl);
    checkBotSig(ctx, 'InvalidParameter.UserSig', 'UserSig', params.UserId, params.UserSig);
    const roomKind = taskRoomKind(defs.StartStreamIngest, params);
    if (world.tasks.runningBots(app, roomKind, params.RoomId, params.UserId).length) {
      throw new SandboxError('FailedOperation.TaskExist', `Ingest bot ${params.UserId} is already playing into room ${params.RoomId}.`);
    }
    const loops = params.RepeatNum === -1 && params.MaxDuration;
    const task = world.tasks.start(app, {
      kind: 'ingest', roomKind, roomId: params.RoomId, botUserId: params.UserId, config: params,
      endsAt: loops ? world.now() + params.MaxDuration * 60_000 : undefined,
    });
    return { TaskId: task.id };
  },

  DescribeStreamIngest(ctx) {
    const task = ctx.world.tasks.find(ctx.app, ctx.params.TaskId);
    return { Status: task?.kind === 'ingest' && task.endedAt === undefined ? 'InProgress' : 'NotExist' };
  },

  UpdateStreamIngest(ctx) {
    const task = ingest(ctx, 'FailedOperation.TaskNotExist');
    const { StreamUrl, Volume, IsPause } = ctx.params;
    checkStreamUrl(StreamUrl);
    const changes = Object.fromEntries(Object.entries({ StreamUrl, Volume, IsPause }).filter(([, v]) => v !== undefined));
    task.config = { ...task.config, ...changes };
    task.history.push({ time: ctx.world.now(), action: 'UpdateStreamIngest', detail: changes });
    return { Status: 'InProgress' };
  },

  StopStreamIngest(ctx) {
    const known = ctx.world.tasks.find(ctx.app, ctx.params.TaskId);
    const task = ingest(ctx, known?.kind === 'ingest' ? 'FailedOperation.TaskFinished' : 'InvalidParameter.TaskId');
    ctx.world.tasks.end(task, 'stopped');
    return {};
  },
};
