// Usage Statistics (seed 004, and the China site's statistics): billed minutes and seconds of calls, recording, mixing, relay and AI, per time bucket or per room.
import { z } from 'zod';
import { cloudAction, type RoomRows, type WireEnv } from './define.js';
import { REGIONS, RequestId, SdkAppId } from './fields.js';
import { RESULT_BUDGET_BYTES, jsonBytes } from '../src/server/budget.js';
import { DAY, HOUR, parseInstant, timed, utcDate, windowToWire, type TimeWindow } from './time.js';

const shared = { toolset: 'usage', effect: 'read', regions: REGIONS.usage } as const;
const MONTH: TimeWindow = { form: 'date', maxSpan: 31 * DAY };

const TrtcUsage = z.object({ TimeKey: z.string(), UsageValue: z.array(z.number()) }).partial();
const output = z.object({
  UsageKey: z.array(z.string()).optional(),
  UsageList: z.array(TrtcUsage).optional(),
  // Added by this server.
  TotalUsage: z.array(z.number()).optional().describe('Per UsageKey, over every row'),
  Interval: z.enum(['5min', 'hour', 'day']).optional().describe('What one UsageList row covers; hour: five-minute rows added up'),
  RequestId,
});

/** The four bucketed usage actions share their shape; only MixType and the usage keys differ. */
function bucketed(extra: z.ZodRawShape, what: string) {
  return {
    ...shared,
    rateLimit: 5,
    // The docs: without SdkAppId, the usage of every app under the account.
    ...timed(z.object({ ...extra, SdkAppId: SdkAppId.optional() }), MONTH),
    accountWide: true,
    output,
    narrow: 'Query fewer days; totals cover every row.',
    errors: ['InvalidParameter.QueryScaleOversize', 'InvalidParameter.SdkAppId'],
    present: (r: Record<string, any>, args: Record<string, any>, env: WireEnv) => usageAnswer(r, args, what, env.answerBytes ?? RESULT_BUDGET_BYTES),
  };
}

type Row = z.infer<typeof TrtcUsage>;
const utcDayOf = (value: unknown) => {
  const ms = typeof value === 'number' || typeof value === 'string' ? parseInstant(value) : undefined;
  return ms === undefined ? undefined : utcDate(ms);
};
const keyTime = (key: string | undefined) => Date.parse(`${(key ?? '').replace(' ', 'T')}Z`);
const round2 = (n: number) => Math.round(n * 100) / 100;
/** An agent's time names an instant (not a bare date): Unix time, or ISO-8601 with a time of day. */
const instantOf = (value: unknown) => (typeof value === 'number' || (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) ? parseInstant(value as string | number) : undefined);

/**
 * The answer as agents get it. TRTC answers one day in five-minute rows (288 for a whole day) and longer periods in
 * daily rows. Times of day in StartTime and EndTime keep the five-minute rows of that window; five-minute rows that
 * would not fit the answer are added up per hour, with the way to get them raw. Totals cover every row.
 */
