// The room console's data tool: what the view shows of a room, read part by part through the pipeline as call_tool
// would read it (the same validation, scope, deny list and read-only mode), and the parts that could not be read
// with what their tool said. Loaded when a client that renders views first lists or calls it.
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { eventMeaning } from '../../tools/meanings.js';
import { isoTime, parseInstant } from '../../tools/time.js';
import { describeIssues } from '../validation.js';
import { modeRefusal } from '../guardrails/exposure.js';
import { Ledger } from '../guardrails/ledger.js';
import { CONSOLE_TOOL, CONSOLE_URI } from './console.js';
import { redact, redactText } from '../redact.js';
import { failure, runTool, withSandboxNote, type CallExtra, type ServerContext } from './pipeline.js';
import { loadCatalog } from './registry.js';

// What the view asks for: a room, and optionally the call and the window (at most an hour, the most the quality
// reads serve with metrics; by default the last hour).
const consoleInput = z.strictObject({
  RoomId: z.string().min(1).max(64).describe('The room, as its quality reads name it'),
  RoomIdType: z.literal([0, 1]).optional().describe('0 numeric room, 1 string room (default: numeric when RoomId is digits)'),
  CommId: z.string().min(1).max(128).optional().describe('The call; default: the newest call of the room in the window'),
  StartTime: z.union([z.int(), z.string().min(1)]).optional().describe('Unix s/ms or ISO-8601; default: an hour before EndTime'),
  EndTime: z.union([z.int(), z.string().min(1)]).optional().describe('Same forms; default: now'),
});

const Problem = z.object({ part: z.string(), tool: z.string(), message: z.string() });
const consoleOutput = z.object({
  Room: z.object({ RoomId: z.string(), RoomIdType: z.int(), SdkAppId: z.int().optional() }),
  Window: z.object({ StartTime: z.int(), EndTime: z.int() }).describe('Unix seconds'),
  Call: z.object({ CommId: z.string(), CreateTime: z.int().optional(), IsFinished: z.boolean().optional() }).optional(),
  Participants: z.array(z.object({
    UserId: z.string(), JoinTs: z.int().optional(), LeaveTs: z.int().optional(), Finished: z.boolean().optional(),
    DeviceType: z.string().optional(), Network: z.string().optional(), Verdict: z.string().optional(), Why: z.array(z.string()).optional(),
    BotTaskId: z.string().optional().describe('The AI conversation this bot runs, when this server started it'),
  })),
  Series: z.array(z.object({ UserId: z.string(), DataType: z.string(), Points: z.array(z.array(z.number())).describe('[Unix seconds, value]') })),
  Abnormal: z.array(z.object({ UserId: z.string(), Time: z.int(), Meaning: z.string(), Causes: z.array(z.string()) })),
  Events: z.array(z.object({ Time: z.string(), Meaning: z.string(), UserId: z.string().optional(), Text: z.string().optional() })).optional()
    .describe('The room\'s recent callback events, when callbacks reach this server; user text is data'),
  Problems: z.array(Problem).describe('Parts that could not be read, with the answer their tool gave'),
});
type ConsoleData = z.infer<typeof consoleOutput>;
/** Reads one part through the pipeline: its structured answer, or undefined with the refusal kept among the problems. */
type Read = (part: string, tool: string, args: Record<string, unknown>, opts?: { bytes?: number; quiet?: boolean }) => Promise<Record<string, any> | undefined>;

/** The metrics the console charts: packet loss, bitrate, stutter and resolution (TRTC's per-user metrics have no round-trip time). */
export const CONSOLE_METRICS = ['aLoss', 'bigvLoss', 'aBit', 'bigvBit', 'aBlock', 'bigvBlock', 'bigvHeight'] as const;
/** TRTC serves metrics for at most six users a request. */
const MAX_CHARTED = 6;
/** Enough JSON for about 120 points in each of the console's series. */
const SERIES_BYTES = 150_000;
const HOUR_S = 3600;
const RECENT_EVENTS = 30;
/** Room for a hundred events of the log, of which the console shows the latest. */
const EVENTS_BYTES = 200_000;

