// CDN relay and stream mixing behaviour. A relay may start before anyone joins; it stops when stopped, or when its
// room has been empty for AgentParams.MaxIdleTime. Updates must carry a growing SequenceNumber.
import { isDeepStrictEqual } from 'node:util';
import { relayStartProblem } from '../../../tools/datatypes/mcu.js';
import * as defs from '../../../tools/relay.js';
import { cdnUrls, checkBotSig, runningTask, taskRoomKind, type Task } from '../tasks.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const NOT_FOUND = 'ResourceNotFound';

function checkFeedBackSigs(ctx: HandlerContext): void {
  ctx.params.FeedBackRoomParams?.forEach((r: Record<string, string>, i: number) => checkBotSig(ctx, 'InvalidParameter', `FeedBackRoomParams[${i}]`, r.UserId!, r.UserSig!));
}

/** The docs rule out changing the encoding of a running relay, and switching audio-only to audio and video. */
function unchangeable(task: Task, p: Record<string, any>): string | undefined {
  const was = task.config;
  if (p.WithTranscoding !== was.WithTranscoding) return 'WithTranscoding cannot change during a relay.';
  if (p.AudioParams?.AudioEncode && !isDeepStrictEqual(p.AudioParams.AudioEncode, was.AudioParams?.AudioEncode)) return 'AudioEncode cannot change during a relay.';
  if (p.VideoParams && !was.VideoParams) return 'An audio-only relay cannot switch to audio and video.';
  if (p.VideoParams?.VideoEncode && !isDeepStrictEqual(p.VideoParams.VideoEncode, was.VideoParams?.VideoEncode)) return 'VideoEncode cannot change during a relay.';
  return undefined;
}

export const relayHandlers: Record<string, Handler> = {
  StartPublishCdnStream(ctx) {
    const { params, app, world } = ctx;
    const problem = relayStartProblem(params);
    if (problem) throw new SandboxError(problem[0] === 'PublishCdnParams' ? 'MissingParameter' : 'InvalidParameter', `${problem[0]}: ${problem[1]}.`);
    const agent = params.AgentParams;
    if (agent.UserSig !== undefined) checkBotSig(ctx, 'InvalidParameter', 'AgentParams', agent.UserId, agent.UserSig);
    checkFeedBackSigs(ctx);
    const roomKind = taskRoomKind(defs.StartPublishCdnStream, params);
    // The same user ID entering again pushes the earlier session out, which ends the relay it ran.
    for (const earlier of world.tasks.runningBots(app, roomKind, params.RoomId, agent.UserId)) world.tasks.end(earlier, 'replaced');
    const task = world.tasks.start(app, {
      kind: 'relay', roomKind, roomId: params.RoomId, botUserId: agent.UserId, maxIdleS: agent.MaxIdleTime ?? 30, config: { ...params, SequenceNumber: -1 },
    });
    return { TaskId: task.id };
  },

  // Members passed replace the current ones; members left out stay as they are.
  UpdatePublishCdnStream(ctx) {
    const task = runningTask(ctx, 'relay', NOT_FOUND);
    const { SdkAppId: _app, TaskId: _task, ...update } = ctx.params;
    if (update.SequenceNumber <= task.config.SequenceNumber) {
      throw new SandboxError('FailedOperation', `SequenceNumber ${update.SequenceNumber} is not above the last one (${task.config.SequenceNumber}).`);
    }
    const rejected = unchangeable(task, update);
    if (rejected) throw new SandboxError('UnsupportedOperation', rejected);
    checkFeedBackSigs(ctx);
    const before = cdnUrls(task.config);
    task.config = { ...task.config, ...update };
    // Addresses left out are let go of, new ones connected to, as the relay's CDN callbacks report.
    const after = cdnUrls(task.config);
    for (const url of before.filter((u) => !after.includes(u))) ctx.world.tasks.disconnect(task, url);
    for (const url of after.filter((u) => !before.includes(u))) ctx.world.tasks.connect(task, url);
    task.history.push({ time: ctx.world.now(), action: 'UpdatePublishCdnStream', detail: { SequenceNumber: update.SequenceNumber } });
    return { TaskId: task.id };
  },

  StopPublishCdnStream(ctx) {
    const task = runningTask(ctx, 'relay', NOT_FOUND);
    ctx.world.tasks.end(task, 'stopped');
    return { TaskId: task.id };
  },
};
