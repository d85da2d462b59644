// Server-initiated calls (call_engine_http_srv) and their records (call_record_http_srv).
// A callee answers by entering the call's TRTC room, as the client SDK does; end_call takes everyone out of it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Call } from '../rest-state.js';
import { SandboxError } from './types.js';
import { nowS, type RestContext, type RestHandler } from './rest-common.js';

const S = 'call_engine_http_srv';
const CALL = { invalid: '101002', noCall: '101004' } as const;
const RECORD_DAYS = 7;
const DEFAULT_PAGE = 10;

function activeCall(ctx: RestContext): Call {
  const call = ctx.state.calls.get(ctx.params.CallId);
  if (!call || !ctx.rest.callActive(ctx.app, call)) throw new SandboxError(CALL.noCall, `Call ${ctx.params.CallId} does not exist or has ended.`);
  return call;
}

const start_call_by_robot: RestHandler = (ctx) => {
  const { Robot_Account: robot, CalleeList_Account: callees, Timeout, CallInfo } = ctx.params;
  if (callees.includes(robot)) throw new SandboxError(CALL.invalid, 'The robot cannot call itself.');
  if (new Set(callees).size !== callees.length) throw new SandboxError(CALL.invalid, 'CalleeList_Account names a user twice.');
  // Without a room from the request, the sandbox picks a string room ID for the call.
  const roomId: string = CallInfo.RoomId ?? `call_${randomBytes(6).toString('hex')}`;
  const call: Call = {
    id: randomUUID(),
    robot,
    callees,
    mediaType: CallInfo.MediaType,
    roomId,
    roomIdType: CallInfo.RoomId === undefined ? 2 : (CallInfo.RoomIdType ?? 2),
    startedAt: ctx.world.now(),
    timeoutMs: Timeout,
  };
  ctx.state.calls.set(call.id, call);
  return { Response: { CallId: call.id, CallResult: callees.map((Callee_Account: string) => ({ Callee_Account, ResultCode: 0 })) } };
};

const get_call_info: RestHandler = (ctx) => {
  const call = activeCall(ctx);
  const status = (u: string) => (ctx.rest.inCall(ctx.app, call, u) ? 'Calling' : 'Waiting');
  return {
    Response: {
      CallInfo: { CallId: call.id, MediaType: call.mediaType, ChatGroupId: '', RoomId: call.roomId, RoomIdType: call.roomIdType },
      UserList: [{ User_Account: call.robot, Status: 'Calling' }, ...call.callees.map((u) => ({ User_Account: u, Status: status(u) }))],
    },
  };
};

const end_call: RestHandler = (ctx) => {
  const call = activeCall(ctx);
  call.endedAt = ctx.world.now();
  const room = ctx.rest.callRoom(ctx.app, call);
  if (room) ctx.world.kick(ctx.app, room, [call.robot, ...call.callees]);
  return {};
};

/**
 * A call's record, with the members the record-by-CallId example documents (ID, caller, media, type, result and
 * times), plus the room and callees that the older record API listed.
 */
function record(ctx: RestContext, call: Call) {
  const answeredAt = ctx.rest.answeredAt(ctx.app, call);
  const end = call.endedAt ?? call.startedAt + call.timeoutMs;
  return {
    CallId: call.id,
    MediaType: call.mediaType,
    RoomId: call.roomId,
    Caller_Account: call.robot,
    CalleeList_Account: call.callees,
    CallType: call.callees.length === 1 ? 'SingleCall' : 'MultiCall',
    CallResult: answeredAt !== undefined ? 'NormalEnd' : call.endedAt !== undefined ? 'Cancel' : 'NotAnswer',
    StartTime: Math.floor(call.startedAt / 1000),
    AcceptTime: answeredAt === undefined ? 0 : Math.floor(answeredAt / 1000),
    EndTime: Math.floor(end / 1000),
  };
}

const get_record_by_filter: RestHandler = (ctx) => {
  const now = nowS(ctx);
  const oldest = now - RECORD_DAYS * 86_400;
  const { StartTime = oldest, EndTime = now, CallResult, CallType, NumberPerPage = DEFAULT_PAGE, Page = 1 } = ctx.params;
  const from = Math.max(StartTime, oldest);
  const records = [...ctx.state.calls.values()]
    .filter((c) => !ctx.rest.callActive(ctx.app, c))
    .map((c) => record(ctx, c))
    .filter((r) => r.StartTime >= from && r.StartTime <= EndTime)
    .filter((r) => (CallResult === undefined || r.CallResult === CallResult) && (CallType === undefined || r.CallType === CallType));
  const start = (Page - 1) * NumberPerPage;
  return { Response: { RecordList: records.slice(start, start + NumberPerPage), TotalCount: records.length } };
};

/** The record of a call that has ended and started within the last 7 days. */
const get_record_by_callid: RestHandler = (ctx) => {
  const call = ctx.state.calls.get(ctx.params.CallId);
  if (!call || ctx.rest.callActive(ctx.app, call) || call.startedAt < ctx.world.now() - RECORD_DAYS * 86_400_000) {
    throw new SandboxError(CALL.noCall, `No record of call ${ctx.params.CallId}: it does not exist, is still going on, or is older than ${RECORD_DAYS} days.`);
  }
  return { Response: { CallRecord: record(ctx, call) } };
};

export const callHandlers: Record<string, RestHandler> = {
  [`${S}/start_call_by_robot`]: start_call_by_robot,
  [`${S}/get_call_info`]: get_call_info,
  [`${S}/end_call`]: end_call,
  'call_record_http_srv/get_record_by_filter': get_record_by_filter,
  'call_record_http_srv/get_record_by_callid': get_record_by_callid,
};
