// Usage Statistics (seed 004): billed minutes of calls, recording, mixing and relay, per time bucket or per room.
import { z } from 'zod';
import { cloudAction } from './define.js';
import { REGIONS, RequestId, SdkAppId } from './fields.js';
import { DAY, HOUR, timed, type TimeWindow } from './time.js';

const shared = { toolset: 'usage', effect: 'read', regions: REGIONS.usage } as const;
const MONTH: TimeWindow = { form: 'date', maxSpan: 31 * DAY };

const TrtcUsage = z.object({ TimeKey: z.string(), UsageValue: z.array(z.number()) }).partial();
const output = z.object({ UsageKey: z.array(z.string()).optional(), UsageList: z.array(TrtcUsage).optional(), RequestId });

/** The four bucketed usage actions share their shape; only MixType and the usage keys differ. */
function bucketed(extra: z.ZodRawShape, what: string) {
  return {
    ...shared,
    rateLimit: 5,
    // The docs: without SdkAppId, the usage of every app under the account.
    ...timed(z.object({ ...extra, SdkAppId: SdkAppId.optional() }), MONTH),
    accountWide: true,
    output,
    narrow: 'Query fewer days; totals in the notes cover every row.',
    errors: ['InvalidParameter.QueryScaleOversize', 'InvalidParameter.SdkAppId'],
    present: (r: Record<string, any>) => ({ structured: r, notes: usageNotes(r, what) }),
  };
}

/** Totals per usage key over every bucket, computed before any truncation. */
function usageNotes(r: Record<string, any>, what: string): string[] {
  const keys: string[] = r.UsageKey ?? [];
  const rows: Array<z.infer<typeof TrtcUsage>> = r.UsageList ?? [];
  const totals = keys.map((key, i) => {
    const sum = rows.reduce((a, row) => a + (row.UsageValue?.[i] ?? 0), 0);
    return `${key} ${Math.round(sum * 100) / 100}`;
  });
  return [`${what}: ${rows.length} rows; UsageValue lines up with UsageKey. Totals over all rows: ${totals.join(', ') || 'none'}.`];
}

export const DescribeTrtcUsage = cloudAction({
  ...bucketed({}, 'Audio/video minutes by resolution'),
  action: 'DescribeTrtcUsage',
  description: 'Call minutes by resolution: 5-minute rows for one day, else daily rows.',
});

export const DescribeRecordingUsage = cloudAction({
  ...bucketed({ MixType: z.enum(['single', 'multi']).describe('single: per stream; multi: mixed') }, 'Recording minutes by resolution'),
  action: 'DescribeRecordingUsage',
  description: 'Recording minutes by resolution: 5-minute rows for one day, else daily rows.',
});

export const DescribeMixTranscodingUsage = cloudAction({
  ...bucketed({}, 'Mixing/transcoding minutes by resolution and codec'),
  action: 'DescribeMixTranscodingUsage',
  description: 'Mixing/transcoding minutes by resolution and codec: 5-minute rows for one day, else daily.',
});

export const DescribeRelayUsage = cloudAction({
  ...bucketed({}, 'Relay to CDN usage'),
  action: 'DescribeRelayUsage',
  description: 'Relay-to-CDN usage: 5-minute rows for one day, else daily rows.',
});

export const DescribeTrtcRoomUsage = cloudAction({
  ...shared,
  action: 'DescribeTrtcRoomUsage',
  // Documented as one call every 15 seconds.
  rateLimit: 1 / 15,
  description: 'Call minutes per room and resolution, as CSV. One call per 15 seconds.',
  // The documented parameter really is spelled SdkAppid.
  ...timed(z.object({ SdkAppid: SdkAppId }), { form: 'minute', maxSpan: 24 * HOUR }),
  output: z.object({ Data: z.string().optional(), RequestId }),
  narrow: 'Query a shorter StartTime-EndTime period; the notes summarise every room.',
  errors: ['FailedOperation.SdkAppIdNotExist', 'InternalError.DBError', 'InvalidParameter'],
  present: (r) => ({ structured: r, notes: roomUsageNotes(String(r.Data ?? '')) }),
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
