// End to end: the monitoring, dashboard and usage tools through a real MCP client, against a sandbox whose
// history (who joined when, who has a poor connection) the test seeds.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { WorldSeed } from '../src/sandbox/world.js';
import {
  cloudRequests, confirmationTokenOf, connectHttp, connectStdio, progressArrivals, sandboxEnv, spawnHttp, text, withSandbox, type Connected, type SpawnedHttp,
} from './helpers.js';

const APP = 1400000001;
const QUALITY_TOOLS = ['DescribeRoomInfo', 'DescribeUserInfo', 'DescribeUserEvent', 'DescribeCallDetailInfo', 'DescribeScaleInfo', 'DescribeUnusualEvent'];
const DASHBOARD_TOOLS = ['DescribeTRTCRealTimeScaleData', 'DescribeTRTCRealTimeQualityData', 'DescribeTRTCMarketScaleData', 'DescribeTRTCMarketQualityData'];
const USAGE_TOOLS = ['DescribeTrtcUsage', 'DescribeRecordingUsage', 'DescribeMixTranscodingUsage', 'DescribeRelayUsage', 'DescribeTrtcRoomUsage'];
const GUESTS = 23;
/** These toolsets are not listed by default; the moderation story needs the room tools too. */
const TOOLSETS = ['--toolsets', 'quality,usage,room'];

/** Room 1234 has a user on a poor connection; class-101 has run for two days; 23 small rooms make pages. */
const WORLD: WorldSeed = {
  apps: [{
    sdkAppId: APP,
    rooms: [
      { roomId: 1234, users: [{ userId: 'alice', joinedSecondsAgo: 1800 }, { userId: 'bob', joinedSecondsAgo: 1200 }, { userId: 'mallory', joinedSecondsAgo: 600, quality: 'poor' }] },
      { roomId: 'class-101', users: [{ userId: 'teacher', joinedSecondsAgo: 2 * 86400 }, 'student-1'] },
      ...Array.from({ length: GUESTS }, (_, i) => ({ roomId: 5000 + i, users: [`guest-${i}`] })),
    ],
  }],
};

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const utcDay = (daysAgo = 0) => new Date(Date.now() - daysAgo * 86400_000).toISOString().slice(0, 10);
const lastHour = () => ({ StartTime: ago(3600), EndTime: ago(-60) });
type Result = CallToolResult & { structuredContent: Record<string, any> };