function usageAnswer(r: Record<string, any>, args: Record<string, any>, what: string, budget: number) {
  const keys: string[] = r.UsageKey ?? [];
  let rows: Row[] = r.UsageList ?? [];
  // One day is answered in five-minute rows, more days in daily rows (the dates sent are the UTC dates of the times).
  const fine = utcDayOf(args.StartTime) !== undefined && utcDayOf(args.StartTime) === utcDayOf(args.EndTime);
  const notes: string[] = [];
  const [from, to] = [instantOf(args.StartTime), instantOf(args.EndTime)];
  if (fine && (from !== undefined || to !== undefined)) {
    const all = rows.length;
    rows = rows.filter((row) => keyTime(row.TimeKey) >= (from ?? -Infinity) && keyTime(row.TimeKey) < (to ?? Infinity));
    notes.push(`Kept the ${rows.length} of ${all} five-minute rows within StartTime-EndTime (TRTC answers whole days).`);
  }
  const TotalUsage = keys.map((_, i) => round2(rows.reduce((a, row) => a + (row.UsageValue?.[i] ?? 0), 0)));
  let Interval: 'day' | '5min' | 'hour' = fine ? '5min' : 'day';
  let UsageList = rows;
  const asked = { ...r, UsageList: rows, TotalUsage, Interval };
  if (fine && jsonBytes(asked) > budget) {
    UsageList = hourly(rows);
    Interval = 'hour';
    const perRow = jsonBytes(rows) / rows.length;
    // Whole hours of rows that fit with room to spare; fewer than a day, or all of them would have fitted.
    const hours = Math.min(23, Math.max(1, Math.floor((budget * 0.8) / perRow / 12)));
    const day = (rows[0]?.TimeKey ?? '').slice(0, 10);
    notes.push(
      `The ${rows.length} five-minute rows are added up per hour to fit the answer (Interval "hour"). For the five-minute rows, ask for at most ${hours} hours of the day with times, ` +
        `e.g. StartTime "${day}T00:00:00Z" and EndTime "${day}T${String(hours).padStart(2, '0')}:00:00Z".`,
    );
  }
  const totals = keys.map((key, i) => `${key} ${TotalUsage[i]}`);
  notes.unshift(`${what}: ${rows.length} ${Interval === 'day' ? 'daily' : 'five-minute'} rows; UsageValue lines up with UsageKey. Totals over all rows: ${totals.join(', ') || 'none'}.`);
  return { structured: { ...r, UsageList, TotalUsage, Interval }, notes };
}

/** Five-minute rows added up per UTC hour. */
function hourly(rows: readonly Row[]): Row[] {
  const hours = new Map<string, number[]>();
  for (const row of rows) {
    const hour = `${(row.TimeKey ?? '').slice(0, 13)}:00:00`;
    const sum = hours.get(hour) ?? [];
    (row.UsageValue ?? []).forEach((v, i) => (sum[i] = round2((sum[i] ?? 0) + v)));
    hours.set(hour, sum);
  }
  return [...hours].map(([TimeKey, UsageValue]) => ({ TimeKey, UsageValue }));
}

export const DescribeTrtcUsage = cloudAction({
  ...bucketed({}, 'Audio/video minutes by resolution'),
  action: 'DescribeTrtcUsage',
  aliases: [
    'bill', 'billing', 'minutes', 'how much did we use', 'cost', 'invoice', 'consumption', 'spend',
    '查询 音视频 互动 用量', '用量', '通话 时长', '分钟', '分钟数', '账单', '费用', '消耗', '计费 时长', '用了 多少', '多少 钱', '本月 用量', '月度 用量', '音视频 用量',
  ],
  description: 'Call minutes by resolution: 5-minute rows for one day, else daily rows.',
});

export const DescribeRecordingUsage = cloudAction({
  ...bucketed({ MixType: z.enum(['single', 'multi']).describe('single: per stream; multi: mixed') }, 'Recording minutes by resolution'),
  action: 'DescribeRecordingUsage',
  aliases: ['recording cost', 'recording minutes', 'recording bill', '查询 录制 用量', '录制 用量', '录制 费用', '录制 花费', '录制 多少 钱', '录制 时长'],
  description: 'Recording minutes by resolution: 5-minute rows for one day, else daily rows.',
});

export const DescribeMixTranscodingUsage = cloudAction({
  ...bucketed({}, 'Mixing/transcoding minutes by resolution and codec'),
  action: 'DescribeMixTranscodingUsage',
  aliases: ['mixing cost', 'transcoding minutes', 'mixing bill', '查询 混流 转码 用量', '混流 用量', '转码 时长', '混流 费用'],
  description: 'Mixing/transcoding minutes by resolution and codec: 5-minute rows for one day, else daily.',
});

