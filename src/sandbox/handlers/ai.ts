// AI conversation and transcription behaviour. A bot starts at once (InProgress) and runs until stopped, until its
// room has been empty for MaxIdleTime, or until it has spoken a text sent with StopAfterPlay; then it is Stopped.
// A bot user ID is unique in its room: starting another task with it ends the earlier one, as documented.
// Bots hear what users say in their room (World.say, or the room's script once a bot starts): a conversation bot
// hears its TargetUserId and answers with a fixed line; a transcription bot hears the room or its TargetUserId.
import { randomUUID } from 'node:crypto';
import type { ToolDef } from '../../../tools/define.js';
import * as defs from '../../../tools/ai.js';
import type { App, RoomEvent, RoomKind, World } from '../world.js';
import { checkBotSig, describedTask, hears, playScript, runningTask, taskRoomKind, type Task, type TaskKind } from '../tasks.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const NOT_FOUND = 'FailedOperation.TaskNotExist';
const DEFAULT_MAX_IDLE_S = 60;
/** What the sandbox's conversation bot answers, having no LLM. */
export const SANDBOX_BOT_ANSWER = 'This is the sandbox bot. I heard you.';

/** A sentence said in a room reaches every running bot there that hears its speaker. */
export function hearSpeech(world: World): void {
  world.onEvent((app: App, e: RoomEvent) => {
    if (e.type !== 'speech' || !e.userId) return;
    const text = String(e.detail?.text ?? '');
    const bots = world.tasks.running(app, (t) => (t.kind === 'conversation' || t.kind === 'transcription') && t.roomKind === e.kind && t.roomId === String(e.roomId));
    for (const task of bots.filter((t) => hears(t, e.userId!))) {
      const endMs = world.now() - task.startedAt;
      // About 60 ms a character: speech takes time, and the times say when in the task it was heard.
      world.tasks.announce(task, { what: 'heard', userId: e.userId, text, roundId: randomUUID(), startMs: Math.max(0, endMs - text.length * 60), endMs });
      if (task.kind === 'conversation') world.tasks.announce(task, { what: 'spoke', text: SANDBOX_BOT_ANSWER, roundId: randomUUID() });
    }
  });
}

/**
 * Starts the bot of `field` (AgentConfig or TranscriptionParams). A running task with the same SessionId is a
 * duplicate; without a SessionId, `duplicateOf` applies the action's own rule. A bot user ID is unique in its
 * room, so an earlier task with the same bot ends.
 */
function startBot(ctx: HandlerContext, def: ToolDef, kind: TaskKind, field: string, duplicateOf?: (roomKind: RoomKind) => Task | undefined) {
  const { world, app, params } = ctx;
  const bot = params[field];
  checkBotSig(ctx, 'InvalidParameter.UserSig', field, bot.UserId, bot.UserSig);
  const roomKind = taskRoomKind(def, params);
  // The docs: a bot's UserId must not be the ID of a user in the room.
  if (world.room(app, roomKind, params.RoomId)?.users.has(bot.UserId)) {
    throw new SandboxError('InvalidParameter', `${field}.UserId ${bot.UserId} is a user in room ${params.RoomId}; a bot needs a user ID of its own.`);
  }
  const twin = params.SessionId ? world.tasks.running(app, (t) => t.kind === kind && t.sessionId === params.SessionId)[0] : duplicateOf?.(roomKind);
  if (twin) {
    const what = params.SessionId ? `with SessionId ${params.SessionId}` : 'for the same room or user';
    throw new SandboxError('FailedOperation.TaskExist', `Task ${twin.id} is already running ${what}.`);
  }
  for (const earlier of world.tasks.runningBots(app, roomKind, params.RoomId, bot.UserId)) world.tasks.end(earlier, 'replaced');
  const task = world.tasks.start(app, {
    kind, roomKind, roomId: params.RoomId, botUserId: bot.UserId, sessionId: params.SessionId, maxIdleS: bot.MaxIdleTime ?? DEFAULT_MAX_IDLE_S, config: params,
  });
  playScript(world, app, task);
  return { TaskId: task.id };
}

