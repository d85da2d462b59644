// Call Quality Monitoring (seed 004): which calls ran, who was in them, what happened to each user,
// and how good their audio and video were.
import { z } from 'zod';
import { ArgumentError, cloudAction, roomRows, type PagingSpec, type TargetRef } from './define.js';
import { AllPages, Paging, REGIONS, RequestId, SdkAppId, UserId } from './fields.js';
import { ABNORMAL_EVENTS, eventMeaning, EXPERIENCES, METRICS } from './meanings.js';
import { DAY, HOUR, isInstant, isoTime, timed, type TimeWindow } from './time.js';
import { own } from './own.js';

const shared = { toolset: 'quality', effect: 'read', rateLimit: 20 } as const;
const LAST_14_DAYS = { form: 'unix', lookback: 14 * DAY } as const satisfies TimeWindow;

const CommId = z.string().min(1).describe('Call ID, from DescribeRoomInfo');
const byCommId = (args: Record<string, any>): TargetRef[] => [{ kind: 'comm', id: args.CommId }];
/** DescribeRoomInfo answers for at most 24 hours at a time, 100 calls a page. */
const ROOM_INFO_SPAN_S = 24 * 3600;
const ROOM_INFO_PAGE = 100;
/** Most requests one CommId lookup may make. */
const COMM_LOOKUP_REQUESTS = 20;
const PageNumber = z.int().min(0).describe('First page is 0');
const pageSize = (dflt: number) => z.int().min(1).max(100).describe(`Default ${dflt}`);
const paged = (rows: PagingSpec['rows'], defaultSize: number, maxSize: PagingSpec['maxSize'] = 100): PagingSpec =>
  ({ pageField: 'PageNumber', sizeField: 'PageSize', defaultSize, maxSize, rows, total: 'Total' });

// Output types. Every member is optional: TRTC may leave any of them out (or null, which the server drops).
const RoomState = z.object({
  CommId: z.string(), RoomString: z.string(), CreateTime: z.int(), DestroyTime: z.int(), IsFinished: z.boolean(), UserId: z.string(),
}).partial();
const UserInformation = z.object({
  RoomStr: z.string(), UserId: z.string(), JoinTs: z.int(), LeaveTs: z.int(), DeviceType: z.string(),
  SdkVersion: z.string(), ClientIp: z.string(), Finished: z.boolean(),
}).partial();
const EventMessage = z.object({
  Type: z.int(), Time: z.int(), EventId: z.int(), ParamOne: z.int(), ParamTwo: z.int(),
  // Added by this server: what EventId means with these parameters.
  Meaning: z.string(),
}).partial();
const EventList = z.object({ Content: z.array(EventMessage), PeerId: z.string() }).partial();
const TimeValue = z.object({ Time: z.int(), Value: z.number() }).partial();
const QualityData = z.object({ Content: z.array(TimeValue), UserId: z.string(), PeerId: z.string(), DataType: z.string() }).partial();
const ScaleInfomation = z.object({ Time: z.int(), UserNumber: z.int(), UserCount: z.int(), RoomNumbers: z.int() }).partial();
const AbnormalEvent = z.object({ AbnormalEventId: z.int(), PeerId: z.string(), Meaning: z.string() }).partial();
const AbnormalExperience = z.object({
  UserId: z.string(), ExperienceId: z.int(), RoomId: z.string(), AbnormalEventList: z.array(AbnormalEvent), EventTime: z.int(), Meaning: z.string(),
}).partial();

const DATA_TYPES = ['appCpu', 'sysCpu', 'aBit', 'aBlock', 'bigvBit', 'bigvCapFps', 'bigvEncFps', 'bigvDecFps', 'bigvBlock', 'aLoss', 'bigvLoss', 'bigvWidth', 'bigvHeight'] as const;

