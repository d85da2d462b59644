// Cloud slicing and moderation behaviour. A bot starts at once and is Idle while its room is empty, InProgress while
// someone is there, and Exited once stopped or idle for MaxIdleTime; its TaskId can be addressed for
// ResourceExpiredHour. What it hears (see media.ts) shows in the world view, as Tencent would report it by callback.
// A bot user ID is unique in its room: a new task with it ends the earlier one, as documented.
import { heardIn } from '../audio.js';
import { userOfSliceUrl, verdictOf } from '../media.js';
import { CreateCloudModeration } from '../../../tools/moderation.js';
import { CreateCloudSliceTask } from '../../../tools/slice.js';
import { addressableTask, botStatus, checkBotSig, playScript, taskRoomKind, type TaskKind } from '../tasks.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const NOT_FOUND = 'ResourceNotFound';

/** The kinds' own parameter structures and their defaults. */
const KINDS = {
  moderation: { def: CreateCloudModeration, params: 'ModerationParams', idleS: 30, hours: 24 },
  slicing: { def: CreateCloudSliceTask, params: 'SliceParams', idleS: 30, hours: 72 },
} as const;

function start(kind: keyof typeof KINDS): Handler {
  return (ctx) => {
    const { params, app, world } = ctx;
    const roomKind = taskRoomKind(KINDS[kind].def, params);
    checkBotSig(ctx, 'InvalidParameter', 'UserSig', params.UserId, params.UserSig);
    if (world.room(app, roomKind, params.RoomId)?.users.has(params.UserId)) {
      throw new SandboxError('FailedOperation', `UserId ${params.UserId} is already in room ${params.RoomId}; the bot needs an ID of its own.`);
    }
    for (const earlier of world.tasks.runningBots(app, roomKind, params.RoomId, params.UserId)) world.tasks.end(earlier, 'replaced');
    const task = world.tasks.start(app, {
      kind, roomKind, roomId: params.RoomId, botUserId: params.UserId, maxIdleS: params[KINDS[kind].params].MaxIdleTime ?? KINDS[kind].idleS, config: params,
    });
    playScript(world, app, task);
    return { TaskId: task.id };
  };
}

const lookup = (ctx: HandlerContext, kind: keyof typeof KINDS, running: boolean) => addressableTask(ctx, kind, running, KINDS[kind].hours);

function describe(kind: keyof typeof KINDS, withLists: boolean): Handler {
  return (ctx) => {
    const task = lookup(ctx, kind, false);
    const lists = task.config[KINDS[kind].params].SubscribeStreamUserIds;
    return { TaskId: task.id, Status: botStatus(ctx, task), ...(withLists && lists && { SubscribeStreamUserIds: lists }) };
  };
}

/** The lists passed replace the running ones, as documented; lists left out are cleared. */
function modify(kind: keyof typeof KINDS): Handler {
  return (ctx) => {
    const task = lookup(ctx, kind, true);
    const field = KINDS[kind].params;
    task.config = { ...task.config, [field]: { ...task.config[field], SubscribeStreamUserIds: ctx.params.SubscribeStreamUserIds } };
    task.history.push({ time: ctx.world.now(), action: `Modify ${kind}`, detail: { SubscribeStreamUserIds: ctx.params.SubscribeStreamUserIds } });
    return { TaskId: task.id };
  };
}

function remove(kind: TaskKind & keyof typeof KINDS): Handler {
  return (ctx) => {
    const task = lookup(ctx, kind, true);
    ctx.world.tasks.end(task, 'stopped');
    return { TaskId: task.id };
  };
}

/** Live-stream moderation tasks run until deleted or until ResourceExpiredHour (default 48) has passed. */
function liveTask(ctx: HandlerContext) {
  const thing = ctx.world.things.get(ctx.app.sdkAppId, 'liveModeration', ctx.params.TaskId);
  if (!thing) throw new SandboxError(NOT_FOUND, `Task ${ctx.params.TaskId} does not exist in app ${ctx.app.sdkAppId}.`);
  const expires = thing.createdAt + (thing.data.ResourceExpiredHour ?? 48) * 3_600_000;
  if (thing.endedAt === undefined && ctx.world.now() >= expires) thing.endedAt = expires;
  return thing;
}

export const slicingHandlers: Record<string, Handler> = {
  CreateCloudModeration: start('moderation'),
  DescribeCloudModeration: describe('moderation', true),
  ModifyCloudModeration: modify('moderation'),
  DeleteCloudModeration: remove('moderation'),

  CreateCloudSliceTask: start('slicing'),
  DescribeCloudSliceTask: describe('slicing', false),
  ModifyCloudSliceTask: modify('slicing'),
  DeleteCloudSliceTask: remove('slicing'),

  CreateLiveStreamModeration(ctx) {
    const { Input, LiveModerationParams, DataId, SourceInfo, ResourceExpiredHour } = ctx.params;
    const thing = ctx.world.things.add(ctx.app.sdkAppId, 'liveModeration', { Input: { Url: Input.Url, Format: Input.Format }, LiveModerationParams, DataId, SourceInfo, ResourceExpiredHour }, ctx.world.now());
    return { TaskId: thing.id };
  },

  DescribeLiveStreamModeration(ctx) {
    const thing = liveTask(ctx);
    return { TaskId: thing.id, Status: thing.endedAt === undefined ? 'InProgress' : 'Exited' };
  },

  DeleteLiveStreamModeration(ctx) {
    const thing = liveTask(ctx);
    if (thing.endedAt !== undefined) throw new SandboxError(NOT_FOUND, `Task ${thing.id} has already ended.`);
    thing.endedAt = ctx.world.now();
    return { TaskId: thing.id };
  },

  /**
   * Hears the audio: a clip a sandbox slicing or moderation bot stored carries its user's last words, and a wav made by
   * the sandbox's TextToSpeech its text. Anything else is heard as silence.
   */
  CreateAudioModerationSync(ctx) {
    const { FileContent, FileUrl, FileName, DataId } = ctx.params;
    let text = '';
    if (FileUrl) {
      const user = userOfSliceUrl(FileUrl);
      text = String(ctx.app.events.findLast((e) => e.type === 'speech' && e.userId === user)?.detail?.text ?? '');
    } else {
      const audio = Buffer.from(FileContent, 'base64');
      if (!audio.length || audio.length > 5 * 1024 * 1024) throw new SandboxError('InvalidParameter', 'FileContent must be base64 audio of at most 5 MB.');
      text = heardIn(audio) ?? '';
    }
    const v = verdictOf(text);
    return {
      DataId, FileName, TaskId: `audio-${ctx.world.now()}`, MediaType: 1, Suggest: v.Suggest, Rate: v.Score, Label: v.Label, SubLabel: '',
      AudioText: text, Duration: Math.max(1000, text.length * 60),
      CheckDetail: v.Suggest ? [{ Label: v.Label, Suggest: v.Suggest, Keywords: v.Keywords, Score: v.Score, AudioSegments: { StartTime: 0, FinishTime: Math.max(1, Math.ceil(text.length * 0.06)) } }] : [],
    };
  },
};
