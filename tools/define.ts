// The shape of a catalog entry. The catalog is data: nothing under tools/ performs I/O.
import type { z } from 'zod';
import type { TimeWindow } from './time.js';
import type { RoomKind } from './room-id.js';

/** read: changes nothing; write: changes state and can be undone or redone; destructive: ends or removes something. */
export type Effect = 'read' | 'write' | 'destructive';

const RANK: Record<Effect, number> = { read: 0, write: 1, destructive: 2 };
export const worstEffect = (...effects: Effect[]): Effect => effects.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'read');

/** One argument pattern and what a call with it does. */
export interface EffectRule {
  /** The pattern in words, as the docs show it. */
  when: string;
  effect: Effect;
  test(args: Record<string, any>): boolean;
}

/** The effect of a call as a function of its arguments, carrying its patterns so that the docs can list them. */
export interface EffectOf {
  (args: Record<string, any>): Effect;
  /** Checked in order; the first that matches decides. */
  readonly rules: readonly EffectRule[];
  /** The effect when no pattern matches. */
  readonly otherwise: Effect;
}

export function effectByArgs(otherwise: Effect, ...rules: EffectRule[]): EffectOf {
  const fn = (args: Record<string, any>) => rules.find((r) => r.test(args))?.effect ?? otherwise;
  return Object.assign(fn, { rules, otherwise });
}

/**
 * What a call can name instead of (or besides) a room: a task, a call, a PK battle, a call record (CommId), an AI
 * task's SessionId, or a bot user in a room. Scope resolves each to the app and rooms it belongs to.
 */
export type TargetKind = 'task' | 'call' | 'battle' | 'comm' | 'conversation-session' | 'transcription-session' | 'bot';
export interface TargetRef {
  kind: TargetKind;
  id: string;
}

/** Where a target lives: its app and every room it acts in. */
export interface Placement {
  app: number;
  rooms: string[];
  /** The kind of each room that is known (numeric 1234 and string "1234" are different rooms); absent: unknown. */
  kinds?: Partial<Record<string, RoomKind>>;
}

/** Something a successful call started, which later calls may name. */
export interface Started {
  ref: TargetRef;
  rooms: string[];
  /** For a task: the bot user it put in its room (a bot ID is unique in its room). */
  bot?: TargetRef;
}

/** How a read finds out where a target lives, when the ledger of what this server started does not know it. */
export interface Locator {
  kind: TargetKind;
  /**
   * Agent-form arguments of this tool that may find the target, tried in order until one does; each step is
   * given the previous answer. `call` holds the wire arguments and app of the call that names the target.
   */
  requests(id: string, call: { app: number | undefined; wire: Record<string, any> }): Generator<Record<string, unknown>, void, Record<string, any>>;
  /** The rooms of the target if this answer shows it. */
  rooms(response: Record<string, any>, id: string): string[] | undefined;
  /** The kind of those rooms, when the answer tells it. */
  roomKind?(response: Record<string, any>): RoomKind | undefined;
}

/** What a job's read says of it: waiting (for someone to join, for its start), running, or over. */
export type JobState = 'waiting' | 'running' | 'ended';

/**
 * A job that lives on after the call that starts it (a recording, an AI bot, a relay...): how it is followed to its
 * end and how it is ended. A client that follows tasks gets the call answered as one (src/jobs/).
 */
export interface JobSpec {
  /** What it is, in words for status messages: "AI conversation", "recording". */
  noun: string;
  /** TRTC's callback group that reports it; absent when none does (its read alone follows it). */
  group?: number;
  /** The read that tells whether it still runs, and what its answer means. Absent: TRTC offers none. */
  describe?: { tool: string; state(answer: Record<string, any>): { state: JobState; words: string } };
  /** The action that ends it. */
  stop: string;
  /** Named by its room (a room's mix), not by the TaskId of the start's answer. */
  byRoom?: boolean;
}

/** A bot user a call sends into a room. */
export interface BotEntry {
  roomKind: 'int' | 'str';
  room: string;
  userId: string;
}