export const DescribeRelayUsage = cloudAction({
  ...bucketed({}, 'Relay to CDN usage'),
  action: 'DescribeRelayUsage',
  aliases: ['cdn cost', 'relay bandwidth', 'relaying bill', 'cdn usage', '查询 旁路 转推 用量', '转推 用量', 'CDN 用量', '转推 带宽'],
  description: 'Relay-to-CDN usage: 5-minute rows for one day, else daily rows.',
});

/** The CSV's rows after its header each start with their room. */
const csvRoomRows: RoomRows = {
  filter(response, keep) {
    if (typeof response.Data !== 'string') return { response, leftOut: 0 };
    const [header, ...lines] = response.Data.split(/\r?\n/);
    const kept = lines.filter((line) => !line.trim() || keep(line.split(',')[0] ?? ''));
    return { response: { ...response, Data: [header, ...kept].join('\n') }, leftOut: lines.length - kept.length };
  },
};

export const DescribeTrtcRoomUsage = cloudAction({
  ...shared,
  action: 'DescribeTrtcRoomUsage',
  aliases: [
    'minutes per room', 'usage per room', 'bill per room', 'most minutes', 'busiest room',
    '查询 房间 维度 用量', '每个 房间 用量', '房间 用量', '最耗时 房间', '房间 时长', '各房间 用量',
  ],
  // Documented as one call every 15 seconds.
  rateLimit: 1 / 15,
  description: 'Call minutes per room and resolution, as CSV. One call per 15 seconds.',
  // The documented parameter really is spelled SdkAppid.
  ...timed(z.object({ SdkAppid: SdkAppId }), { form: 'minute', maxSpan: 24 * HOUR }),
  output: z.object({ Data: z.string().optional(), RequestId }),
  narrow: 'Query a shorter StartTime-EndTime period; the notes summarise every room.',
  errors: ['FailedOperation.SdkAppIdNotExist', 'InternalError.DBError', 'InvalidParameter'],
  present: (r) => ({ structured: r, notes: roomUsageNotes(String(r.Data ?? '')) }),
  roomRows: csvRoomRows,
});

/** Reads the CSV (a RoomId column, then minutes per resolution) into totals and the busiest rooms. */
function roomUsageNotes(csv: string): string[] {
  const [header, ...lines] = csv.split(/\r?\n/).filter((line) => line.trim());
  if (!header) return ['No usage in this period.'];
  const columns = header.split(',').slice(1);
  const rooms = lines.map((line) => {
    const [room = '', ...cells] = line.split(',');
    const minutes = cells.map(Number);
    return { room, minutes, total: minutes.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0) };
  });
  const totals = columns.map((c, i) => `${c} ${rooms.reduce((a, r) => a + (r.minutes[i] || 0), 0)}`);
  const busiest = [...rooms].sort((a, b) => b.total - a.total).slice(0, 5).map((r) => `${r.room} (${r.total})`);
  return [
    `${rooms.length} rooms with usage. CSV columns after RoomId are minutes per resolution. Totals: ${totals.join(', ')}.`,
    ...(busiest.length ? [`Busiest: ${busiest.join(', ')}.`] : []),
  ];
}

// China-site usage statistics. The docs name no rate limit for them: they take their family's.
const cnUsage = { toolset: 'usage', effect: 'read', rateLimit: 5, sites: ['cn'], narrow: 'Query fewer days.' } as const;
const SECONDS_MONTH: TimeWindow = { form: 'second', maxSpan: 31 * DAY };
const AllAppsNote = 'Defaults to the configured app';
const seconds = z.number().describe('Seconds');

export const DescribeRecordStatistic = cloudAction({
  ...cnUsage,
  action: 'DescribeRecordStatistic',
  aliases: ['recording seconds', 'recording cost', '查询 云端 录制 计费 时长', '录制 计费 时长'],
  description: 'Cloud recording seconds per day by resolution (SD, HD, FHD) and audio.',
  ...timed(z.object({ SdkAppId: SdkAppId.optional() }), MONTH),
  output: z.object({
    SdkAppIdUsages: z
      .array(
        z.object({
          SdkAppId: z.string(),
          Usages: z.array(z.object({ TimeKey: z.string(), Class1VideoTime: seconds, Class2VideoTime: seconds, Class3VideoTime: seconds, AudioTime: seconds }).partial()),
        }).partial(),
      )
      .optional(),
    RequestId,
  }),
});

