// Call Quality Monitoring behaviour: answers derived from the world's history (see ../monitoring.ts).
import type { ToolDef } from '../../../tools/define.js';
import * as defs from '../../../tools/quality.js';
import { DAY } from '../../../tools/time.js';
import { audioBlocked, callsOf, deviceOf, METRIC_NAMES, overlaps, POOR_UPLINK_CAUSES, qualityOf, sample, videoBlocked, type Call, type Session } from '../monitoring.js';
import { SandboxError, type Handler, type HandlerContext } from './types.js';
import { checkedWindow } from './window.js';

const sec = (ms: number) => Math.floor(ms / 1000);

/** A handler that gets the checked window (ms) along with its context. */
const windowed = (def: ToolDef, fn: (ctx: HandlerContext, start: number, end: number) => Record<string, unknown>): Handler => (ctx) => {
  const { start, end } = checkedWindow(def, ctx.params, ctx.world.now());
  return fn(ctx, start, end);
};

/** One page of rows, as TRTC pages: zero-based PageNumber, and Total counting every match. */
function page<T>(rows: T[], params: Record<string, any>, defaultSize: number) {
  const size = params.PageSize ?? defaultSize;
  const number = params.PageNumber ?? 0;
  return { Total: rows.length, rows: rows.slice(number * size, number * size + size) };
}

const callById = (ctx: HandlerContext, commId: string) => callsOf(ctx.world, ctx.app).find((c) => c.commId === commId);

/** Sessions of a call that overlap [start, end), optionally only for some users. */
function sessionsIn(call: Call | undefined, start: number, end: number, userIds?: string[]): Session[] {
  return (call?.sessions ?? []).filter((s) => overlaps(s.joinedAt, s.leftAt, start, end) && (!userIds || userIds.includes(s.userId)));
}

function userInformation(ctx: HandlerContext, call: Call, s: Session) {
  const now = ctx.world.now();
  return {
    RoomStr: call.roomString,
    UserId: s.userId,
    JoinTs: sec(s.joinedAt),
    // A user still in the room gets the current time.
    LeaveTs: sec(s.leftAt ?? now),
    ...deviceOf(s.userId, qualityOf(ctx.app, s.userId)),
    Finished: s.leftAt !== undefined,
  };
}

const roomInfo = windowed(defs.DescribeRoomInfo, ({ world, app, params }, start, end) => {
  const now = world.now();
  const calls = callsOf(world, app)
    .filter((c) => overlaps(c.createdAt, c.closedAt, start, end + 1000) && (params.RoomId === undefined || c.roomString === params.RoomId))
    .sort((a, b) => b.createdAt - a.createdAt);
  const { Total, rows } = page(calls, params, 10);
  return {
    Total,
    RoomList: rows.map((c) => ({
      CommId: c.commId, RoomString: c.roomString, CreateTime: sec(c.createdAt), DestroyTime: sec(c.closedAt ?? now),
      IsFinished: c.closedAt !== undefined, UserId: c.creator ?? '',
    })),
  };
});

const userInfo = windowed(defs.DescribeUserInfo, (ctx, start, end) => {
  const call = callById(ctx, ctx.params.CommId);
  const { Total, rows } = page(sessionsIn(call, start, end + 1000, ctx.params.UserIds), ctx.params, 6);
  return { Total, UserList: rows.map((s) => userInformation(ctx, call!, s)) };
});

const callDetail = windowed(defs.DescribeCallDetailInfo, (ctx, start, end) => {
  const { params, world, app } = ctx;
  const types: string[] | undefined = params.DataType?.includes('all') ? METRIC_NAMES : params.DataType;
  if (types && (params.UserIds?.length ?? 0) > 6) throw new SandboxError('InvalidParameter.UserIdsMorethanSix', 'With DataType, at most 6 UserIds may be given.');
  if (types && (params.PageSize ?? 0) > 6) throw new SandboxError('InvalidParameter.PageSize', 'With DataType, PageSize may be at most 6.');
  const call = callById(ctx, params.CommId);
  const now = world.now();
  const { Total, rows } = page(sessionsIn(call, start, end + 1000, params.UserIds), params, 6);
  const UserList = rows.map((s) => userInformation(ctx, call!, s));
  if (!types) return { Total, UserList };
  // Upstream figures (PeerId ""), one point every 2 seconds while the user was in the call.
  const Data = rows.flatMap((s) => {
    const from = Math.ceil(Math.max(start, s.joinedAt) / 2000) * 2000;
    const to = Math.min(end, s.leftAt ?? now);
    return types.map((type) => {
      const Content = [];
      for (let t = from; t <= to; t += 2000) Content.push({ Time: sec(t), Value: sample(app, s, type, t) });
      return { Content, UserId: s.userId, PeerId: '', DataType: type };
    });
  });
  return { Total, UserList, Data };
});

