// Data Monitoring (seed 004): the monitoring dashboard's real-time and daily/hourly series.
// These actions need the Standard or Premium dashboard edition, and take SdkAppId as a string.
import { z } from 'zod';
import { cloudAction } from './define.js';
import { RequestId } from './fields.js';
import { DASHBOARD_COLUMNS } from './meanings.js';
import { DAY, HOUR, timed, type TimeWindow } from './time.js';
import { own } from './own.js';

const shared = { toolset: 'quality', effect: 'read', rateLimit: 20 } as const;

const AppIdText = z.string().regex(/^[1-9]\d*$/, 'must be digits');
const SdkAppId = AppIdText.describe('TRTC app ID (SDKAppID); defaults to the configured app');
/** Agents may write the app ID as a number too; it is sent as the string the API takes. */
const AgentAppId = z.union([z.int().min(1), AppIdText]).describe('TRTC app ID (SDKAppID); defaults to the configured app');
const RoomId = z.string().min(1).optional().describe('Only this room');
const Period = z.enum(['d', 'h']).describe('Per UTC day or hour');

const RowValues = z.object({ RowValue: z.array(z.int()), RowValueFloat: z.array(z.number()) }).partial();
const SeriesInfos = z.object({ Columns: z.array(z.string()), Values: z.array(RowValues) }).partial();
const output = z.object({ Data: z.object({ StatementID: z.int(), Series: z.array(SeriesInfos), Total: z.int() }).partial().optional(), RequestId });

/** A dashboard action: its window, the wire schema, and the app ID accepted as number or string. */
function dashboard(input: z.ZodObject, window: TimeWindow) {
  const t = timed(input, window, { SdkAppId: AgentAppId });
  return {
    ...t,
    toWire: (args: Record<string, any>, env: Parameters<typeof t.toWire>[1]) => ({ ...t.toWire(args, env), SdkAppId: String(args.SdkAppId) }),
    output,
    series: 'Data.Series[].Values',
    present: (r: Record<string, any>) => ({ structured: r, notes: seriesNotes(r.Data?.Series ?? []) }),
  };
}

/** What each column means, and its range over the rows, so an agent need not scan every row. */
function seriesNotes(series: Array<z.infer<typeof SeriesInfos>>): string[] {
  return series.flatMap((s) => {
    const columns = s.Columns ?? [];
    const rows = (s.Values ?? []).map((v) => v.RowValueFloat ?? v.RowValue ?? []);
    const stats = columns.flatMap((name, i) => {
      if (name === 'time') return [];
      const values = rows.map((r) => r[i]).filter((v): v is number => typeof v === 'number');
      if (!values.length) return [];
      return [`${name} (${own(DASHBOARD_COLUMNS, name) ?? 'as reported'}): min ${Math.min(...values)}, max ${Math.max(...values)}, last ${values[values.length - 1]}`];
    });
    return [[`${rows.length} rows; each RowValue lines up with Columns, and time is Unix seconds.`, ...stats.map((line) => `- ${line}`)].join('\n')];
  });
}

export const DescribeTRTCRealTimeScaleData = cloudAction({
  ...shared,
  ...dashboard(z.object({ SdkAppId, RoomId }), { form: 'unix', lookback: HOUR }),
  action: 'DescribeTRTCRealTimeScaleData',
  aliases: ['how many online', 'concurrent users now', 'people online', 'live count', '查询 TRTC 实时 监控 规模 指标', '当前 在线 人数', '在线 人数', '实时 在线', '在线 房间数'],
  description: 'Users and rooms online over the last hour (real-time dashboard).',
  narrow: 'Pass RoomId or a shorter StartTime-EndTime window.',
  errors: ['UnsupportedOperation'],
});

export const DescribeTRTCRealTimeQualityData = cloudAction({
  ...shared,
  // The Premium edition reaches 12 hours back (Standard: 3).
  ...dashboard(z.object({ SdkAppId, RoomId }), { form: 'unix', lookback: 12 * HOUR }),
  action: 'DescribeTRTCRealTimeQualityData',
  aliases: [
    'stutter rate', 'freeze rate', 'lag right now', 'quality problems', 'quality last hours',
    '查询 TRTC 实时 监控 质量 指标', '实时 卡顿率', '当前 卡顿', '实时 质量',
  ],
  description: 'Video and audio stutter rates over recent hours (real-time dashboard).',
  narrow: 'Pass RoomId or a shorter StartTime-EndTime window.',
});

export const DescribeTRTCMarketScaleData = cloudAction({
  ...shared,
  // Premium edition: up to 60 days.
  ...dashboard(z.object({ SdkAppId, Period }), { form: 'date', lookback: 60 * DAY }),
  action: 'DescribeTRTCMarketScaleData',
  aliases: ['peak concurrent', 'daily users', 'rooms per day', 'trend', '查询 TRTC 数据 大盘 规模 指标', '峰值 在线', '同时 在线', '通话 人数', '每日 房间数', '规模 趋势'],
  description: 'Users, rooms and peak concurrency per day or hour (data dashboard).',
  narrow: 'Use Period d, or fewer days between StartTime and EndTime.',
});

export const DescribeTRTCMarketQualityData = cloudAction({
  ...shared,
  // Premium edition: up to 30 days.
  ...dashboard(
    z.object({ SdkAppId, Period, IsFloat: z.boolean().optional().describe('Decimals (RowValueFloat)') }),
    { form: 'date', lookback: 30 * DAY },
  ),
  action: 'DescribeTRTCMarketQualityData',
  aliases: ['join success rate', 'stutter rate per day', 'quality trend', '查询 TRTC 数据 大盘 质量 指标', '进房 成功率', '每日 卡顿率', '质量 趋势'],
  description: 'Join success, stutter and lag rates per day or hour (data dashboard).',
  narrow: 'Use Period d, or fewer days between StartTime and EndTime.',
});

export const DescribeTRTCMarketScaleMetricData = cloudAction({
  ...shared,
  sites: ['cn'],
  // The advanced edition reaches 60 days back (basic: 30).
  ...dashboard(z.object({ SdkAppId, Period }), { form: 'date', lookback: 60 * DAY }),
  action: 'DescribeTRTCMarketScaleMetricData',
  aliases: ['peak concurrent', 'daily users', 'trend', '查询 TRTC 数据 大盘 规模 指标', '峰值 在线', '规模 趋势'],
  description: 'Scale metrics per day or hour (users, rooms, minutes) from the China site\'s data dashboard.',
  narrow: 'Use Period d, or fewer days between StartTime and EndTime.',
});