let listed: Tool | undefined;
export function consoleTool(): Tool {
  const schema = (s: z.ZodType, io: 'input' | 'output') => {
    const { $schema: _s, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return rest as Tool['inputSchema'];
  };
  return (listed ??= {
    name: CONSOLE_TOOL,
    description: "The room console's data: participants, quality over time, bad experiences and recent events of a room. For the console view only.",
    inputSchema: schema(consoleInput, 'input'),
    outputSchema: schema(consoleOutput, 'output'),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    _meta: { ui: { resourceUri: CONSOLE_URI, visibility: ['app'] } },
  });
}

/** Runs the console's data tool: each part read through the pipeline, as call_tool would, with the caller's identity. */
export async function runConsoleTool(ctx: ServerContext, args: unknown, extra: CallExtra): Promise<CallToolResult> {
  const parsed = consoleInput.safeParse(args ?? {});
  if (!parsed.success) {
    return withSandboxNote(ctx, failure(`Invalid arguments for ${CONSOLE_TOOL}:\n${describeIssues(parsed.error.issues, args ?? {}).map((l) => `- ${l}`).join('\n')}`));
  }
  const input = parsed.data;
  const end = input.EndTime !== undefined ? parseInstant(input.EndTime) : Date.now();
  const start = input.StartTime !== undefined ? parseInstant(input.StartTime) : end === undefined ? undefined : end - HOUR_S * 1000;
  if (end === undefined || start === undefined) {
    return withSandboxNote(ctx, failure(`Invalid arguments for ${CONSOLE_TOOL}:\n- ${end === undefined ? 'EndTime' : 'StartTime'}: must be Unix s/ms or ISO-8601`));
  }
  // The last hour of a longer window: the most the metrics are served for.
  const window = { StartTime: Math.max(Math.floor(start / 1000), Math.floor(end / 1000) - HOUR_S), EndTime: Math.floor(end / 1000) };
  const numeric = input.RoomIdType === 0 || (input.RoomIdType === undefined && /^\d+$/.test(input.RoomId));
  const data: ConsoleData = {
    Room: { RoomId: input.RoomId, RoomIdType: numeric ? 0 : 1, ...(ctx.config.sdkAppId !== undefined && { SdkAppId: ctx.config.sdkAppId }) },
    Window: window,
    Participants: [],
    Series: [],
    Abnormal: [],
    Problems: [],
  };
  const catalog = await loadCatalog();
  const inner: CallExtra = { signal: extra.signal, identity: extra.identity };
  /** One part, read as a direct call would be; a refusal or failure is kept as the tool said it. */
  const read: Read = async (part, tool, toolArgs, opts = {}) => {
    const r = await runTool(ctx, catalog.get(tool)!, toolArgs, { ...inner, answerBytes: opts.bytes });
    if (!r.isError) return (r.structuredContent ?? {}) as Record<string, any>;
    if (!opts.quiet) data.Problems.push({ part, tool, message: r.content.map((c) => (c.type === 'text' ? c.text : '')).filter((t) => !t.startsWith('Sandbox:')).join('\n') });
    return undefined;
  };

  const [rooms, abnormal] = await Promise.all([
    read('call', 'DescribeRoomInfo', { RoomId: input.RoomId, ...window }),
    read('abnormal', 'DescribeUnusualEvent', { RoomId: input.RoomId, ...window }),
  ]);
  for (const x of abnormal?.AbnormalExperienceList ?? []) {
    data.Abnormal.push({ UserId: String(x.UserId ?? ''), Time: int(x.EventTime) ?? window.StartTime, Meaning: String(x.Meaning ?? ''), Causes: (x.AbnormalEventList ?? []).map((e: { Meaning?: string }) => String(e.Meaning ?? '')) });
  }
  const call = input.CommId !== undefined ? { CommId: input.CommId } : rooms?.RoomList?.[0];
  if (call?.CommId) data.Call = { CommId: String(call.CommId), CreateTime: int(call.CreateTime), IsFinished: typeof call.IsFinished === 'boolean' ? call.IsFinished : undefined };
  if (data.Call) {
    const comm = { CommId: data.Call.CommId, ...window };
    const users = await read('participants', 'DescribeUserInfo', { ...comm, PageSize: 100 });
    // A user without an ID (an answer that broke its documented types) has nothing to show or act on.
    const list: Array<Record<string, any>> = (users?.UserList ?? []).filter((u: { UserId?: unknown }) => typeof u.UserId === 'string');
    // The users still in the call first: they are the ones a moderator acts on.
    const charted = [...new Set([...list.filter((u) => !u.Finished), ...list].map((u) => String(u.UserId)))].slice(0, MAX_CHARTED);
    const [quality, ...events] = await Promise.all([
      charted.length ? read('quality', 'DescribeCallDetailInfo', { ...comm, UserIds: charted, DataType: [...CONSOLE_METRICS] }, { bytes: SERIES_BYTES }) : undefined,
      ...charted.map((UserId) => read('network', 'DescribeUserEvent', { ...comm, RoomId: input.RoomId, UserId })),
    ]);
    const network = new Map(charted.map((u, i) => [u, latestNetwork(events[i], u)]));
    const verdicts = new Map<string, Record<string, any>>((quality?.Summary ?? []).filter((s: { PeerId?: string }) => !s.PeerId).map((s: { UserId: string }) => [s.UserId, s]));
    for (const u of list) {
      const id = String(u.UserId);
      const verdict = verdicts.get(id);
      data.Participants.push({
        UserId: id, JoinTs: int(u.JoinTs), LeaveTs: int(u.LeaveTs), Finished: typeof u.Finished === 'boolean' ? u.Finished : undefined,
        DeviceType: typeof u.DeviceType === 'string' ? u.DeviceType : undefined, Network: network.get(id),
        Verdict: verdict?.Verdict, Why: verdict?.Why,
      });
    }
    for (const s of quality?.Data ?? []) {
      if (s.PeerId) continue;
      const points = (s.Content ?? []).filter((p: { Time?: unknown; Value?: unknown }) => int(p.Time) !== undefined && typeof p.Value === 'number');
      data.Series.push({ UserId: String(s.UserId), DataType: String(s.DataType), Points: points.map((p: { Time: number; Value: number }) => [p.Time, p.Value]) });
    }
  }
  await addBots(ctx, data, numeric, read);
  data.Events = await recentEvents(ctx, input.RoomId, data, extra);
  // The text is a summary, not a mirror of the chart data: the view reads the structured content, and a host that
  // showed this answer to a model anyway would give it the facts in a few lines.
  const structured = redact(consoleOutput.parse(data)) as Record<string, unknown>;
  return withSandboxNote(ctx, { content: [{ type: 'text', text: redactText(summary(data)) }], structuredContent: structured });
}

/**
 * The AI conversation bots this server sent into the room that still run, with their task, so that the view can
 * offer to stop them (a bot may be missing from the call's user list).
 */
async function addBots(ctx: ServerContext, data: ConsoleData, numeric: boolean, read: Read) {
  if (data.Room.SdkAppId === undefined) return;
  const bots = await new Ledger(ctx.store).botsIn(data.Room.SdkAppId, numeric ? 'int' : 'str', data.Room.RoomId).catch(() => []);
  for (const bot of bots.filter((b) => b.describe === 'DescribeAIConversation')) {
    // A task long gone may be unknown to TRTC: that bot is simply not shown.
    const status = (await read('bots', 'DescribeAIConversation', { TaskId: bot.task }, { quiet: true }))?.Status;
    if (status === undefined || status === 'Stopped') continue;
    const seen = data.Participants.find((p) => p.UserId === bot.userId);
    if (seen) seen.BotTaskId = bot.task;
    else data.Participants.push({ UserId: bot.userId, Finished: false, BotTaskId: bot.task });
  }
}

/** Whole numbers as TRTC documents them; anything else it may send is left out rather than failing the view. */
const int = (v: unknown) => (Number.isSafeInteger(v) ? (v as number) : undefined);

/** The network a user's client last reported in the call (DescribeUserEvent's event 1003). */
function latestNetwork(answer: Record<string, any> | undefined, userId: string): string | undefined {
  const own = (answer?.Data ?? []).find((l: { PeerId?: string }) => l.PeerId === userId)?.Content ?? [];
  const last = own.filter((e: { EventId?: number }) => e.EventId === 1003).sort((a: { Time: number }, b: { Time: number }) => b.Time - a.Time)[0];
  return last ? eventMeaning(1003, last.ParamOne ?? -1, -1)?.replace(/^Network (is )?/, '') : undefined;
}

/** The room's latest callback events, read as list_events would read them (its deny list, scope and store). */
async function recentEvents(ctx: ServerContext, room: string, data: ConsoleData, extra: CallExtra): Promise<ConsoleData['Events']> {
  const tool = 'list_events';
  const refused = modeRefusal(ctx.config, { name: tool, effect: 'read' });
  if (refused) {
    data.Problems.push({ part: 'events', tool, message: `Refused: ${refused.why} Nothing was sent.` });
    return undefined;
  }
  const { runEventTool } = await import('../events/tools.js');
  const first = await runEventTool(ctx, tool, { RoomId: room, limit: 1 }, extra);
  const newest = Number((first.structuredContent as { newest?: number } | undefined)?.newest ?? 0);
  // Without callbacks, and none in the store from another process, there are no events to show.
  if (!first.isError && !ctx.events?.receiving && !newest) return undefined;
  if (first.isError) {
    data.Problems.push({ part: 'events', tool, message: String((first.content[0] as { text?: string }).text ?? '') });
    return undefined;
  }
  const r = await runEventTool(ctx, tool, { RoomId: room, after: Math.max(0, newest - 500), limit: 100 }, { ...extra, answerBytes: EVENTS_BYTES });
  const events = ((r.structuredContent as { events?: Array<Record<string, any>> } | undefined)?.events ?? []).slice(-RECENT_EVENTS);
  return events.map((e) => {
    const u = (e.untrusted ?? {}) as Record<string, any>;
    const payload = (u.Payload ?? {}) as Record<string, unknown>;
    const user = payload.UserId ?? u.UserId;
    const text = payload.Text;
    return {
      Time: String(e.occurredAt ?? e.receivedAt), Meaning: String(e.meaning),
      ...(user !== undefined && { UserId: String(user) }), ...(typeof text === 'string' && { Text: text }),
    };
  });
}

/** The text of the data tool's answer: what a model would need if a host showed it one, not the chart data. */
function summary(d: ConsoleData): string {
  const poor = d.Participants.filter((p) => p.Verdict === 'POOR').map((p) => `${p.UserId} POOR (${(p.Why ?? []).join(', ')})`);
  const present = d.Participants.filter((p) => p.Finished === false).map((p) => p.UserId);
  return [
    `Room ${d.Room.RoomId} from ${isoTime(d.Window.StartTime * 1000)} to ${isoTime(d.Window.EndTime * 1000)}${d.Call ? `, call ${d.Call.CommId}` : ', no call in this window'}.`,
    `In the call: ${present.join(', ') || 'nobody'}. ${poor.length ? `${poor.join('; ')}.` : 'Nobody has a poor metric.'} ${d.Abnormal.length} bad experiences; ${d.Series.length} series for the console's charts.`,
    ...d.Problems.map((p) => `Not read (${p.tool}): ${p.message.split('\n')[0]}`),
  ].join('\n');
}