describe('monitoring and usage tools over stdio', () => {
  let sb: Sandbox;
  let conn: Connected;
  let client: Client;
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
  const ok = async (name: string, args: Record<string, unknown>) => {
    const r = await call(name, args);
    expect(r.isError, text(r)).toBeFalsy();
    return r;
  };
  /**
   * Users and rooms that had joined or opened before `ms`, from the join times the sandbox seeded. Calendar
   * expectations come from these, never from the time of day: a user seeded 30 minutes ago joined yesterday when
   * the suite runs at 00:10.
   */
  const presentBefore = (ms: number) => {
    const rooms = [...sb.world.apps.get(APP)!.rooms.values()].map((room) => [...room.users.values()].filter((u) => u.joinedAt < ms)).filter((users) => users.length);
    return { users: rooms.flat(), rooms: rooms.length };
  };
  const midnight = (daysAgo = 0) => Date.parse(`${utcDay(daysAgo)}T00:00:00Z`);
  /** Users and rooms of the world that were already there at time t (seconds). */
  const onlineAt = (t: number) => {
    const rooms = [...sb.world.apps.get(APP)!.rooms.values()].filter((room) => room.createdAt <= t * 1000);
    return [rooms.reduce((n, room) => n + [...room.users.values()].filter((u) => u.joinedAt <= t * 1000).length, 0), rooms.length];
  };

  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD });
    conn = await connectStdio(TOOLSETS, sandboxEnv(sb));
    client = conn.client;
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });

  it('lists all fifteen tools as read-only, with agent-friendly time fields and faithful wire names', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of [...QUALITY_TOOLS, ...DASHBOARD_TOOLS, ...USAGE_TOOLS]) {
      const t = byName.get(name);
      expect(t, name).toBeDefined();
      expect(t!.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
      expect(t!._meta).toEqual({ api: name });
      expect(t!.inputSchema.properties!.StartTime).toMatchObject({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
      expect(t!.inputSchema.required).toEqual(expect.arrayContaining(['StartTime', 'EndTime']));
      expect(JSON.stringify(t!.inputSchema)).not.toMatch(/\$ref|\$defs|"format"/);
    }
    expect(Object.keys(byName.get('DescribeTrtcRoomUsage')!.inputSchema.properties!)).toEqual(['SdkAppid', 'StartTime', 'EndTime']);
    expect(byName.get('DescribeTRTCMarketQualityData')!.inputSchema.properties!.SdkAppId).toMatchObject({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(byName.get('DescribeRecordingUsage')!.inputSchema.properties!.MixType).toMatchObject({ enum: ['single', 'multi'] });
    expect(byName.get('DescribeRoomInfo')!.inputSchema.properties!.PageSize).toMatchObject({ minimum: 1, maximum: 100 });
    expect(byName.get('DescribeRoomInfo')!.outputSchema!.properties!.Paging).toBeDefined();
    expect(byName.get('DescribeCallDetailInfo')!.inputSchema.properties!.DataType).toMatchObject({ items: { enum: expect.arrayContaining(['aLoss', 'bigvBlock', 'all']) } });
  });

  it.each([
    ['a start older than 14 days', 'DescribeRoomInfo', { StartTime: ago(15 * 86400), EndTime: ago(14 * 86400 + 3600) }, 'StartTime: must be within the last 14 days'],
    ['a room list window over 24 hours', 'DescribeRoomInfo', { StartTime: ago(30 * 3600), EndTime: ago(0) }, 'EndTime: must be at most 24 hours from StartTime'],
    ['a user list window over 4 hours', 'DescribeUserInfo', { CommId: 'x', StartTime: ago(5 * 3600), EndTime: ago(0) }, 'EndTime: must be at most 4 hours from StartTime'],
    ['metrics over more than an hour', 'DescribeCallDetailInfo', { CommId: 'x', DataType: ['aLoss'], StartTime: ago(7200), EndTime: ago(0) }, 'EndTime: must be at most 1 hour from StartTime'],
    ['metrics for seven users', 'DescribeCallDetailInfo', { CommId: 'x', DataType: ['aLoss'], UserIds: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], ...lastHour() }, 'UserIds: must have at most 6 items when DataType is given'],
    ['unusual events over an hour', 'DescribeUnusualEvent', { StartTime: ago(7200), EndTime: ago(0) }, 'EndTime: must be at most 1 hour from StartTime'],
    ['an end before the start', 'DescribeScaleInfo', { StartTime: ago(3600), EndTime: ago(7200) }, 'EndTime: must be after StartTime'],
    ['a start in the future', 'DescribeUserEvent', { CommId: 'x', RoomId: '1', UserId: 'u', StartTime: ago(-3600), EndTime: ago(-7200) }, 'StartTime: must not be in the future'],
    ['a date that does not exist', 'DescribeTrtcUsage', { StartTime: '2025-02-30', EndTime: '2025-03-01' }, 'StartTime: must be YYYY-MM-DD (UTC)'],
    ['usage over 31 days', 'DescribeTrtcUsage', { StartTime: utcDay(40), EndTime: utcDay(0) }, 'EndTime: must be at most 31 days from StartTime (both dates count)'],
    ['room usage over 24 hours', 'DescribeTrtcRoomUsage', { StartTime: '2025-05-01 00:00', EndTime: '2025-05-02 00:01' }, 'EndTime: must be at most 24 hours from StartTime'],
    ['room usage off the minute', 'DescribeTrtcRoomUsage', { StartTime: '2025-05-01T00:00:30Z', EndTime: '2025-05-01T01:00:00Z' }, 'StartTime: must be a whole minute'],
    ['real-time data older than an hour', 'DescribeTRTCRealTimeScaleData', { StartTime: ago(7200), EndTime: ago(0) }, 'StartTime: must be within the last 1 hour'],
    ['dashboard data older than 30 days', 'DescribeTRTCMarketQualityData', { StartTime: utcDay(31), EndTime: utcDay(1), Period: 'd' }, 'StartTime: must be within the last 30 days'],
  ])('rejects %s before sending, stating the allowed window', async (_label, name, args, message) => {
    const before = cloudRequests(sb).length;
    const r = await call(name, args);
    expect(r.isError).toBe(true);
    expect(text(r)).toContain(message);
    expect(text(r)).toContain('nothing was sent');
    expect(cloudRequests(sb).length).toBe(before);
  });

  it('reads ISO-8601, Unix seconds and Unix milliseconds as the same window', async () => {
    const end = Math.floor(Date.now() / 1000) + 60;
    const start = end - 3600;
    const a = await ok('DescribeRoomInfo', { StartTime: start, EndTime: end });
    const b = await ok('DescribeRoomInfo', { StartTime: start * 1000, EndTime: String(end) });
    const c = await ok('DescribeRoomInfo', { StartTime: new Date(start * 1000).toISOString(), EndTime: new Date(end * 1000).toISOString().replace('Z', '+00:00') });
    // A call still going reports the present as its DestroyTime, which may tick over between the three requests.
    const rows = (r: typeof a) => r.structuredContent.RoomList.map(({ DestroyTime, ...row }: Record<string, unknown>) => (row.IsFinished ? { ...row, DestroyTime } : row));
    expect(a.structuredContent.RoomList).toHaveLength(10);
    expect(rows(b)).toEqual(rows(a));
    expect(rows(c)).toEqual(rows(a));
  });

  it('pages honestly: says when more rows exist and gives the exact next arguments', async () => {
    const first = await ok('DescribeRoomInfo', lastHour());
    expect(first.structuredContent.Total).toBe(GUESTS + 2);
    expect(first.structuredContent.Paging).toEqual({ More: 'yes', Next: { PageNumber: 1, PageSize: 10 } });
    expect(text(first)).toContain('More rows exist (25 match): call again with PageNumber 1 and PageSize 10');
    const second = await ok('DescribeRoomInfo', { ...lastHour(), ...first.structuredContent.Paging.Next });
    const third = await ok('DescribeRoomInfo', { ...lastHour(), ...second.structuredContent.Paging.Next });
    expect(third.structuredContent.RoomList).toHaveLength(5);
    expect(third.structuredContent.Paging).toEqual({ More: 'no' });
    const ids = [first, second, third].flatMap((r) => r.structuredContent.RoomList.map((room: { CommId: string }) => room.CommId));
    expect(new Set(ids).size).toBe(GUESTS + 2);
    // Newest first, and the two-day-old class is the oldest call.
    expect(third.structuredContent.RoomList.at(-1)).toMatchObject({ RoomString: 'class-101', IsFinished: false, UserId: 'teacher' });
  });

  it('fetches every page on request, with progress notifications to the client', async () => {
    const before = cloudRequests(sb, 'DescribeRoomInfo').length;
    const arrived = progressArrivals(client);
    const progress: Array<{ progress: number; total?: number }> = [];
    const r = (await client.callTool({ name: 'DescribeRoomInfo', arguments: { ...lastHour(), PageSize: 5, AllPages: true } }, undefined, {
      onprogress: (p) => void progress.push(p),
    })) as Result;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent.RoomList).toHaveLength(GUESTS + 2);
    expect(r.structuredContent.Paging).toEqual({ More: 'no' });
    expect(text(r)).toContain('These are all the matching rows. 5 pages were fetched.');
    expect(cloudRequests(sb, 'DescribeRoomInfo').length - before).toBe(5);
    // One notification before each page after the first, all of them at the client; the SDK's callback may miss the
    // last one (see progressArrivals).
    expect(arrived.map((p) => p.progress)).toEqual([1, 2, 3, 4]);
    expect(arrived[0]!.total).toBe(5);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3, 4].slice(0, progress.length));
  });

  it('answers the real-time dashboards from who is online', async () => {
    const scale = await ok('DescribeTRTCRealTimeScaleData', { StartTime: ago(300), EndTime: ago(0) });
    const series = scale.structuredContent.Data.Series[0];
    expect(series.Columns).toEqual(['time', 'userCount', 'roomCount']);
    expect(series.Values.length).toBeGreaterThanOrEqual(29);
    const [t, users, rooms] = series.Values.at(-1).RowValue;
    expect([users, rooms]).toEqual(onlineAt(t));
    expect(series.Values[0].RowValue.slice(1)).toEqual(onlineAt(series.Values[0].RowValue[0]));
    expect(users).toBeGreaterThanOrEqual(4);
    expect(text(scale)).toMatch(/userCount \(users\): min \d+, max \d+, last \d+/);

    const quality = await ok('DescribeTRTCRealTimeQualityData', { SdkAppId: String(APP), StartTime: ago(120), EndTime: ago(0), RoomId: '1234' });
    const rows = quality.structuredContent.Data.Series[0].Values.map((v: { RowValue: number[] }) => v.RowValue);
    // One of three users in room 1234 stutters badly, so the average is clearly above zero.
    expect(Math.min(...rows.map((r: number[]) => r[1]))).toBeGreaterThanOrEqual(3);
    expect(text(quality)).toContain('videoFreezeRate (video stutter rate (%))');
  });

  it('answers the data dashboards per day or hour, with decimals on request', async () => {
    const days = await ok('DescribeTRTCMarketScaleData', { SdkAppId: APP, StartTime: utcDay(3), EndTime: utcDay(0), Period: 'd' });
    const values = days.structuredContent.Data.Series[0].Values.map((v: { RowValue: number[] }) => v.RowValue);
    expect(values).toHaveLength(4);
    // Yesterday: the teacher, in class-101 since two days ago, and whoever of room 1234 joined before midnight;
    // nobody left, so all of them were online together at the peak.
    const yesterday = presentBefore(midnight(0));
    expect(yesterday.users.map((u) => u.userId)).toContain('teacher');
    expect(values[2]).toEqual([midnight(1) / 1000, yesterday.users.length, yesterday.rooms, yesterday.users.length, yesterday.rooms]);
    expect(values[0].slice(1)).toEqual([0, 0, 0, 0]);

    const quality = await ok('DescribeTRTCMarketQualityData', { StartTime: utcDay(1), EndTime: utcDay(0), Period: 'h', IsFloat: true });
    const last = quality.structuredContent.Data.Series[0].Values.at(-1);
    expect(quality.structuredContent.Data.Series[0].Columns).toEqual(['time', 'videoFreezeRate', 'audioFreezeRate', 'networkDelay', 'joinSuccessRate', 'joinSuccessIn5sRate']);
    expect(last.RowValueFloat).toHaveLength(6);
    expect(last.RowValue).toHaveLength(6);
  });

  it('thins an oversized dashboard answer over its whole time, keeps its columns, and says how to narrow it or get every row', async () => {
    const args = { StartTime: utcDay(59), EndTime: utcDay(0), Period: 'h' };
    const r = await ok('DescribeTRTCMarketScaleData', args);
    const series = r.structuredContent.Data.Series[0];
    expect(series.Columns).toHaveLength(5);
    expect(series.Values.length).toBeLessThan(59 * 24);
    expect(text(r).length).toBeLessThanOrEqual(4_000);
    expect(text(r)).toMatch(/TRUNCATED to fit 4,000 characters: the Data\.Series\[\]\.Values series keeps \d+ of up to \d+ points, spread over its time with its peaks and dips\. Use Period d.*With RawSeries true, the points come as sent\./);
    // The rows kept reach to the latest hour, and the notes give every column's range over all rows.
    const raw = await ok('DescribeTRTCMarketScaleData', { ...args, RawSeries: true });
    const all = raw.structuredContent.Data.Series[0].Values;
    expect(series.Values[0]).toEqual(all[0]);
    expect(text(r)).toMatch(/- userCount \(.*\): min 0, max \d+, last \d+/);
    expect(Buffer.byteLength(JSON.stringify(raw.structuredContent))).toBeLessThanOrEqual(16_000);
    expect(text(raw)).toMatch(/TRUNCATED to fit 16 KB: Data\.Series\[\]\.Values keeps the first \d+ of \d+ items/);
  });

  it('reports call minutes derived from who was in which room', async () => {
    const asked = Date.now();
    const today = await ok('DescribeTrtcUsage', { StartTime: utcDay(0), EndTime: utcDay(0) });
    const answered = Date.now();
    const { UsageKey, UsageList, Interval, TotalUsage } = today.structuredContent;
    expect(UsageKey).toEqual(['Audio', 'SD', 'HD', 'FullHD', '2K', '4K']);
    // Five-minute rows from midnight, one per bucket begun so far; late in the day they no longer fit, and come
    // added up per hour.
    const start = midnight(0);
    const step = Interval === 'hour' ? 3600_000 : 300_000;
    expect(Interval === 'hour' || Interval === '5min').toBe(true);
    expect(UsageList.map((row: { TimeKey: string }) => row.TimeKey)).toEqual(
      UsageList.map((_: unknown, i: number) => new Date(start + i * step).toISOString().slice(0, 19).replace('T', ' ')),
    );
    const buckets = (t: number) => Math.floor((t - start) / step) + 1;
    expect(UsageList.length).toBeGreaterThanOrEqual(buckets(asked));
    expect(UsageList.length).toBeLessThanOrEqual(buckets(answered));
    expect(text(today)).not.toContain('TRUNCATED');
    expect(TotalUsage).toHaveLength(UsageKey.length);
    // Expected minutes today: every seeded user from their join (or midnight) until now. The totals in the notes
    // cover every row, including any the size budget cut.
    const expected = presentBefore(Infinity).users.reduce((sum, u) => sum + (Date.now() - Math.max(u.joinedAt, start)) / 60_000, 0);
    const totals = /Totals over all rows: (.*)\./.exec(text(today))![1]!;
    const total = totals.split(', ').reduce((sum, entry) => sum + Number(entry.split(' ')[1]), 0);
    expect(totals).toMatch(/^Audio \d/);
    expect(Math.abs(total - expected)).toBeLessThan(2);

    const week = await ok('DescribeTrtcUsage', { StartTime: utcDay(6), EndTime: utcDay(0) });
    expect(week.structuredContent.UsageList.map((row: { TimeKey: string }) => row.TimeKey)).toEqual([6, 5, 4, 3, 2, 1, 0].map((d) => `${utcDay(d)} 00:00:00`));

    const recording = await ok('DescribeRecordingUsage', { StartTime: utcDay(2), EndTime: utcDay(0), MixType: 'single' });
    expect(recording.structuredContent.UsageList.every((row: { UsageValue: number[] }) => row.UsageValue.every((v) => v === 0))).toBe(true);
    expect((await ok('DescribeMixTranscodingUsage', { StartTime: utcDay(1), EndTime: utcDay(0) })).structuredContent.UsageKey).toHaveLength(11);
    expect((await ok('DescribeRelayUsage', { StartTime: utcDay(1), EndTime: utcDay(0) })).structuredContent.UsageKey).toEqual(['Bandwidth']);
  });

  it('reports daily scale for past days only', async () => {
    const r = await ok('DescribeScaleInfo', { StartTime: ago(3 * 86400), EndTime: ago(0) });
    const days = r.structuredContent.ScaleList as Array<{ Time: number; UserNumber: number; RoomNumbers: number }>;
    const yesterday = midnight(1) / 1000;
    const before = presentBefore(midnight(0));
    expect(days[0]).toMatchObject({ Time: yesterday, UserNumber: before.users.length, RoomNumbers: before.rooms });
    expect(days.every((d) => d.Time <= yesterday)).toBe(true);
  });

  it('decodes abnormal experiences and their likely causes', async () => {
    const r = await ok('DescribeUnusualEvent', { StartTime: ago(1800), EndTime: ago(0), RoomId: '1234' });
    const list = r.structuredContent.AbnormalExperienceList;
    expect(list.map((x: { UserId: string; Meaning: string }) => [x.UserId, x.Meaning])).toEqual([['mallory', 'Audio stuttered'], ['mallory', 'Video stuttered']]);
    expect(list[0].AbnormalEventList[0]).toEqual({ AbnormalEventId: 2005, PeerId: '', Meaning: 'Upstream audio packet loss too high' });
    expect(text(r)).toContain('- mallory in room 1234: Audio stuttered; likely causes: Upstream audio packet loss too high; Upstream network latency too high');
  });

  it('answers every metric of a call with a summary of every point that fits a model, and the points on request', async () => {
    const [room] = (await ok('DescribeRoomInfo', { ...lastHour(), RoomId: '1234' })).structuredContent.RoomList;
    const window = { StartTime: ago(3500), EndTime: ago(0) };
    const r = await ok('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['all'], ...window });
    expect(text(r).length).toBeLessThanOrEqual(4_000);
    expect(r.structuredContent.UserList).toHaveLength(3);
    // The facts first: a verdict per user, with every metric's average and maximum over all the points.
    const summary = r.structuredContent.Summary as Array<{ UserId: string; Verdict: string; Why: string[]; Average: Record<string, number>; Max: Record<string, number> }>;
    expect(Object.keys(r.structuredContent)[0]).toBe('Summary');
    expect(summary.map((s) => [s.UserId, s.Verdict])).toEqual([['alice', 'OK'], ['bob', 'OK'], ['mallory', 'POOR']]);
    expect(Object.keys(summary[2]!.Average)).toHaveLength(13);
    expect(summary[2]!.Average.aLoss).toBeGreaterThan(10);
    expect(summary[2]!.Why).toEqual(expect.arrayContaining([`audio packet loss ${summary[2]!.Average.aLoss} %`]));
    // 39 series do not fit: they are left out, and the answer says how to get them.
    expect(r.structuredContent.Data).toBeUndefined();
    expect(text(r)).toMatch(/TRUNCATED to fit 4,000 characters: the 39 Data series are left out \(up to \d+ points each\)\. The Summary covers every point\. For the points, ask for fewer DataType metrics or UserIds, or a shorter StartTime-EndTime window\. With RawSeries true, the points come as sent\./);
    expect(text(r)).toMatch(/- mallory \(sending\): POOR \(/);
    expect(text(r)).toMatch(/- alice \(sending\): no poor metric/);

    // One user and one metric: the series, thinned over its whole time, its spikes kept.
    const one = await ok('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['aLoss'], UserIds: ['mallory'], ...window });
    const thinned = one.structuredContent.Data[0].Content as Array<{ Time: number; Value: number }>;
    expect(text(one).length).toBeLessThanOrEqual(4_000);
    // Every point as sent, on request: one every 2 seconds from the join.
    const raw = await ok('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['aLoss'], UserIds: ['mallory'], StartTime: ago(600), EndTime: ago(0), RawSeries: true });
    const points = raw.structuredContent.Data[0].Content as Array<{ Time: number; Value: number }>;
    expect(points.length).toBeGreaterThan(thinned.length);
    expect(points.slice(1).every((p, i) => p.Time - points[i]!.Time === 2)).toBe(true);
    expect(text(raw)).not.toContain('TRUNCATED');
    expect(Math.max(...thinned.map((p) => p.Value))).toBe(one.structuredContent.Summary[0].Max.aLoss);
  });

  it('moderation story: find the user with poor quality, mute them, remove them, and see it in later answers', async () => {
    // 1. The call in room 1234, and its users.
    const [room] = (await ok('DescribeRoomInfo', { ...lastHour(), RoomId: '1234' })).structuredContent.RoomList;
    expect(room).toMatchObject({ RoomString: '1234', IsFinished: false, UserId: 'alice' });
    const users = await ok('DescribeUserInfo', { CommId: room.CommId, ...lastHour() });
    expect(users.structuredContent.UserList.map((u: { UserId: string }) => u.UserId).sort()).toEqual(['alice', 'bob', 'mallory']);

    // 2. Whose quality is bad? The one with the most audio packet loss, and the notes name them.
    const detail = await ok('DescribeCallDetailInfo', { CommId: room.CommId, DataType: ['aLoss', 'bigvBlock'], StartTime: ago(1800), EndTime: ago(0) });
    const loss = new Map<string, number>();
    for (const s of detail.structuredContent.Data.filter((d: { DataType: string }) => d.DataType === 'aLoss')) {
      loss.set(s.UserId, s.Content.reduce((a: number, p: { Value: number }) => a + p.Value, 0) / s.Content.length);
    }
    const worst = [...loss].sort((a, b) => b[1] - a[1])[0]![0];
    expect(worst).toBe('mallory');
    expect(loss.get('mallory')).toBeGreaterThan(10);
    expect(text(detail)).toMatch(/- mallory \(sending\): POOR \(audio packet loss \d+(\.\d)? %, video stutter \d+(\.\d)? ms\)/);

    // 3. The same user by ID.
    const byId = await ok('DescribeUserInfo', { CommId: room.CommId, UserIds: [worst], ...lastHour() });
    expect(byId.structuredContent.UserList).toEqual([expect.objectContaining({ UserId: 'mallory', Finished: false, RoomStr: '1234' })]);

    // 4. Mute them: their events now show the microphone muted and video stopped.
    expect((await call('SetUserBlocked', { RoomId: 1234, UserId: worst, IsMute: 1 })).isError).toBeFalsy();
    const muted = await ok('DescribeUserEvent', { CommId: room.CommId, RoomId: '1234', UserId: worst, ...lastHour() });
    const own = muted.structuredContent.Data.find((l: { PeerId: string }) => l.PeerId === worst).Content;
    // A poor connection is a weak mobile uplink: the user joined on 3G, and their video fell back to a low resolution.
    expect(own.map((e: { Meaning: string }) => e.Meaning)).toEqual([
      'Began joining the room', 'Joined the room', 'Entered the room', 'Network is 3G', 'Video resolution changed to 320x240', 'Microphone muted', 'User stopped sending video',
    ]);
    expect(own.find((e: { EventId: number }) => e.EventId === 3001)).toMatchObject({ ParamOne: 1, Type: 0 });

    // 5. Remove them, with the human's consent: a leave event, and the user list no longer has them in the call.
    const preview = await call('RemoveUser', { RoomId: 1234, UserIds: [worst] });
    expect(text(preview)).toContain('Confirmation required; nothing was sent.');
    expect(sb.world.room(sb.world.apps.get(APP)!, 'int', 1234)!.users.has(worst)).toBe(true);
    const removed = await call('RemoveUser', { RoomId: 1234, UserIds: [worst], confirmationToken: confirmationTokenOf(preview) });
    expect(removed.isError, text(removed)).toBeFalsy();
    const left = await ok('DescribeUserEvent', { CommId: room.CommId, RoomId: '1234', UserId: worst, ...lastHour() });
    const last = left.structuredContent.Data[0].Content.at(-1);
    expect(last).toMatchObject({ EventId: 7001, ParamOne: 2, Meaning: 'Left the room: removed (kicked out)' });
    expect(text(left)).toContain('- mallory: last event "Left the room: removed (kicked out)"');
    const after = await ok('DescribeUserInfo', { CommId: room.CommId, ...lastHour() });
    expect(after.structuredContent.UserList.find((u: { UserId: string }) => u.UserId === worst)).toMatchObject({ Finished: true });
    expect(text(after)).toContain('still in the call: alice, bob (');
    // Alice sees mallory leave, too.
    const seenByAlice = await ok('DescribeUserEvent', { CommId: room.CommId, RoomId: '1234', UserId: 'alice', ...lastHour() });
    expect(seenByAlice.structuredContent.Data.find((l: { PeerId: string }) => l.PeerId === worst).Content.at(-1).Meaning).toBe('Left the room: removed (kicked out)');
  });

  it('never answered with structured content that breaks its own output schema', () => {
    expect(conn.stderr()).not.toContain('does not match the documented output');
    expect(conn.stderr()).toContain('tool call');
  });

  it('lists room usage as CSV, at most one call per 15 seconds', async () => {
    const r = await ok('DescribeTrtcRoomUsage', { StartTime: '2025-05-01 00:00', EndTime: '2025-05-01 12:00' });
    expect(r.structuredContent.Data).toBe('RoomId,Audio,SD,hd,FullHD,2K,4K\n');
    expect(text(r)).toContain('0 rooms with usage');
  });
});

describe('monitoring over Streamable HTTP', () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;
  beforeAll(async () => {
    sb = await withSandbox({ world: WORLD });
    srv = await spawnHttp(TOOLSETS, sandboxEnv(sb));
  });
  afterAll(async () => {
    await srv.stop();
    await sb.close();
  });

  it('sends progress notifications for a multi-page fetch, and answers room usage from history', async () => {
    const client = await connectHttp(srv.url);
    const arrived = progressArrivals(client);
    const progress: number[] = [];
    const r = (await client.callTool({ name: 'DescribeRoomInfo', arguments: { ...lastHour(), PageSize: 10, AllPages: true } }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
    })) as Result;
    expect(r.structuredContent.RoomList).toHaveLength(GUESTS + 2);
    expect(arrived.map((p) => p.progress)).toEqual([1, 2]);
    expect(progress).toEqual([1, 2].slice(0, progress.length));

    // EndTime is the start of the minute the guests joined in (when the sandbox started), not of the current minute,
    // which a slow start may have moved past it.
    const guestsJoined = Math.min(...[...sb.world.apps.get(APP)!.rooms.values()].flatMap((r) => [...r.users.values()]).filter((u) => u.userId.startsWith('guest-')).map((u) => u.joinedAt));
    const now = new Date(Math.floor(guestsJoined / 60_000) * 60_000);
    const usage = (await client.callTool({ name: 'DescribeTrtcRoomUsage', arguments: { StartTime: new Date(now.getTime() - 3 * 3600_000).toISOString(), EndTime: now.toISOString() } })) as Result;
    expect(usage.isError, text(usage)).toBeFalsy();
    const lines: string[] = usage.structuredContent.Data.trim().split('\n');
    expect(lines[0]).toBe('RoomId,Audio,SD,hd,FullHD,2K,4K');
    const rooms = new Map(lines.slice(1).map((line) => [line.split(',')[0]!, line.split(',').slice(1).map(Number)]));
    // The guests joined after EndTime (the start of this minute), so only the two older rooms used minutes:
    // class-101 for the whole three hours (the teacher), room 1234 for an hour of user time (30 + 20 + 10 minutes).
    expect([...rooms.keys()].sort()).toEqual(['1234', 'class-101']);
    const minutes = (room: string) => rooms.get(room)!.reduce((a, b) => a + b, 0);
    expect(minutes('class-101')).toBeGreaterThan(179);
    expect(minutes('1234')).toBeGreaterThan(55);
    expect(text(usage)).toMatch(/Busiest: class-101 \(\d+(\.\d+)?\)/);
    expect(cloudRequests(sb, 'DescribeTrtcRoomUsage')).toHaveLength(1);
    await client.close();
  });
});