// Documented error codes, per action (seed 004, "Error Code").
const INTERNAL = ['InternalError', 'InternalError.DBError', 'InternalError.EsQueryError', 'InternalError.HttpParaseFalied', 'InternalError.InterfaceErr', 'InternalError.MethodErr'];
const PAGES = ['InvalidParameter.PageNumber', 'InvalidParameter.PageSize', 'InvalidParameter.PageSizeOversize', 'InvalidParameter.QueryScaleOversize'];
const TIMES = ['InvalidParameter.SdkAppId', 'InvalidParameter.SdkAppid', 'InvalidParameter.StartTimeOversize', 'InvalidParameter.StartTs', 'InvalidParameter.StartTsOversize'];
const MISSING = ['MissingParameter.CommIdOrSdkAppId', 'MissingParameter.EndTs', 'MissingParameter.SdkAppId', 'MissingParameter.StartTs'];
const USER_LIST = [
  ...INTERNAL.filter((c) => c !== 'InternalError.EsQueryError'), 'InvalidParameter', 'InvalidParameter.BodyParamsError', 'InvalidParameter.EncodeParams',
  ...PAGES, ...TIMES, 'InvalidParameter.UserIdsMorethanSix', 'MissingParameter', 'MissingParameter.CommId', ...MISSING,
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const DescribeRoomInfo = cloudAction({
  ...shared,
  action: 'DescribeRoomInfo',
  aliases: [
    'call list', 'recent calls', 'call history', 'which calls', 'call id', 'sessions', 'rooms today',
    '查询 历史 房间 列表', '通话 列表', '最近 通话', '房间 列表', '通话 ID', '历史 通话', '哪些 通话',
  ],
  regions: REGIONS.callHistory,
  description: 'Calls (a room from creation to end) of an app, newest first, with the CommId the other quality tools take.',
  ...timed(
    z.object({
      SdkAppId, RoomId: z.string().min(1).optional().describe('Only this room'),
      PageNumber: PageNumber.optional(), PageSize: pageSize(10).optional(),
    }),
    { ...LAST_14_DAYS, maxSpan: 24 * HOUR },
    { AllPages: AllPages.optional() },
  ),
  output: z.object({ Total: z.int().optional(), RoomList: z.array(RoomState).optional(), Paging: Paging.optional(), RequestId }),
  paging: paged(['RoomList'], 10),
  roomRows: roomRows('RoomList', 'RoomString'),
  // A CommId is found among the calls of the window the naming call asks about, a day and a page at a time.
  locates: {
    kind: 'comm',
    *requests(_id, { app, wire }) {
      const start = Number(wire.StartTime);
      const end = Number(wire.EndTime);
      let sent = 0;
      for (let from = start; from < end; from += ROOM_INFO_SPAN_S) {
        const to = Math.min(end, from + ROOM_INFO_SPAN_S);
        for (let page = 0; sent < COMM_LOOKUP_REQUESTS; page++, sent++) {
          const answer = yield { SdkAppId: app, StartTime: from, EndTime: to, PageNumber: page, PageSize: ROOM_INFO_PAGE };
          if ((answer.RoomList?.length ?? 0) < ROOM_INFO_PAGE) break;
        }
      }
    },
    rooms: (r, id) => {
      const row = (r.RoomList ?? []).find((c: { CommId?: string }) => c.CommId === id);
      return row?.RoomString ? [row.RoomString] : undefined;
    },
  },
  errors: [
    ...INTERNAL, 'InvalidParameter.BodyParamsError', 'InvalidParameter.EndTs', ...PAGES, ...TIMES, 'InvalidParameter.UrlParamsError',
    'InvalidParameter.UserId', ...MISSING, 'MissingParameter.RoomNum',
  ],
  present: (r) => {
    const rooms: Array<z.infer<typeof RoomState>> = r.RoomList ?? [];
    const running = rooms.filter((room) => room.IsFinished === false).length;
    return {
      structured: r,
      notes: [
        `${plural(rooms.length, 'call')} in this answer, ${running} still running (DestroyTime means nothing while IsFinished is false). ` +
          'Times are Unix seconds. Pass a CommId to DescribeUserInfo, DescribeCallDetailInfo or DescribeUserEvent.',
      ],
    };
  },
});

const userListNote = (users: Array<z.infer<typeof UserInformation>>) => {
  const present = users.filter((u) => u.Finished === false).map((u) => u.UserId);
  return `${plural(users.length, 'user session')}; still in the call: ${present.length ? present.join(', ') : 'nobody'} ` +
    '(their LeaveTs is the query time). JoinTs/LeaveTs are Unix seconds.';
};

export const DescribeUserInfo = cloudAction({
  ...shared,
  action: 'DescribeUserInfo',
  aliases: [
    'who is in the room', 'participants', 'attendees', 'who joined', 'who is online', 'device', 'sdk version', 'ip address',
    '查询 历史 用户 列表', '房间里 有谁', '参会者', '参与者', '与会者', '在线 用户', '谁 加入', '用户 设备', 'SDK 版本', 'IP 地址',
  ],
  regions: REGIONS.callDetail,
  description: 'Who was in a call: join and leave times, device, SDK version, IP.',
  ...timed(
    z.object({
      SdkAppId, CommId, UserIds: z.array(UserId).min(1).max(100).optional().describe('Only these users'),
      PageNumber: PageNumber.optional(), PageSize: pageSize(6).optional(),
    }),
    { ...LAST_14_DAYS, maxSpan: 4 * HOUR },
    { AllPages: AllPages.optional() },
  ),
  output: z.object({ Total: z.int().optional(), UserList: z.array(UserInformation).optional(), Paging: Paging.optional(), RequestId }),
  paging: paged(['UserList'], 6),
  targets: byCommId,
  narrow: 'Pass UserIds, a shorter window, or a smaller PageSize.',
  errors: USER_LIST,
  present: (r) => ({ structured: r, notes: [userListNote(r.UserList ?? [])] }),
});

export const DescribeUserEvent = cloudAction({
  ...shared,
  action: 'DescribeUserEvent',
  aliases: [
    'what happened to user', 'timeline', 'joined and left', 'did he leave', 'disconnect', 'user history',
    '查询 详细 事件', '用户 事件', '进退房 记录', '用户 时间线', '掉线', '什么 时候 离开',
  ],
  regions: REGIONS.callDetail,
  description: "A user's events in a call (join, leave, mute, camera, network), decoded into words.",
  ...timed(
    z.object({ SdkAppId, CommId, UserId, RoomId: z.string().min(1) }),
    LAST_14_DAYS,
  ),
  output: z.object({ Data: z.array(EventList).optional(), RequestId }),
  targets: byCommId,
  narrow: 'Pass a shorter StartTime-EndTime window.',
  errors: [
    ...INTERNAL.filter((c) => c !== 'InternalError.DBError'), 'InvalidParameter', 'InvalidParameter.BodyParamsError', 'InvalidParameter.EndTs',
    'InvalidParameter.SdkAppid', 'InvalidParameter.StartTs', 'InvalidParameter.StartTsOversize', 'InvalidParameter.UrlParamsError', 'InvalidParameter.UserId',
    'MissingParameter', 'MissingParameter.AppId', 'MissingParameter.CommId', 'MissingParameter.CommIdOrSdkAppId', 'MissingParameter.EndTs',
    'MissingParameter.RoomId', 'MissingParameter.StartTs', 'MissingParameter.UserId',
  ],
  present: (r) => {
    const lists: Array<z.infer<typeof EventList>> = r.Data ?? [];
    const Data = lists.map((list) => ({
      ...list,
      Content: (list.Content ?? []).map((e) => ({ ...e, Meaning: eventMeaning(e.EventId ?? -1, e.ParamOne ?? -1, e.ParamTwo ?? -1) ?? 'Not in the event ID tables' })),
    }));
    const latest = Data.slice(0, 20).flatMap((list) => {
      const last = list.Content.reduce<(typeof list.Content)[number] | undefined>((a, e) => (!a || (e.Time ?? 0) >= (a.Time ?? 0) ? e : a), undefined);
      return last ? [`- ${list.PeerId || '(unknown)'}: last event "${last.Meaning}" at ${isInstant(last.Time) ? isoTime(last.Time) : `an unknown time (${String(last.Time)})`}`] : [];
    });
    const count = Data.reduce((n, list) => n + list.Content.length, 0);
    return {
      structured: { ...r, Data },
      notes: [[`${plural(count, 'event')} from ${plural(Data.length, 'sender')} (PeerId). Time is Unix milliseconds; Meaning decodes EventId with ParamOne/ParamTwo.`, ...latest].join('\n')],
    };
  },
});

const callDetail = timed(
  z.object({
    SdkAppId, CommId,
    UserIds: z.array(UserId).min(1).max(100).optional().describe('At most 6 with DataType'),
    DataType: z.array(z.enum([...DATA_TYPES, 'all'])).min(1).optional().describe('Metrics (all = every one); omit for the user list only'),
    PageNumber: PageNumber.optional(), PageSize: pageSize(6).optional().describe('Default 6; at most 6 with DataType'),
  }),
  {
    ...LAST_14_DAYS,
    maxSpan: { ms: (args) => (args.DataType?.length ? HOUR : 4 * HOUR), text: '1 hour with DataType, else 4 hours' },
  },
  { AllPages: AllPages.optional() },
);

/** Per metric, one figure over the window. */
const MetricFigures = z.object(Object.fromEntries(DATA_TYPES.map((t) => [t, z.number()]))).partial();
// Added by this server: what a model needs first, computed from every point TRTC sent.
const QualitySummary = z.object({
  UserId: z.string(),
  PeerId: z.string().describe('Empty: what the user sent; else what they received from this user'),
  Verdict: z.enum(['POOR', 'OK']),
  Why: z.array(z.string()).describe('Metrics past a rule-of-thumb threshold (e.g. packet loss above 10%), with their averages'),
  Average: MetricFigures,
  Max: MetricFigures,
}).partial();
type Summary = z.infer<typeof QualitySummary>;

export const DescribeCallDetailInfo = cloudAction({
  ...shared,
  ...callDetail,
  action: 'DescribeCallDetailInfo',
  aliases: [
    'packet loss', 'latency', 'bitrate', 'frame rate', 'cpu', 'worst connection', 'quality metrics', 'choppy', 'lag', 'poor network',
    '查询 历史 用户 列表 通话 指标', '通话 质量', '丢包率', '丢包', '网络 延迟', '码率', '帧率', 'CPU 占用', '质量 指标', '网络 差', '网络 最差', '卡顿 原因',
  ],
  regions: REGIONS.callDetail,
  description: 'Users of a call and, with DataType, their quality metrics over time; names users whose quality looks poor.',
  toWire: (args, env) => {
    // With metrics, TRTC serves at most six users per request.
    if (args.DataType?.length) {
      if ((args.UserIds?.length ?? 0) > 6) throw new ArgumentError('UserIds', 'must have at most 6 items when DataType is given');
      if ((args.PageSize ?? 0) > 6) throw new ArgumentError('PageSize', 'must be at most 6 when DataType is given');
    }
    return callDetail.toWire(args, env);
  },
  output: z.object({
    Summary: z.array(QualitySummary).optional().describe('Per user and direction: verdict, averages and maxima over every point (added by this server)'),
    Total: z.int().optional(), UserList: z.array(UserInformation).optional(), Data: z.array(QualityData).optional(), Paging: Paging.optional(), RequestId,
  }),
  paging: paged(['UserList', 'Data'], 6, (wire) => (Array.isArray(wire.DataType) && wire.DataType.length ? 6 : 100)),
  series: 'Data[].Content',
  targets: byCommId,
  narrow: 'The Summary covers every point. For the points, ask for fewer DataType metrics or UserIds, or a shorter StartTime-EndTime window.',
  errors: [...USER_LIST, 'InternalError.EsQueryError'],
  present: (r) => {
    const summary = qualitySummary(r.Data ?? []);
    return { structured: summary.length ? { Summary: summary, ...r } : r, notes: [userListNote(r.UserList ?? []), ...verdictNotes(summary)] };
  },
});

const round1 = (n: number) => Math.round(n * 10) / 10;

/** One entry per user and direction: each metric's average and maximum, and a verdict from rule-of-thumb thresholds. */
function qualitySummary(data: Array<z.infer<typeof QualityData>>): Summary[] {
  const groups = new Map<string, Required<Pick<Summary, 'Why' | 'Average' | 'Max'>> & Summary>();
  for (const series of data) {
    const values = (series.Content ?? []).map((p) => p.Value).filter((v): v is number => typeof v === 'number');
    if (!values.length || !series.DataType) continue;
    const key = JSON.stringify([series.UserId, series.PeerId ?? '']);
    const entry = groups.get(key) ?? { UserId: series.UserId, PeerId: series.PeerId ?? '', Verdict: 'OK', Why: [], Average: {}, Max: {} };
    groups.set(key, entry);
    const type = series.DataType as (typeof DATA_TYPES)[number];
    const avg = round1(values.reduce((a, b) => a + b, 0) / values.length);
    entry.Average[type] = avg;
    entry.Max[type] = Math.max(...values);
    const m = own(METRICS, type);
    if (m && ((m.poorAbove !== undefined && avg > m.poorAbove) || (m.poorBelow !== undefined && avg < m.poorBelow))) {
      entry.Verdict = 'POOR';
      entry.Why.push(`${m.label} ${avg} ${m.unit}`);
    }
  }
  return [...groups.values()];
}

/** The verdicts in words: one line per user and direction. */
function verdictNotes(summary: readonly Summary[]): string[] {
  if (!summary.length) return [];
  const lines = summary.map((s) => {
    const who = s.PeerId ? `${s.UserId} (receiving from ${s.PeerId})` : `${s.UserId} (sending)`;
    return `- ${who}: ${s.Verdict === 'POOR' ? `POOR (${s.Why!.join(', ')})` : 'no poor metric'}`;
  });
  return [['Quality over the window (Summary: averages and maxima of every point; POOR = rule-of-thumb thresholds, e.g. packet loss above 10%, video stutter above 500 ms):', ...lines].join('\n')];
}

export const DescribeScaleInfo = cloudAction({
  ...shared,
  action: 'DescribeScaleInfo',
  aliases: ['rooms per day', 'daily users', 'daily active', 'how many rooms', '查询 历史 房间 用户数', '每天 房间数', '每日 房间数', '每日 用户数', '日活', '多少 房间'],
  regions: REGIONS.callHistory,
  description: 'Daily counts of rooms, users and room entries (today not yet available).',
  ...timed(z.object({ SdkAppId }), LAST_14_DAYS),
  output: z.object({ Total: z.int().optional(), ScaleList: z.array(ScaleInfomation).optional(), RequestId }),
  errors: [
    ...INTERNAL.filter((c) => c !== 'InternalError.EsQueryError'), 'InvalidParameter.BodyParamsError', 'InvalidParameter.EndTs', 'InvalidParameter.SdkAppId',
    'InvalidParameter.SdkAppid', 'InvalidParameter.StartTs', 'InvalidParameter.StartTsOversize', 'InvalidParameter.UserIdsMorethanSix',
    'MissingParameter.EndTs', 'MissingParameter.SdkAppId', 'MissingParameter.StartTs',
  ],
  present: (r) => ({
    structured: r,
    notes: ['One row per day (Time = start of the day, Unix seconds): RoomNumbers = rooms, UserNumber = distinct users, UserCount = room entries. A day appears only if EndTime is after its start.'],
  }),
});

export const DescribeUnusualEvent = cloudAction({
  ...shared,
  action: 'DescribeUnusualEvent',
  aliases: [
    'problems', 'issues', 'choppy', 'freezing', 'lagging', 'stutter', 'bad experience', 'why is audio bad', 'complaints',
    'quality problems',
    '查询 异常 体验 事件', '异常 体验', '体验 不好', '卡顿', '声音 断断续续', '画面 卡住', '投诉', '质量 问题',
  ],
  description: 'Up to 20 sampled bad user experiences (stutter, slow join, device failures) with likely causes, decoded.',
  ...timed(
    z.object({ SdkAppId, RoomId: z.string().min(1).optional().describe('Only this room') }),
    { ...LAST_14_DAYS, maxSpan: HOUR },
  ),
  output: z.object({ Total: z.int().optional(), AbnormalExperienceList: z.array(AbnormalExperience).optional(), RequestId }),
  roomRows: roomRows('AbnormalExperienceList', 'RoomId'),
  present: (r) => {
    const list: Array<z.infer<typeof AbnormalExperience>> = (r.AbnormalExperienceList ?? []).map((x: z.infer<typeof AbnormalExperience>) => ({
      ...x,
      Meaning: own(EXPERIENCES, x.ExperienceId ?? -1) ?? 'Not in the experience ID table',
      AbnormalEventList: (x.AbnormalEventList ?? []).map((e) => ({ ...e, Meaning: own(ABNORMAL_EVENTS, e.AbnormalEventId ?? -1) ?? 'Not in the event ID tables' })),
    }));
    const lines = list.map((x) => {
      const causes = (x.AbnormalEventList ?? []).map((e) => `${e.Meaning}${e.PeerId ? ` (with ${e.PeerId})` : ''}`);
      return `- ${x.UserId} in room ${x.RoomId}: ${x.Meaning}${causes.length ? `; likely causes: ${causes.join('; ')}` : ''}`;
    });
    return {
      structured: { ...r, AbnormalExperienceList: list },
      notes: [[`${plural(list.length, 'abnormal experience')} (TRTC samples at most 20).`, ...lines].join('\n')],
    };
  },
});
