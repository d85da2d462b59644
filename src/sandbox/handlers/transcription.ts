// Cloud transcription and hot-word vocabulary behaviour. A transcription bot is Idle while its room is empty,
// InProgress while someone is there, and Exited once deleted or idle for MaxIdleTime; what it transcribes shows in
// the world view. Vocabulary names are unique in an app, and at most one vocabulary is the app's default.
import { CreateCloudTranscription } from '../../../tools/transcription.js';
import { botStatus, checkBotSig, describedTask, playScript, runningTask, taskRoomKind } from '../tasks.js';
import type { Thing } from '../registry.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const NOT_FOUND = 'ResourceNotFound';

/** The documented cross-member rules of a transcription with spoken translations. */
function ttsProblem(p: Record<string, any>): string | undefined {
  const targets: string[] = p.TranslationParam?.TargetLang ?? [];
  const listed = (list: Array<{ UserId: string }> | undefined, id: string) => list?.some((u) => u.UserId === id);
  for (const [i, t] of (p.TTSParam ?? []).entries()) {
    if (!targets.includes(t.Language)) return `TTSParam[${i}].Language must be one of TranslationParam.TargetLang.`;
    const { SubscribeList, UnSubscribeList } = p.TranscriptionParam;
    if ((SubscribeList?.length && !listed(SubscribeList, t.TargetUser.UserId)) || listed(UnSubscribeList, t.TargetUser.UserId)) {
      return `TTSParam[${i}].TargetUser must be transcribed: in SubscribeList (when given) and not in UnSubscribeList.`;
    }
  }
  return undefined;
}

function vocab(ctx: HandlerContext): Thing {
  const thing = ctx.world.things.get(ctx.app.sdkAppId, 'vocab', ctx.params.VocabId);
  if (!thing) throw new SandboxError(NOT_FOUND, `Vocabulary ${ctx.params.VocabId} does not exist in app ${ctx.app.sdkAppId}.`);
  return thing;
}

/** Hot words from WordWeights, or from WordWeightStr (base64 of "word|weight" lines). */
function wordsOf(p: Record<string, any>): Array<{ Word: string; Weight: number }> | undefined {
  if (p.WordWeightStr !== undefined) {
    const lines = Buffer.from(p.WordWeightStr, 'base64').toString('utf8').split(/\r?\n/).filter(Boolean);
    return lines.map((line) => {
      const m = /^(.{1,30})\|(\d+)$/u.exec(line.trim());
      if (!m || !((+m[2]! >= 1 && +m[2]! <= 11) || +m[2]! === 100)) throw new SandboxError('InvalidParameter', `WordWeightStr line "${line}" is not "word|weight" with a weight of 1-11 or 100.`);
      return { Word: m[1]!, Weight: Number(m[2]) };
    });
  }
  return p.WordWeights;
}

function checkName(ctx: HandlerContext, name: string, self?: Thing): void {
  if (ctx.world.things.list(ctx.app.sdkAppId, 'vocab').some((t) => t !== self && t.data.Name === name)) {
    throw new SandboxError('InvalidParameter', `A vocabulary named ${name} already exists in app ${ctx.app.sdkAppId}.`);
  }
}

const vocabOf = (t: Thing) => ({ VocabId: t.id, CreateTime: new Date(t.createdAt).toISOString(), ...t.data });

export const transcriptionHandlers: Record<string, Handler> = {
  CreateCloudTranscription(ctx) {
    const { params, app, world } = ctx;
    const bot = params.TranscriptionParam;
    checkBotSig(ctx, 'InvalidParameter', 'TranscriptionParam', bot.UserId, bot.UserSig);
    const problem = ttsProblem(params);
    if (problem) throw new SandboxError('InvalidParameter', problem);
    const roomKind = taskRoomKind(CreateCloudTranscription, params);
    if (world.tasks.runningBots(app, roomKind, params.RoomId, bot.UserId).length) {
      throw new SandboxError('FailedOperation', `UserId ${bot.UserId} already runs a task in room ${params.RoomId}.`);
    }
    const task = world.tasks.start(app, { kind: 'cloudTranscription', roomKind, roomId: params.RoomId, botUserId: bot.UserId, maxIdleS: bot.MaxIdleTime ?? 30, config: params });
    playScript(world, app, task);
    return { TaskId: task.id };
  },

  DescribeCloudTranscription(ctx) {
    const task = describedTask(ctx, 'cloudTranscription', NOT_FOUND);
    return { StartTime: Math.floor(task.startedAt / 1000), Status: botStatus(ctx, task), TaskId: task.id };
  },

  DeleteCloudTranscription(ctx) {
    const task = runningTask(ctx, 'cloudTranscription', NOT_FOUND);
    ctx.world.tasks.end(task, 'stopped');
    return { TaskId: task.id };
  },

  CreateRecognizeVocabV3(ctx) {
    const { Name, Description } = ctx.params;
    checkName(ctx, Name);
    const now = new Date(ctx.world.now()).toISOString();
    const thing = ctx.world.things.add(ctx.app.sdkAppId, 'vocab', { Name, Description: Description ?? '', WordWeights: wordsOf(ctx.params) ?? [], UpdateTime: now, State: 0 }, ctx.world.now());
    return { VocabId: thing.id };
  },

  GetRecognizeVocabListV3(ctx) {
    const { Offset = 0, Limit = 10 } = ctx.params;
    const all = ctx.world.things.list(ctx.app.sdkAppId, 'vocab');
    return { VocabList: all.slice(Offset, Offset + Limit).map(vocabOf), TotalCount: all.length };
  },

  GetRecognizeVocabV3: (ctx) => vocabOf(vocab(ctx)),

  DownloadRecognizeVocabV3(ctx) {
    const t = vocab(ctx);
    const text = t.data.WordWeights.map((w: { Word: string; Weight: number }) => `${w.Word}|${w.Weight}`).join('\n');
    return { VocabId: t.id, WordWeightStr: Buffer.from(text, 'utf8').toString('base64') };
  },

  UpdateRecognizeVocabV3(ctx) {
    const t = vocab(ctx);
    const { Name, Description } = ctx.params;
    if (Name !== undefined) checkName(ctx, Name, t);
    const words = wordsOf(ctx.params);
    t.data = { ...t.data, ...(Name !== undefined && { Name }), ...(Description !== undefined && { Description }), ...(words && { WordWeights: words }), UpdateTime: new Date(ctx.world.now()).toISOString() };
    return { VocabId: t.id };
  },

  SetVocabStateV3(ctx) {
    const t = vocab(ctx);
    if (ctx.params.State === 1) for (const other of ctx.world.things.list(ctx.app.sdkAppId, 'vocab')) other.data.State = 0;
    t.data.State = ctx.params.State;
    return { VocabId: t.id };
  },

  DeleteRecognizeVocabV3(ctx) {
    ctx.world.things.delete(vocab(ctx));
    return {};
  },
};