export const DescribeTrtcMcuTranscodeTime = cloudAction({
  ...cnUsage,
  action: 'DescribeTrtcMcuTranscodeTime',
  aliases: ['transcoding seconds', 'transcoding cost', '查询 旁路 转码 计费 时长', '转码 计费 时长'],
  description: 'Relay transcoding seconds per day by resolution, and bandwidth.',
  ...timed(z.object({ SdkAppId: SdkAppId.optional() }), MONTH),
  output: z.object({
    Usages: z
      .array(
        z.object({
          SdkAppIdTranscodeTimeUsages: z.array(
            z.object({ TimeKey: z.string(), AudioTime: seconds, VideoTimeSd: seconds, VideoTimeHd: seconds, VideoTimeFhd: seconds, Flux: z.number().describe('Mbps') }).partial(),
          ),
          TotalNum: z.int(),
          SdkAppId: z.string().describe('App ID, or "total"'),
        }).partial(),
      )
      .optional(),
    RequestId,
  }),
});

const keyed = z.object({
  UsageKey: z.array(z.string()).optional(),
  UsageList: z.array(TrtcUsage).optional(),
  TotalUsage: z.array(z.number()).optional().describe('Per UsageKey'),
  RequestId,
});

const AppIdText = z.string().regex(/^[1-9]\d*$/, 'must be digits');

export const DescribeTRTCAIRecognitionUsage = cloudAction({
  ...cnUsage,
  action: 'DescribeTRTCAIRecognitionUsage',
  aliases: ['ai cost', 'ai usage', 'speech recognition usage', '查询 AI 识别 对话 用量', 'AI 用量', '语音 识别 用量', 'AI 费用'],
  description: 'AI usage over a period: conversation, speech-to-text, translation and speech synthesis.',
  ...timed(
    z.object({
      AuType: z.array(z.enum(['conversation', 'asr', 'translation', 'tts'])).min(1),
      SdkAppId: AppIdText.optional().describe(AllAppsNote),
    }),
    SECONDS_MONTH,
    // Agents may write the app ID as a number too; it is sent as the string the API takes.
    { SdkAppId: z.union([z.int().min(1), AppIdText]).optional().describe(AllAppsNote) },
  ),
  toWire(args, env) {
    const wire = windowToWire(SECONDS_MONTH, args, env);
    return args.SdkAppId === undefined ? wire : { ...wire, SdkAppId: String(args.SdkAppId) };
  },
  output: keyed,
});

export const DescribeTRTCDedicatedCloudAccUsage = cloudAction({
  ...cnUsage,
  action: 'DescribeTRTCDedicatedCloudAccUsage',
  aliases: ['查询 专属云 网络 加速 用量', '专属云 加速 用量'],
  description: 'Dedicated cloud acceleration usage over a period.',
  ...timed(z.object({ SdkAppId: SdkAppId.optional() }), SECONDS_MONTH),
  output: keyed,
});

export const DescribeTRTCSegmentModerationUsage = cloudAction({
  ...cnUsage,
  action: 'DescribeTRTCSegmentModerationUsage',
  aliases: ['查询 切片 截图 内容 理解 用量', '审核 用量', '切片 用量'],
  description: 'Audio clips or video frames taken by moderation (Business 0) or slicing (Business 1) over a period.',
  ...timed(
    z.object({
      Type: z.enum(['audio', 'picture']),
      Business: z.literal([0, 1]).describe('0 moderation, 1 slicing'),
      SdkAppId: SdkAppId.optional(),
    }),
    SECONDS_MONTH,
  ),
  output: keyed,
});
