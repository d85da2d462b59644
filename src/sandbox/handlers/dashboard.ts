// Data Monitoring behaviour: dashboard series computed from the world's history.
import type { ToolDef } from '../../../tools/define.js';
import * as defs from '../../../tools/dashboard.js';
import { DAY, HOUR } from '../../../tools/time.js';
import { audioBlocked, blockAt, callsOf, freezeRate, overlaps, qualityOf, videoBlocked, type Call, type Session } from '../monitoring.js';
import type { Handler, HandlerContext } from './types.js';
import { checkedWindow } from './window.js';

const sec = (ms: number) => Math.floor(ms / 1000);
const result = (Columns: string[], Values: Array<Record<string, number[]>>) => ({ Data: { StatementID: 0, Series: [{ Columns, Values }], Total: 1 } });

function sessionsOf(ctx: HandlerContext, roomId?: string): Array<{ call: Call; s: Session }> {
  return callsOf(ctx.world, ctx.app)
    .filter((call) => roomId === undefined || call.roomString === roomId)
    .flatMap((call) => call.sessions.map((s) => ({ call, s })));
}

const online = (all: Array<{ call: Call; s: Session }>, t: number) => all.filter(({ s }) => s.joinedAt <= t && (s.leftAt === undefined || s.leftAt > t));

/** Real-time rows every 10 seconds, up to now. */
function realTime(def: ToolDef, columns: string[], row: (live: Array<{ call: Call; s: Session }>, t: number, ctx: HandlerContext) => number[]): Handler {
  return (ctx) => {
    const { start, end } = checkedWindow(def, ctx.params, ctx.world.now());
    const all = sessionsOf(ctx, ctx.params.RoomId);
    const Values = [];
    for (let t = Math.ceil(start / 10_000) * 10_000; t <= Math.min(end, ctx.world.now()); t += 10_000) {
      Values.push({ RowValue: [sec(t), ...row(online(all, t), t, ctx)] });
    }
    return result(['time', ...columns], Values);
  };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/** Average stutter rate (%) of the users sending that medium at t. */
function stutter(ctx: HandlerContext, live: Array<{ s: Session }>, media: 'audio' | 'video', t: number): number {
  const blocked = media === 'audio' ? audioBlocked : videoBlocked;
  return mean(live.filter(({ s }) => !blocked(blockAt(s, t))).map(({ s }) => freezeRate(ctx.app, s, media, t)));
}

/** Daily or hourly buckets (UTC) from StartTime's day to EndTime's day, up to now. */
function market(def: ToolDef, columns: string[], row: (all: Array<{ call: Call; s: Session }>, from: number, to: number, ctx: HandlerContext) => number[]): Handler {
  return (ctx) => {
    const { start, end } = checkedWindow(def, ctx.params, ctx.world.now());
    const step = ctx.params.Period === 'h' ? HOUR : DAY;
    const all = sessionsOf(ctx);
    const Values = [];
    for (let t = start; t < end + DAY && t <= ctx.world.now(); t += step) {
      const values = row(all, t, t + step, ctx);
      Values.push(ctx.params.IsFloat ? { RowValue: [sec(t), ...values.map(Math.round)], RowValueFloat: [sec(t), ...values.map((v) => Math.round(v * 100) / 100)] } : { RowValue: [sec(t), ...values.map(Math.round)] });
    }
    return result(['time', ...columns], Values);
  };
}

/** The most users (and rooms) online at once within [from, to): checked at the start and at every join. */
function peaks(all: Array<{ call: Call; s: Session }>, from: number, to: number): [number, number] {
  const moments = [from, ...all.map(({ s }) => s.joinedAt).filter((t) => t >= from && t < to)];
  let users = 0;
  let rooms = 0;
  for (const t of moments) {
    const live = online(all, t);
    users = Math.max(users, live.length);
    rooms = Math.max(rooms, new Set(live.map(({ call }) => call.commId)).size);
  }
  return [users, rooms];
}

const within = (all: Array<{ call: Call; s: Session }>, from: number, to: number) => all.filter(({ s }) => overlaps(s.joinedAt, s.leftAt, from, to));

const SCALE_COLUMNS = ['peakCurrentUsers', 'peakCurrentChannels', 'userCount', 'roomCount'];
function scaleRow(all: Array<{ call: Call; s: Session }>, from: number, to: number): number[] {
  const active = within(all, from, to);
  return [...peaks(all, from, to), new Set(active.map(({ s }) => s.userId)).size, new Set(active.map(({ call }) => call.commId)).size];
}

export const dashboardHandlers: Record<string, Handler> = {
  DescribeTRTCRealTimeScaleData: realTime(defs.DescribeTRTCRealTimeScaleData, ['userCount', 'roomCount'], (live) => [
    live.length,
    new Set(live.map(({ call }) => call.commId)).size,
  ]),
  DescribeTRTCRealTimeQualityData: realTime(defs.DescribeTRTCRealTimeQualityData, ['videoFreezeRate', 'audioFreezeRate'], (live, t, ctx) => [
    Math.round(stutter(ctx, live, 'video', t)),
    Math.round(stutter(ctx, live, 'audio', t)),
  ]),
  DescribeTRTCMarketScaleData: market(defs.DescribeTRTCMarketScaleData, SCALE_COLUMNS, scaleRow),
  // The China site's metric variant of the same series.
  DescribeTRTCMarketScaleMetricData: market(defs.DescribeTRTCMarketScaleMetricData, SCALE_COLUMNS, scaleRow),
  DescribeTRTCMarketQualityData: market(
    defs.DescribeTRTCMarketQualityData,
    ['videoFreezeRate', 'audioFreezeRate', 'networkDelay', 'joinSuccessRate', 'joinSuccessIn5sRate'],
    (all, from, to, ctx) => {
      const active = within(all, from, to);
      const joins = active.filter(({ s }) => s.joinedAt >= from);
      const poor = (list: typeof active) => list.filter(({ s }) => qualityOf(ctx.app, s.userId) === 'poor').length;
      return [
        stutter(ctx, active, 'video', from),
        stutter(ctx, active, 'audio', from),
        active.length ? (100 * poor(active)) / active.length : 0,
        // Every join succeeds in the sandbox; users on a poor connection take longer than 5 s.
        joins.length ? 100 : 0,
        joins.length ? (100 * (joins.length - poor(joins))) / joins.length : 0,
      ];
    },
  ),
};