/** Rows of an answer that each belong to a room. */
export interface RoomRows {
  /** Keeps the rows `keep` accepts and says how many were left out. */
  filter(response: Record<string, any>, keep: (room: string, kind?: RoomKind) => boolean): { response: Record<string, any>; leftOut: number };
}

export const TOOLSETS = [
  'room', 'record', 'relay', 'ingest', 'ai', 'quality', 'usage',
  'moderation', 'slice', 'webrecord', 'transcription', 'speech', 'mix',
  'live', 'seat', 'pk', 'call', 'conference', 'events',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** What each toolset is for, in a line: search_tools shows these when no tool matches a request well. */
export const TOOLSET_ABOUT: Record<Toolset, string> = {
  room: 'Mute, unmute and remove users; close rooms',
  record: 'Cloud recording of rooms to VOD or COS',
  relay: 'Relay or mix a room to CDNs (RTMP) and other rooms',
  ingest: 'Play an online media file or stream into a room',
  ai: 'AI conversation bots and live transcription bots',
  quality: 'Call history, who was in a call, quality metrics, bad experiences, dashboards',
  usage: 'Billed minutes and usage statistics',
  moderation: 'Content moderation bots for rooms and live streams',
  slice: 'Bots that save audio clips and video frames of a room',
  webrecord: 'Record a web page as video',
  transcription: 'Transcription and translation bots, hot-word vocabularies (China site)',
  speech: 'Text to speech, voice cloning, voiceprints',
  mix: 'Mix a room into one live stream; mixing pictures (China site)',
  live: 'TUILiveKit live rooms: members, bans, chat messages, metadata, robots, gifts',
  seat: 'Seats (mics) in live and conference rooms',
  pk: 'PK battles between live rooms',
  call: 'TUICallKit calls: ring users, hang up, call records',
  conference: 'TUIRoomKit conference rooms: members, bans, roles, robots',
  events: "TRTC's event callbacks: users entering and leaving, recordings, AI sentences",
};

/**
 * Each toolset in a few words of Chinese, the words its tools are found by: search_tools shows these instead when a
 * request in Chinese matches no tool well, so that searching again with them works.
 */
export const TOOLSET_ABOUT_ZH: Record<Toolset, string> = {
  room: '静音、踢人、解散房间',
  record: '云端录制、停止录制、录制文件',
  relay: '旁路推流、转推CDN、停止转推',
  ingest: '播放背景音乐、输入在线媒体流',
  ai: 'AI对话机器人、实时字幕',
  quality: '通话质量、丢包率、异常体验、在线人数',
  usage: '用量、账单、录制用量',
  moderation: '内容审核、直播流审核',
  slice: '截图、音频切片',
  webrecord: '页面录制、录制网页',
  transcription: '云端转录、实时翻译、热词表',
  speech: '语音合成、声音克隆、声纹',
  mix: '云端混流、水印图片',
  live: '直播间、观众列表、弹幕、礼物',
  seat: '麦位、上麦、下麦',
  pk: '主播PK、PK比分',
  call: '拨打电话、挂断电话、呼叫记录',
  conference: '创建会议、参会人员、踢出会议',
  events: '事件回调、进房事件',
};

/** Tencent Cloud's two sites: the international one (trtc.intl.tencentcloudapi.com) and the China one (trtc.tencentcloudapi.com). */
export const SITES = ['intl', 'cn'] as const;
export type Site = (typeof SITES)[number];
export const SITE_NAMES: Record<Site, string> = { intl: 'the international site', cn: 'the China site' };

/** Regions that hold on both sites, or per site where the sites' docs differ. */
export type Regions = readonly string[] | { readonly [S in Site]?: readonly string[] };

/** TRTC Cloud API 3.0 (TC3-signed JSON over HTTPS). */
export interface CloudApi {
  kind: 'cloud';
  action: string;
  version: '2019-07-22';
  /** Regions the action is served in; undefined (or a site left out) when the docs name none. */
  regions?: Regions;
  /** The sites that document the action; undefined means both. */
  sites?: readonly Site[];
  /** The action's own domain, when it is not served at the site's usual one (streamed answers). */
  hosts?: { readonly [S in Site]?: string };
}

/** Whether the action is offered on this site. */
export const servedOn = (api: CloudApi | RestApi, site: Site): boolean => api.kind !== 'cloud' || !api.sites || api.sites.includes(site);

/** The regions the action is served in on this site, or undefined when the docs name none. */
export function regionsOn(api: CloudApi, site: Site): readonly string[] | undefined {
  const r = api.regions;
  return r === undefined || Array.isArray(r) ? (r as readonly string[] | undefined) : (r as { [S in Site]?: readonly string[] })[site];
}

/** IM-style REST API (`/v4/{service}/{command}`, admin UserSig in the query string). */
export interface RestApi {
  kind: 'rest';
  service: string;
  command: string;
}

/** What a definition's hooks may use; the server provides it per call. Hooks stay pure. */
export interface WireEnv {
  /** The app this call addresses (after defaults are filled). */
  sdkAppId: number | undefined;
  /** Current time in ms. */
  now(): number;
  /** A short-lived UserSig for a user of this app; absent when no SDK secret key is configured. */
  mintUserSig?(userId: string): string;
  /** Operator-configured LLM and TTS configurations by name, so that agents name them instead of passing keys. */
  profiles?: AiProfiles;
  /** For `present`: the most JSON this call's answer may carry, so that a summary can choose what fits. */
  answerBytes?: number;
}

export type AiProfiles = Readonly<Record<'llm' | 'tts', Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

/** Thrown by a hook to reject arguments before anything is sent. */
export class ArgumentError extends Error {
  constructor(readonly field: string, readonly rule: string) {
    super(`${field}: ${rule}`);
  }
}

/** A response shaped for the agent: structured output (matching `output`) and notes for the text block. */
export interface Presented {
  structured: Record<string, unknown>;
  notes?: string[];
}

/** How an action pages its rows (zero-based page number and a page size on the wire). */
export interface PagingSpec {
  pageField: string;
  sizeField: string;
  /** Rows per page when the size is not sent. */
  defaultSize: number;
  /** The largest size the action accepts (it may depend on other wire parameters). */
  maxSize: number | ((wire: Record<string, unknown>) => number);
  /** Response arrays that hold the rows; the first one is counted against the page size. */
  rows: readonly [string, ...string[]];
  /** Response field with the number of matching rows, when the action reports one. */
  total?: string;
}

export interface ToolDef {
  /** MCP tool name: the Cloud API action name, or a short snake_case name for REST commands. */
  name: string;
  toolset: Toolset;
  /** What the tool can do at worst; the annotations show it. */
  effect: Effect;
  /**
   * The effect of a call with these (validated, agent-facing) arguments, when it depends on them: never worse
   * than `effect`. The pipeline asks consent by this; the docs list the patterns. Absent: always `effect`.
   */
  effectOf?: EffectOf;
  /** The bot user this call sends into a room: starting it where a task of this server still runs with that bot ends that task. */
  bot?(args: Record<string, any>): BotEntry;
  /** Whether a describe answer says its task still runs (on the read that describes a kind of task). */
  running?(response: Record<string, any>): boolean;
  /** Targets named by ID rather than by room (TaskId, CallId, BattleId, CommId, SessionId). */
  targets?(args: Record<string, any>): TargetRef[];
  /** What a successful call started, for the ledger. */
  started?(response: Record<string, any>, args: Record<string, any>): Started[];
  /** On a start whose job outlives the call: how to follow it and end it. */
  job?: JobSpec;
  /** On a read that can tell where targets of one kind live. */
  locates?: Locator;
  /** On a read whose answer lists rows of several rooms. */
  roomRows?: RoomRows;
  /** The (dotted) argument that names the room, when a call may leave it out and let the service pick one. */
  roomArgument?: string;
  /** Whether repeating the call with the same arguments has no further effect. */
  idempotent: boolean;
  /** Documented request rate limit, in requests per second. */
  rateLimit: number;
  description: string;
  /**
   * A few plain words operators use for what the tool does ("kick", "captions", "bill"), which search_tools matches
   * besides the name and description; in English and in Chinese (Tencent's own Chinese title of the action first),
   * the Chinese with a space between words ("解散 房间"). Never listed to clients.
   */
  aliases?: readonly string[];
  /** Wire parameters, faithful to the docs. The tool's input schema is derived from it. */
  input: z.ZodObject;
  /** Documented response fields. */
  output: z.ZodObject;
  /** Action-specific error codes from the docs. */
  errors: readonly string[];
  api: CloudApi | RestApi;
  /** When consent is asked of a human, they type this argument's value back (e.g. the room to dismiss). */
  confirmField?: string;
  /** Agent-facing arguments, when they differ from the wire parameters (friendlier types, secrets by reference). */
  agentInput?: z.ZodObject;
  /** Turns validated agent arguments into wire parameters. */
  toWire?(args: Record<string, any>, env: WireEnv): Record<string, unknown>;
  /** Shapes a successful response; the default returns it as it came. */
  present?(response: Record<string, any>, args: Record<string, any>, env: WireEnv): Presented;
  /** Set when the action pages: results say whether more rows exist and how to get them. */
  paging?: PagingSpec;
  /** The documented time window of StartTime/EndTime (checked before sending, enforced by the sandbox). */
  window?: TimeWindow;
  /**
   * Set when the docs let SdkAppId be left out to cover every app under the account. Agents ask for that with
   * AllApps true (leaving SdkAppId out otherwise means the configured app).
   */
  accountWide?: boolean;
  /**
   * Set when what the tool acts on belongs to the whole account, not to an app (voiceprints): under --allow-apps it
   * is refused unless the operator allows account-wide targets.
   */
  ownedByAccount?: boolean;
  /** How to ask for less when an answer is too big to return whole. */
  narrow?: string;
  /**
   * Where the answer holds time series (a path to lists of points in time order, e.g. Data[].Content). A default
   * answer thins them to fit, keeping peaks and dips; the server adds the agent-only RawSeries for every point.
   */
  series?: string;
  /**
   * Answer fields carried whole whatever their size, because a part of them is of no use (synthesised audio); the
   * answer budget applies to everything else.
   */
  whole?: readonly string[];
}

type Shared = Pick<ToolDef, 'toolset' | 'effect' | 'rateLimit' | 'description' | 'input' | 'output'> &
  Partial<Pick<ToolDef, 'aliases' | 'effectOf' | 'idempotent' | 'errors' | 'confirmField' | 'agentInput' | 'toWire' | 'present' | 'paging' | 'window' | 'narrow' | 'series' | 'whole'
    | 'accountWide' | 'ownedByAccount' | 'bot' | 'running' | 'targets' | 'started' | 'job' | 'locates' | 'roomRows' | 'roomArgument'>>;

/** Writes are not idempotent unless they say so; reads and what ends something are (judged by a call's usual effect). */
const idempotentByDefault = (effect: Effect) => effect !== 'write';

export function cloudAction(spec: Shared & { action: string } & Partial<Pick<CloudApi, 'regions' | 'sites' | 'hosts'>>): ToolDef {
  const { action, regions, sites, hosts, ...rest } = spec;
  return {
    name: action,
    idempotent: idempotentByDefault(spec.effectOf?.otherwise ?? spec.effect),
    errors: [],
    ...rest,
    api: { kind: 'cloud', action, version: '2019-07-22', regions, ...(sites && { sites }), ...(hosts && { hosts }) },
  };
}

export function restCommand(spec: Shared & { name: string; service: string; command: string }): ToolDef {
  const { service, command, ...rest } = spec;
  return {
    idempotent: idempotentByDefault(spec.effectOf?.otherwise ?? spec.effect),
    errors: [],
    ...rest,
    api: { kind: 'rest', service, command },
  };
}

/** Rows of the array `list` whose member `room` names their room, of the given kind when the API says it. */
export function roomRows(list: string, room: string, kind?: RoomKind): RoomRows {
  return {
    filter(response, keep) {
      const rows = response[list];
      if (!Array.isArray(rows)) return { response, leftOut: 0 };
      const kept = rows.filter((row) => keep(String(row?.[room] ?? ''), kind));
      return { response: { ...response, [list]: kept }, leftOut: rows.length - kept.length };
    },
  };
}