describe('usage of every app under the account', () => {
  const OTHER = 1400000002;
  /** A fixed clock, so that the three answers compared below describe the same moment. */
  const NOW = Date.now();
  const TWO_APPS: WorldSeed = {
    apps: [
      { sdkAppId: APP, rooms: [{ roomId: 1, users: [{ userId: 'a1', joinedSecondsAgo: 2 * 86400 }, { userId: 'a2', joinedSecondsAgo: 3600 }] }] },
      { sdkAppId: OTHER, rooms: [{ roomId: 'b', users: [{ userId: 'b1', joinedSecondsAgo: 2 * 86400 }] }] },
    ],
  };
  const window = { StartTime: new Date(NOW - 86400_000).toISOString().slice(0, 10), EndTime: new Date(NOW).toISOString().slice(0, 10) };
  const ACCOUNT_WIDE = ['DescribeTrtcUsage', 'DescribeRecordingUsage', 'DescribeMixTranscodingUsage', 'DescribeRelayUsage'];
  let sb: Sandbox;
  const conns: Connected[] = [];
  const connect = async (args: string[] = [], env: Record<string, string | undefined> = {}) => {
    const c = await connectStdio(['--toolsets', 'usage', ...args], sandboxEnv(sb, env));
    conns.push(c);
    return c.client;
  };
  const minutes = (r: Result) => r.structuredContent.UsageList.flatMap((row: { UsageValue: number[] }) => row.UsageValue).reduce((a: number, b: number) => a + b, 0);
  beforeAll(async () => {
    sb = await withSandbox({ world: TWO_APPS, now: () => NOW });
  });
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.close()));
    await sb.close();
  });

  it('answers AllApps with the usage of every app, sending no SdkAppId', async () => {
    // No default app is configured: AllApps needs none.
    const client = await connect([], { TRTC_SDK_APP_ID: undefined });
    const call = async (args: Record<string, unknown>) => {
      const r = (await client.callTool({ name: 'DescribeTrtcUsage', arguments: { ...window, ...args } })) as Result;
      expect(r.isError, text(r)).toBeFalsy();
      return minutes(r);
    };
    const [mine, other, all] = [await call({ SdkAppId: APP }), await call({ SdkAppId: OTHER }), await call({ AllApps: true })];
    expect(mine).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
    expect(all).toBeCloseTo(mine + other, 1);
    for (const name of ACCOUNT_WIDE) {
      const r = (await client.callTool({ name, arguments: { ...window, AllApps: true, ...(name === 'DescribeRecordingUsage' && { MixType: 'single' }) } })) as Result;
      expect(r.isError, `${name}: ${text(r)}`).toBeFalsy();
      expect(r.structuredContent.UsageList).toHaveLength(2);
    }
    const schemas = new Map((await client.listTools()).tools.map((t) => [t.name, t.inputSchema]));
    for (const name of ACCOUNT_WIDE) expect(schemas.get(name)!.properties!.AllApps, name).toMatchObject({ type: 'boolean' });
    expect(schemas.get('DescribeTrtcRoomUsage')!.properties!.AllApps).toBeUndefined();
  });

  it('refuses AllApps with an SdkAppId, and under --allow-apps, sending nothing', async () => {
    const before = cloudRequests(sb).length;
    const both = await (await connect()).callTool({ name: 'DescribeTrtcUsage', arguments: { ...window, AllApps: true, SdkAppId: APP } });
    expect(both.isError).toBe(true);
    expect(text(both)).toContain('AllApps: cannot be combined with SdkAppId; leave SdkAppId out to cover every app');
    const scoped = await (await connect(['--allow-apps', String(APP)])).callTool({ name: 'DescribeTrtcUsage', arguments: { ...window, AllApps: true } });
    expect(scoped.isError).toBe(true);
    expect(text(scoped)).toContain(`Refused: AllApps reaches every app under the account, and this server may touch only ${APP}. Pass SdkAppId instead. The operator can allow it with --allow-account-wide. Nothing was sent.`);
    expect(cloudRequests(sb).length).toBe(before);
  });
});