const userEvent = windowed(defs.DescribeUserEvent, (ctx, start, end) => {
  const { params } = ctx;
  const call = callById(ctx, params.CommId);
  if (!call || call.roomString !== params.RoomId) return { Data: [] };
  const inWindow = (e: { Time: number }) => e.Time >= start && e.Time <= end + 999;
  const poor = qualityOf(ctx.app, params.UserId) === 'poor';
  const own = call.sessions.filter((s) => s.userId === params.UserId).flatMap((s) => sessionEvents(s, poor, ctx.world.now())).filter(inWindow);
  if (!own.length) return { Data: [] };
  // Other users' entries and exits, as the queried user's client saw them.
  const peers = new Map<string, Array<ReturnType<typeof event>>>();
  for (const s of call.sessions) {
    if (s.userId === params.UserId) continue;
    const seen = sessionEvents(s, false, ctx.world.now()).filter((e) => (e.EventId === 7000 || e.EventId === 7001) && inWindow(e));
    if (seen.length) peers.set(s.userId, [...(peers.get(s.userId) ?? []), ...seen]);
  }
  return { Data: [{ PeerId: params.UserId, Content: own }, ...[...peers].map(([PeerId, Content]) => ({ PeerId, Content }))] };
});

const event = (Time: number, EventId: number, ParamOne = -1, ParamTwo = -1, Type = 0) => ({ Type, Time, EventId, ParamOne, ParamTwo });

/** After this long on a weak uplink, the SDK lowers the resolution it sends. */
const POOR_RESOLUTION_AFTER_MS = 30_000;

/**
 * What a native SDK would report for a session: joining, mute changes (from SetUserBlocked) and leaving; on a weak
 * uplink also the mobile network it joined on and the resolution it fell back to.
 */
function sessionEvents(s: Session, poor: boolean, now: number) {
  const out = [event(s.joinedAt, 5001), event(s.joinedAt + 300, 5003, 1), event(s.joinedAt + 300, 7000, 0)];
  if (poor) {
    out.push(event(s.joinedAt + 400, 1003, 3));
    const lowered = s.joinedAt + POOR_RESOLUTION_AFTER_MS;
    if (lowered <= (s.leftAt ?? now)) out.push(event(lowered, 4003, 320, 240));
  }
  let prev = 0 as Session['blocks'][number]['mode'];
  for (const b of s.blocks) {
    if (audioBlocked(b.mode) !== audioBlocked(prev)) out.push(event(b.time, 3001, audioBlocked(b.mode) ? 1 : 3));
    if (videoBlocked(b.mode) !== videoBlocked(prev)) out.push(event(b.time, 4006, videoBlocked(b.mode) ? 1 : 0, -1, 2));
    prev = b.mode;
  }
  if (s.leftAt !== undefined) out.push(event(s.leftAt, 7001, s.how === 'left' ? 0 : 2));
  return out.sort((a, b) => a.Time - b.Time);
}

const scaleInfo = windowed(defs.DescribeScaleInfo, ({ world, app }, start, end) => {
  const calls = callsOf(world, app);
  const ScaleList = [];
  // Whole days only, and never today: daily figures exist once a day is over.
  for (let day = Math.floor(start / DAY) * DAY; day < end && day + DAY <= world.now(); day += DAY) {
    const active = calls.filter((c) => overlaps(c.createdAt, c.closedAt, day, day + DAY));
    const sessions = active.flatMap((c) => c.sessions).filter((s) => overlaps(s.joinedAt, s.leftAt, day, day + DAY));
    ScaleList.push({
      Time: sec(day),
      UserNumber: new Set(sessions.map((s) => s.userId)).size,
      UserCount: sessions.filter((s) => s.joinedAt >= day).length,
      RoomNumbers: active.length,
    });
  }
  ScaleList.reverse();
  return { Total: ScaleList.length, ScaleList };
});

const unusualEvent = windowed(defs.DescribeUnusualEvent, ({ world, app, params }, start, end) => {
  const list = callsOf(world, app)
    .filter((c) => params.RoomId === undefined || c.roomString === params.RoomId)
    .flatMap((c) => c.sessions.filter((s) => qualityOf(app, s.userId) === 'poor' && overlaps(s.joinedAt, s.leftAt, start, end + 1000)).map((s) => ({ c, s })))
    .flatMap(({ c, s }) => {
      const at = Math.max(start, s.joinedAt);
      const base = { UserId: s.userId, RoomId: c.roomString, EventTime: sec(at) };
      const mode = s.blocks.length ? s.blocks[s.blocks.length - 1]!.mode : 0;
      return [
        ...(audioBlocked(mode) ? [] : [{ ...base, ExperienceId: 5, AbnormalEventList: POOR_UPLINK_CAUSES.audio.map((id) => ({ AbnormalEventId: id, PeerId: '' })) }]),
        ...(videoBlocked(mode) ? [] : [{ ...base, ExperienceId: 4, AbnormalEventList: POOR_UPLINK_CAUSES.video.map((id) => ({ AbnormalEventId: id, PeerId: '' })) }]),
      ];
    })
    .slice(0, 20);
  return { Total: list.length, AbnormalExperienceList: list };
});

export const qualityHandlers: Record<string, Handler> = {
  DescribeRoomInfo: roomInfo,
  DescribeUserInfo: userInfo,
  DescribeCallDetailInfo: callDetail,
  DescribeUserEvent: userEvent,
  DescribeScaleInfo: scaleInfo,
  DescribeUnusualEvent: unusualEvent,
};