/** Describe*: by TaskId, or by SdkAppId and SessionId (the latest task with it). */
function lookup(ctx: HandlerContext, kind: TaskKind): Task {
  if (ctx.params.TaskId) return describedTask(ctx, kind, NOT_FOUND);
  const [latest] = ctx.world.tasks.all(ctx.app, (t) => t.kind === kind && t.sessionId === ctx.params.SessionId).reverse();
  if (!latest || !ctx.world.tasks.visible(latest)) throw new SandboxError(NOT_FOUND, `No task with SessionId ${ctx.params.SessionId} in app ${ctx.app.sdkAppId}.`);
  return latest;
}

const describe = (kind: TaskKind): Handler => (ctx) => {
  const task = lookup(ctx, kind);
  return {
    StartTime: new Date(task.startedAt).toISOString(),
    Status: task.endedAt === undefined ? 'InProgress' : 'Stopped',
    TaskId: task.id,
    SessionId: task.sessionId,
  };
};

const stop = (kind: TaskKind): Handler => (ctx) => {
  ctx.world.tasks.end(runningTask(ctx, kind, NOT_FOUND), 'stopped');
  return {};
};

export const aiHandlers: Record<string, Handler> = {
  StartAIConversation: (ctx) => startBot(ctx, defs.StartAIConversation, 'conversation', 'AgentConfig'),

  DescribeAIConversation: describe('conversation'),

  // Members passed replace the current ones; members left out stay as they are.
  UpdateAIConversation(ctx) {
    const task = runningTask(ctx, 'conversation', NOT_FOUND);
    const { TaskId: _id, ...changes } = ctx.params;
    const { LLMConfig, TTSConfig, ...agent } = changes;
    task.config = {
      ...task.config,
      ...(LLMConfig !== undefined && { LLMConfig }),
      ...(TTSConfig !== undefined && { TTSConfig }),
      AgentConfig: { ...task.config.AgentConfig, ...agent },
    };
    task.history.push({ time: ctx.world.now(), action: 'UpdateAIConversation', detail: { changed: Object.keys(changes) } });
    return {};
  },

  ControlAIConversation(ctx) {
    const task = runningTask(ctx, 'conversation', NOT_FOUND);
    const push = ctx.params.ServerPushText;
    if (!push) throw new SandboxError('MissingParameter', 'ServerPushText is required when Command is ServerPushText.');
    task.history.push({ time: ctx.world.now(), action: 'ServerPushText', detail: push });
    if (push.Text) ctx.world.tasks.announce(task, { what: 'spoke', text: push.Text, roundId: randomUUID() });
    if (push.StopAfterPlay) ctx.world.tasks.end(task, 'finished');
    return {};
  },

  StopAIConversation: stop('conversation'),

  // The conversation so far: the welcome, each sentence the bot heard with its answer, and the pushed texts.
  QueryAIMessageList(ctx) {
    const task = describedTask(ctx, 'conversation', NOT_FOUND);
    const welcome = task.config.AgentConfig.WelcomeMessage;
    const lines: Array<{ time: number; Role: 'user' | 'assistant'; Content: string }> = [
      ...(welcome ? [{ time: task.startedAt, Role: 'assistant' as const, Content: welcome }] : []),
      ...ctx.world.tasks.heard(task).flatMap((h) => [{ time: h.at, Role: 'user' as const, Content: h.text }, { time: h.at, Role: 'assistant' as const, Content: SANDBOX_BOT_ANSWER }]),
      ...task.history.filter((h) => h.action === 'ServerPushText' && h.detail?.Text).map((h) => ({ time: h.time, Role: 'assistant' as const, Content: String(h.detail!.Text) })),
    ];
    const MessageList = lines.sort((a, b) => a.time - b.time).map(({ Role, Content }) => ({ Role, Content }));
    return { Total: MessageList.length, MessageList };
  },

  // Without a SessionId, a room has one whole-room transcription, and each user one personal transcription.
  StartAITranscription: (ctx) =>
    startBot(ctx, defs.StartAITranscription, 'transcription', 'TranscriptionParams', (roomKind) => {
      const { RoomId, TranscriptionParams: bot } = ctx.params;
      const mode = bot.TranscriptionMode ?? 0;
      return ctx.world.tasks.running(ctx.app, (t) => {
        const other = t.config.TranscriptionParams;
        return t.kind === 'transcription' && t.roomKind === roomKind && t.roomId === RoomId && (other.TranscriptionMode ?? 0) === mode && (mode === 0 || other.TargetUserId === bot.TargetUserId);
      })[0];
    }),

  DescribeAITranscription: describe('transcription'),
  StopAITranscription: stop('transcription'),
};