describe('a whole day of call minutes', () => {
  /** Yesterday (UTC): a day that is over, with all its 288 five-minute rows. */
  const DAY_KEY = new Date(Date.now() - 86400_000).toISOString().slice(0, 10);
  let sb: Sandbox;
  let conn: Connected;
  beforeAll(async () => {
    const users = ['a', 'b', 'c', 'd'].map((u, i) => ({ userId: u, joinedSecondsAgo: 2 * 86400 + i * 3600 }));
    sb = await withSandbox({ world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: 77, users }] }] } });
    conn = await connectStdio(['--toolsets', 'usage'], sandboxEnv(sb));
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });
  const ok = async (args: Record<string, unknown>) => {
    const r = (await conn.client.callTool({ name: 'DescribeTrtcUsage', arguments: args })) as Result;
    expect(r.isError, text(r)).toBeFalsy();
    return r;
  };
  const sum = (rows: Array<{ UsageValue: number[] }>) => rows.reduce((a, row) => a + row.UsageValue.reduce((x, y) => x + y, 0), 0);

  it('comes as totals and hourly rows when its 288 five-minute rows do not fit, with the way to get them raw', async () => {
    const r = await ok({ StartTime: DAY_KEY, EndTime: DAY_KEY });
    const { UsageList, TotalUsage, Interval, UsageKey } = r.structuredContent;
    expect(Interval).toBe('hour');
    expect(UsageList.map((row: { TimeKey: string }) => row.TimeKey)).toEqual(Array.from({ length: 24 }, (_, h) => `${DAY_KEY} ${String(h).padStart(2, '0')}:00:00`));
    // Four users all day: 4 x 1440 minutes, split over the resolution tiers.
    expect(TotalUsage.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(4 * 1440, 0);
    expect(sum(UsageList)).toBeCloseTo(4 * 1440, 0);
    expect(TotalUsage).toHaveLength(UsageKey.length);
    expect(text(r)).toContain('288 five-minute rows; UsageValue lines up with UsageKey.');
    const advice = /ask for at most (\d+) hours of the day with times, e\.g\. StartTime "([^"]+)" and EndTime "([^"]+)"/.exec(text(r))!;
    expect(advice).not.toBeNull();
    expect(text(r)).not.toContain('TRUNCATED');

    // Following the advice gives the raw rows of that window, and they fit.
    const raw = await ok({ StartTime: advice[2], EndTime: advice[3] });
    expect(raw.structuredContent.Interval).toBe('5min');
    expect(raw.structuredContent.UsageList).toHaveLength(Number(advice[1]) * 12);
    expect(raw.structuredContent.UsageList[0].TimeKey).toBe(`${DAY_KEY} 00:00:00`);
    expect(text(raw)).not.toContain('TRUNCATED');
    expect(text(raw)).toContain(`Kept the ${Number(advice[1]) * 12} of 288 five-minute rows within StartTime-EndTime`);
    expect(raw.structuredContent.TotalUsage.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(4 * 60 * Number(advice[1]), 0);
  });
});
