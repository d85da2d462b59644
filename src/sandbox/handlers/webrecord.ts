// Web page recording behaviour. A recording runs until stopped or until MaxDurationLimit has passed; a RecordId
// names at most one running recording of an app.
import type { Thing } from '../registry.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';

const DEFAULT_MAX_S = 86400;

/** A recording brought up to the present: it ends by itself once its maximum duration has passed. */
function settle(ctx: HandlerContext, t: Thing): Thing {
  const end = t.createdAt + (t.data.MaxDurationLimit ?? DEFAULT_MAX_S) * 1000;
  if (t.endedAt === undefined && ctx.world.now() >= end) t.endedAt = end;
  return t;
}

const recordings = (ctx: HandlerContext) => ctx.world.things.list(ctx.app.sdkAppId, 'webRecord').map((t) => settle(ctx, t));

function running(ctx: HandlerContext): Thing {
  const { TaskId, RecordId } = ctx.params;
  const t = recordings(ctx).find((r) => (TaskId ? r.id === TaskId : r.data.RecordId === RecordId) && r.endedAt === undefined);
  if (!t) throw new SandboxError('ResourceNotFound', `No running web recording ${TaskId ? `with TaskId ${TaskId}` : `with RecordId ${RecordId}`} in app ${ctx.app.sdkAppId}.`);
  return t;
}

export const webRecordHandlers: Record<string, Handler> = {
  StartWebRecord(ctx) {
    const { RecordUrl, RecordId, MaxDurationLimit, WebRecordVideoParams, PublishCdnParams } = ctx.params;
    if (RecordId && recordings(ctx).some((t) => t.data.RecordId === RecordId && t.endedAt === undefined)) {
      throw new SandboxError('FailedOperation.TaskExist', `A web recording with RecordId ${RecordId} is already running.`);
    }
    const thing = ctx.world.things.add(ctx.app.sdkAppId, 'webRecord', { RecordUrl, RecordId, MaxDurationLimit, WebRecordVideoParams, PublishCdnParams }, ctx.world.now());
    return { TaskId: thing.id };
  },

  DescribeWebRecord(ctx) {
    const t = running(ctx);
    return ctx.params.TaskId ? { Status: 1, ...(t.data.RecordId && { RecordId: t.data.RecordId }) } : { Status: 1, TaskId: t.id };
  },

  StopWebRecord(ctx) {
    running(ctx).endedAt = ctx.world.now();
    return {};
  },
};
