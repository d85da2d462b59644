// Usage Statistics behaviour: minutes derived from who was in which room, and for how long.
import type { ToolDef } from '../../../tools/define.js';
import { DAY, MINUTE } from '../../../tools/time.js';
import * as defs from '../../../tools/usage.js';
import { callsOf, minutesByTier, overlaps } from '../monitoring.js';
import type { Handler, HandlerContext } from './types.js';
import { checkedWindow } from './window.js';

const RESOLUTIONS = ['Audio', 'SD', 'HD', 'FullHD', '2K', '4K'];
const CODECS = ['Audio', ...['SD', 'HD', 'FullHD', '2K', '4K'].map((r) => `${r}H264`), ...['SD', 'HD', 'FullHD', '2K', '4K'].map((r) => `${r}H265`)];
const round2 = (n: number) => Math.round(n * 100) / 100;
const timeKey = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Buckets of a date range: 5 minutes for a single day, else whole days; none start after now. */
function buckets(start: number, end: number, now: number): Array<[number, number]> {
  const step = start === end ? 5 * MINUTE : DAY;
  const out: Array<[number, number]> = [];
  for (let t = start; t < end + DAY && t <= now; t += step) out.push([t, t + step]);
  return out;
}

/** Minutes per tier in [from, to), over every session of the apps the request covers. */
function minutes(ctx: HandlerContext, from: number, to: number, roomString?: string): Map<string, number> {
  const total = new Map<string, number>();
  for (const call of ctx.apps.flatMap((app) => callsOf(ctx.world, app))) {
    if (roomString !== undefined && call.roomString !== roomString) continue;
    for (const s of call.sessions) {
      if (!overlaps(s.joinedAt, s.leftAt, from, to)) continue;
      for (const [tier, m] of minutesByTier(s, from, to, ctx.world.now())) total.set(tier, (total.get(tier) ?? 0) + m);
    }
  }
  return total;
}

/**
 * A bucketed usage action. Only call minutes come from the history; the sandbox runs no recording,
 * mixing or relay, so their usage is zero in every bucket.
 */
const bucketed = (def: ToolDef, keys: string[], fromHistory: boolean): Handler => (ctx) => {
  const { start, end } = checkedWindow(def, ctx.params, ctx.world.now());
  const UsageList = buckets(start, end, ctx.world.now()).map(([from, to]) => {
    const used = fromHistory ? minutes(ctx, from, to) : new Map<string, number>();
    return { TimeKey: timeKey(from), UsageValue: keys.map((k) => round2(used.get(k) ?? 0)) };
  });
  return { UsageKey: keys, UsageList };
};

const roomUsage: Handler = (ctx) => {
  const { start, end } = checkedWindow(defs.DescribeTrtcRoomUsage, ctx.params, ctx.world.now());
  const rooms = [...new Set(callsOf(ctx.world, ctx.app).filter((c) => overlaps(c.createdAt, c.closedAt, start, end)).map((c) => c.roomString))];
  const lines = rooms.map((room) => {
    const used = minutes(ctx, start, end, room);
    return [room, ...RESOLUTIONS.map((k) => round2(used.get(k) ?? 0))].join(',');
  });
  // The header is spelled as in the documented example.
  return { Data: ['RoomId,Audio,SD,hd,FullHD,2K,4K', ...lines, ''].join('\n') };
};

export const usageHandlers: Record<string, Handler> = {
  DescribeTrtcUsage: bucketed(defs.DescribeTrtcUsage, RESOLUTIONS, true),
  DescribeRecordingUsage: bucketed(defs.DescribeRecordingUsage, RESOLUTIONS, false),
  DescribeMixTranscodingUsage: bucketed(defs.DescribeMixTranscodingUsage, CODECS, false),
  DescribeRelayUsage: bucketed(defs.DescribeRelayUsage, ['Bandwidth'], false),
  DescribeTrtcRoomUsage: roomUsage,
};
