// Usage Statistics behaviour: minutes derived from who was in which room, and for how long.
import type { ToolDef } from '../../../tools/define.js';
import { DAY, MINUTE } from '../../../tools/time.js';
import * as defs from '../../../tools/usage.js';
import { callsOf, minutesByTier, overlaps } from '../monitoring.js';
import type { Task, TaskKind } from '../tasks.js';
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

/** UTC days from StartTime's to EndTime's, none after today. */
function days(def: ToolDef, ctx: HandlerContext): number[] {
  const { start, end } = checkedWindow(def, ctx.params, ctx.world.now());
  const out: number[] = [];
  for (let t = Math.floor(start / DAY) * DAY; t <= end && t <= ctx.world.now(); t += DAY) out.push(t);
  return out;
}
const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Seconds the app's tasks of these kinds ran within [from, to). */
function taskSeconds(ctx: HandlerContext, kinds: readonly TaskKind[], from: number, to: number, match: (t: Task) => boolean = () => true): number {
  const now = ctx.world.now();
  return ctx.world.tasks
    .all(ctx.app, (t) => kinds.includes(t.kind) && match(t))
    .reduce((sum, t) => sum + Math.max(0, Math.min(to, t.endedAt ?? now) - Math.max(from, t.startedAt)) / 1000, 0);
}

/** Clips (audio) or frames (picture) the app's moderation or slicing bots took within [from, to): one per interval per user heard. */
function segments(ctx: HandlerContext, kind: 'moderation' | 'slicing', type: 'audio' | 'picture', from: number, to: number): number {
  const field = kind === 'moderation' ? 'ModerationParams' : 'SliceParams';
  return ctx.world.tasks.all(ctx.app, (t) => t.kind === kind).reduce((sum, t) => {
    const p = t.config[field];
    const every = (type === 'audio' ? p.SliceAudio ?? 15 : p.SliceVideo ?? 5) * 1000;
    const end = Math.min(to, t.endedAt ?? ctx.world.now());
    return sum + ctx.world.tasks.attendees(t).reduce((n, u) => n + ticks(u.at, every, from, end), 0);
  }, 0);
}

/** How many of the instants at, at + every, at + 2 every, ... fall within [from, end). */
function ticks(at: number, every: number, from: number, end: number): number {
  if (end <= Math.max(at, from)) return 0;
  const first = Math.max(0, Math.ceil((from - at) / every));
  const last = Math.floor((end - 1 - at) / every);
  return Math.max(0, last - first + 1);
}

/** Keyed daily usage with totals per key, as the China site's AI and segment statistics answer. */
function keyedDaily(def: ToolDef, keys: (ctx: HandlerContext) => string[], value: (ctx: HandlerContext, key: string, from: number, to: number) => number): Handler {
  return (ctx) => {
    const UsageKey = keys(ctx);
    const UsageList = days(def, ctx).map((d) => ({ TimeKey: dayKey(d), UsageValue: UsageKey.map((k) => round2(value(ctx, k, d, d + DAY))) }));
    return { UsageKey, UsageList, TotalUsage: UsageKey.map((_, i) => round2(UsageList.reduce((a, r) => a + r.UsageValue[i]!, 0))) };
  };
}

/** Minutes of each AI service: conversations, speech recognition (both transcriptions), and translation. */
const AI_MINUTES: Record<string, (ctx: HandlerContext, from: number, to: number) => number> = {
  conversation: (ctx, from, to) => taskSeconds(ctx, ['conversation'], from, to) / 60,
  asr: (ctx, from, to) => taskSeconds(ctx, ['transcription', 'cloudTranscription'], from, to) / 60,
  translation: (ctx, from, to) => taskSeconds(ctx, ['cloudTranscription'], from, to, (t) => Boolean(t.config.TranslationParam?.TargetLang?.length)) / 60,
  // Synthesis is billed per character; the sandbox keeps no count of it.
  tts: () => 0,
};

export const usageHandlers: Record<string, Handler> = {
  DescribeTrtcUsage: bucketed(defs.DescribeTrtcUsage, RESOLUTIONS, true),
  DescribeRecordingUsage: bucketed(defs.DescribeRecordingUsage, RESOLUTIONS, false),
  DescribeMixTranscodingUsage: bucketed(defs.DescribeMixTranscodingUsage, CODECS, false),
  DescribeRelayUsage: bucketed(defs.DescribeRelayUsage, ['Bandwidth'], false),
  DescribeTrtcRoomUsage: roomUsage,

  // The sandbox records and mixes nothing, so these seconds are zero on every day (as DescribeRecordingUsage's minutes).
  DescribeRecordStatistic: (ctx) => ({
    SdkAppIdUsages: [{ SdkAppId: String(ctx.app.sdkAppId), Usages: days(defs.DescribeRecordStatistic, ctx).map((d) => ({ TimeKey: dayKey(d), Class1VideoTime: 0, Class2VideoTime: 0, Class3VideoTime: 0, AudioTime: 0 })) }],
  }),
  DescribeTrtcMcuTranscodeTime: (ctx) => {
    const rows = days(defs.DescribeTrtcMcuTranscodeTime, ctx).map((d) => ({ TimeKey: dayKey(d), AudioTime: 0, VideoTimeSd: 0, VideoTimeHd: 0, VideoTimeFhd: 0, Flux: 0 }));
    return { Usages: [{ SdkAppIdTranscodeTimeUsages: rows, TotalNum: rows.length, SdkAppId: String(ctx.app.sdkAppId) }] };
  },
  DescribeTRTCAIRecognitionUsage: keyedDaily(defs.DescribeTRTCAIRecognitionUsage, (ctx) => ctx.params.AuType, (ctx, key, from, to) => AI_MINUTES[key]!(ctx, from, to)),
  DescribeTRTCDedicatedCloudAccUsage: keyedDaily(defs.DescribeTRTCDedicatedCloudAccUsage, () => ['DedicatedCloudAcc'], () => 0),
  DescribeTRTCSegmentModerationUsage: keyedDaily(
    defs.DescribeTRTCSegmentModerationUsage,
    (ctx) => [ctx.params.Type],
    (ctx, type, from, to) => segments(ctx, ctx.params.Business === 0 ? 'moderation' : 'slicing', type as 'audio' | 'picture', from, to),
  ),
};
