// Long-running tasks of the sandbox (recording, relay, ingest, AI conversation and transcription, moderation, slicing,
// cloud transcription) and the bots that run them. A task's state is derived from the world's clock and its room's
// history, so a task whose room stayed empty for MaxIdleTime has ended whenever anyone looks; and the task lives on
// that clock by itself too, so that TRTC's callbacks go out when things happen: it ends on time with nobody looking,
// a relay connects to its CDNs, a recorder uploads its files after it leaves, and what cannot work fails the way
// TRTC reports it (a CDN or a source under the reserved .invalid domain never answers; a COS bucket not named
// <name>-<APPID> does not exist).
import { randomBytes } from 'node:crypto';
import type { ToolDef } from '../../tools/define.js';
import { roomKindIn } from '../../tools/room-id.js';
import { verifyUserSig, type UserSigCheck } from '../signing/usersig.js';
import { SandboxError, type HandlerContext } from './handlers/types.js';
import { sliceUrl, subscribed, verdictOf } from './media.js';
import { roomKey, type App, type RoomEvent, type RoomKind, type World } from './world.js';

export type TaskKind = 'recording' | 'relay' | 'ingest' | 'conversation' | 'transcription' | 'moderation' | 'slicing' | 'cloudTranscription';
export type EndReason = 'stopped' | 'idle' | 'replaced' | 'finished' | 'failed';

export interface Task {
  readonly id: string;
  readonly kind: TaskKind;
  readonly sdkAppId: number;
  readonly roomKind: RoomKind;
  readonly roomId: string;
  readonly botUserId: string;
  readonly sessionId?: string;
  readonly startedAt: number;
  /** Seconds the room may stay empty before the task ends by itself. */
  readonly maxIdleS?: number;
  /** A planned end in ms (the MaxDuration of a looping ingest). */
  readonly endsAt?: number;
  endedAt?: number;
  endReason?: EndReason;
  /** Parameters as started and later changed. They hold UserSigs and keys, so they are never returned whole. */
  config: Record<string, any>;
  /** What the task was told after it started (texts to speak, updates). */
  readonly history: Array<{ time: number; action: string; detail?: Record<string, unknown> }>;
  /** Who was in the room at the start, and where the room's later events begin in the app's history. */
  readonly usersAtStart: readonly string[];
  readonly eventsFrom: number;
}

export type TaskSpec = Pick<Task, 'kind' | 'roomKind' | 'roomId' | 'botUserId' | 'sessionId' | 'maxIdleS' | 'endsAt' | 'config'> & { id?: string };

/** What a task did that the outside world hears of (TRTC's callbacks report these). */
export type TaskNews =
  | { what: 'started' }
  | { what: 'ended' }
  /** A recorder could not start uploading to its storage (a bucket that does not exist). */
  | { what: 'upload-failed' }
  /** A recorder that left finished with its files (failed: they did not reach the storage). */
  | { what: 'uploaded'; failed: boolean }
  /** A relay's connection to one CDN address changed state (TRTC's PUBLISH_CDN_STREAM_STATE_* values). */
  | { what: 'cdn'; url: string; status: 0 | 1 | 2 | 3 | 4 | 5; error?: { code: number; message: string } }
  /** An ingest started playing (0), failed to start (1), or is starting again (2). */
  | { what: 'ingest'; status: 0 | 1 | 2 }
  /** A bot heard a user's sentence; the times are ms from the task's start. */
  | { what: 'heard'; userId: string; text: string; roundId: string; startMs: number; endMs: number }
  /** A conversation bot said something: its answer, or a text the server pushed. */
  | { what: 'spoke'; text: string; roundId: string };
export type TaskListener = (task: Task, news: TaskNews) => void;

/** How long an ended task is still described in its end state (Exited, Stopped) before it is forgotten. */
export const ENDED_VISIBLE_MS = 60_000;

/** How long what TRTC does in the background takes in the sandbox, on the world's clock. */
export const SANDBOX_DELAYS = {
  /** A relay's connection to a CDN, or a retry of an ingest that failed to start. */
  connectMs: 500,
  /** A recorder's upload of its files once it left the room. */
  uploadMs: 1_000,
};
/** An ingest gives up after this many failed starts (TRTC's docs: after three, check the source). */
const INGEST_TRIES = 3;

/** Hosts under the reserved .invalid domain never resolve (RFC 2606): a CDN or source there cannot be reached. */
export const unreachable = (url: unknown) => {
  try {
    return new URL(String(url)).hostname.endsWith('.invalid');
  } catch {
    return true;
  }
};

/** The host an address names, for a message; an address that does not parse is named whole. */
const hostOf = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return JSON.stringify(url);
  }
};

/** A COS bucket is named <name>-<APPID>; one that is not cannot exist, and uploads to it fail. */
export const missingBucket = (storage: Record<string, any> | undefined) => {
  const cos = storage?.CloudStorage;
  return cos !== undefined && cos.Vendor === 0 && !/^[a-z0-9][a-z0-9-]*-\d{10}$/.test(String(cos.Bucket));
};

export class TaskBook {
  private readonly tasks = new Map<string, Task>();
  /** UserSigs issued outside the sandbox that it accepts as they are: "sdkAppId\nuserId\nuserSig". */
  private readonly issued = new Set<string>();
  private readonly listeners: TaskListener[] = [];
  /** The timer that ends each running task when its room has been empty long enough, or its planned end comes. */
  private readonly endTimers = new Map<string, () => void>();

  constructor(private readonly world: World) {
    // Who is in a room decides when its tasks end by themselves: every change there moves their timers.
    world.onEvent((app, e) => {
      for (const t of this.tasks.values()) if (t.endedAt === undefined && t.sdkAppId === app.sdkAppId && t.roomKind === e.kind && t.roomId === String(e.roomId)) this.timeEnd(t);
    });
  }

  onChange(listener: TaskListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners what a task did. */
  announce(task: Task, news: TaskNews): void {
    for (const listener of this.listeners) listener(task, news);
  }

  start(app: App, spec: TaskSpec): Task {
    const room = this.world.room(app, spec.roomKind, spec.roomId);
    const task: Task = {
      ...spec,
      id: spec.id ?? randomBytes(24).toString('base64url'),
      sdkAppId: app.sdkAppId,
      startedAt: this.world.now(),
      history: [],
      usersAtStart: room ? [...room.users.keys()] : [],
      eventsFrom: app.events.length,
    };
    this.tasks.set(task.id, task);
    this.announce(task, { what: 'started' });
    this.live(task);
    this.timeEnd(task);
    return task;
  }

  /** A task of this app (running or ended), brought up to the present; undefined if it never existed here. */
  find(app: App, id: string): Task | undefined {
    const task = this.tasks.get(id);
    if (!task || task.sdkAppId !== app.sdkAppId) return undefined;
    this.settle(task);
    return task;
  }

  /** Tasks of this app that match, running or ended, oldest first. */
  all(app: App, match: (t: Task) => boolean): Task[] {
    const found = [...this.tasks.values()].filter((t) => t.sdkAppId === app.sdkAppId && match(t));
    for (const t of found) this.settle(t);
    return found;
  }

  /** Running tasks of this app that match. */
  running(app: App, match: (t: Task) => boolean): Task[] {
    return this.all(app, match).filter((t) => t.endedAt === undefined);
  }

  /** Running tasks whose bot is this user in this room: a bot's user ID must be its own. */
  runningBots(app: App, roomKind: RoomKind, roomId: string, botUserId: string): Task[] {
    return this.running(app, (t) => t.roomKind === roomKind && t.roomId === roomId && t.botUserId === botUserId);
  }

  /** Whether a task is still described: it runs, or it ended moments ago. */
  visible(task: Task): boolean {
    return task.endedAt === undefined || this.world.now() - task.endedAt <= ENDED_VISIBLE_MS;
  }

  end(task: Task, reason: EndReason): void {
    if (task.endedAt !== undefined) return;
    task.endedAt = this.world.now();
    task.endReason = reason;
    this.finish(task);
  }

  /** The app of the task or thing that a request without SdkAppId names (some actions address tasks by TaskId alone). */
  ownerOf(params: Record<string, unknown>): number {
    const id = params.TaskId;
    if (typeof id !== 'string' || !id) throw new SandboxError('MissingParameter', 'Pass TaskId, or SdkAppId with SessionId.');
    const owner = this.tasks.get(id)?.sdkAppId ?? this.world.things.ownerOf(id);
    if (owner === undefined) throw new SandboxError('FailedOperation.TaskNotExist', `Task ${id} does not exist.`);
    return owner;
  }

  /** Accepts a UserSig made elsewhere, such as the placeholders in documentation examples, which no key can verify. */
  acceptUserSig(sdkAppId: number, userId: string, userSig: string): void {
    this.issued.add(`${sdkAppId}\n${userId}\n${userSig}`);
  }

  /** Why this UserSig would not let a bot of this app in, or undefined when it would. */
  userSigProblem(app: App, userId: string, userSig: string): string | undefined {
    if (this.issued.has(`${app.sdkAppId}\n${userId}\n${userSig}`)) return undefined;
    const check = verifyUserSig(userSig, { sdkAppId: app.sdkAppId, secretKey: app.sdkSecretKey, userId, now: this.world.now() });
    return check.ok ? undefined : SIG_PROBLEMS[check.reason];
  }

  /** Who is in the task's room now, and everyone who was there while the task ran. */
  occupancy(task: Task): { present: Set<string>; everyone: Set<string> } {
    const present = new Set(task.usersAtStart);
    const everyone = new Set(present);
    for (const e of this.roomEvents(task)) {
      applyEvent(e, present);
      if (e.type === 'join' && e.userId) everyone.add(e.userId);
    }
    return { present, everyone };
  }

  /**
   * Plain JSON for the world view, without configurations (they hold secrets). Moderation verdicts and slices are
   * shown here: Tencent delivers them by callback, not in any answer.
   */
  snapshot() {
    return [...this.tasks.values()].map((t) => {
      this.settle(t);
      const results = RESULTS[t.kind]?.(this, t);
      return {
        taskId: t.id, kind: t.kind, sdkAppId: t.sdkAppId, roomId: t.roomId, roomKind: t.roomKind, botUserId: t.botUserId,
        running: t.endedAt === undefined, endReason: t.endReason, ...(results !== undefined ? { results } : {}),
      };
    });
  }

  now(): number {
    return this.world.now();
  }

  /** Users who were in the task's room while it ran, with when the task first saw them, earliest first. */
  attendees(task: Task): Array<{ userId: string; at: number }> {
    const joined = new Map(task.usersAtStart.map((u) => [u, task.startedAt]));
    for (const e of this.roomEvents(task)) if (e.type === 'join' && e.userId && !joined.has(e.userId)) joined.set(e.userId, e.time);
    const end = task.endedAt ?? this.world.now();
    return [...joined].filter(([, at]) => at <= end).map(([userId, at]) => ({ userId, at }));
  }

  /** The sentences the task's bot heard while it ran, in order. */
  heard(task: Task): Array<{ userId: string; text: string; at: number }> {
    const end = task.endedAt ?? this.world.now();
    return [...this.roomEvents(task)]
      .filter((e) => e.type === 'speech' && e.userId && e.time <= end && hears(task, e.userId))
      .map((e) => ({ userId: e.userId!, text: String(e.detail?.text ?? ''), at: e.time }));
  }

  private *roomEvents(task: Task): Generator<RoomEvent> {
    const app = this.world.apps.get(task.sdkAppId);
    for (const e of app?.events.slice(task.eventsFrom) ?? []) {
      if (e.kind === task.roomKind && String(e.roomId) === task.roomId) yield e;
    }
  }

  /** Ends a task whose room stayed empty for MaxIdleTime, or whose planned end has come. */
  private settle(task: Task): void {
    if (task.endedAt !== undefined) return;
    const end = Math.min(this.idleEnd(task) ?? Infinity, task.endsAt ?? Infinity);
    if (end <= this.world.now()) {
      task.endedAt = end;
      task.endReason = end === task.endsAt ? 'finished' : 'idle';
      this.finish(task);
    }
  }

  /** Sets the timer that ends a running task by itself, at the time its room's history says. */
  private timeEnd(task: Task): void {
    this.endTimers.get(task.id)?.();
    this.endTimers.delete(task.id);
    if (task.endedAt !== undefined) return;
    const end = Math.min(this.idleEnd(task) ?? Infinity, task.endsAt ?? Infinity);
    if (end === Infinity) return;
    this.endTimers.set(task.id, this.world.later(end - this.world.now() + 1, () => {
      this.settle(task);
      this.timeEnd(task);
    }));
  }

  /** What a task does by itself once started, on the world's clock, as TRTC reports it. */
  private live(task: Task): void {
    const running = (fn: () => void) => () => void (task.endedAt === undefined && fn());
    const { connectMs } = SANDBOX_DELAYS;
    if (task.kind === 'recording' && missingBucket(task.config.StorageParams)) {
      this.world.later(connectMs, running(() => this.announce(task, { what: 'upload-failed' })));
    }
    if (task.kind === 'relay') for (const url of cdnUrls(task.config)) this.connect(task, url);
    if (task.kind === 'ingest') {
      if (!unreachable(task.config.StreamUrl)) return this.announce(task, { what: 'ingest', status: 0 });
      // A source that cannot be reached: the start fails, is tried again, and the task gives up.
      const attempt = (n: number) => {
        this.announce(task, { what: 'ingest', status: 1 });
        if (n >= INGEST_TRIES) return this.end(task, 'failed');
        this.world.later(connectMs, running(() => {
          this.announce(task, { what: 'ingest', status: 2 });
          attempt(n + 1);
        }));
      };
      attempt(1);
    }
  }

  /** A task ended: what follows, as TRTC reports it (the recorder uploads, the relay lets go of its CDNs). */
  private finish(task: Task): void {
    this.endTimers.get(task.id)?.();
    this.endTimers.delete(task.id);
    this.announce(task, { what: 'ended' });
    if (task.kind === 'recording') {
      this.world.later(SANDBOX_DELAYS.uploadMs, () => this.announce(task, { what: 'uploaded', failed: missingBucket(task.config.StorageParams) }));
    }
    if (task.kind === 'relay') for (const url of cdnUrls(task.config)) this.disconnect(task, url);
  }

  /** A relay connects to one more CDN address: it publishes there a moment later, or fails to reach it. */
  connect(task: Task, url: string): void {
    this.announce(task, { what: 'cdn', url, status: 1 });
    this.world.later(SANDBOX_DELAYS.connectMs, () => {
      if (task.endedAt !== undefined) return;
      if (!unreachable(url)) return this.announce(task, { what: 'cdn', url, status: 2 });
      this.announce(task, { what: 'cdn', url, status: 4, error: { code: -1, message: `could not connect to ${hostOf(url)}` } });
      this.announce(task, { what: 'cdn', url, status: 0 });
    });
  }

  /** A relay lets go of one CDN address (one it never reached has let go already). */
  disconnect(task: Task, url: string): void {
    if (unreachable(url)) return;
    this.announce(task, { what: 'cdn', url, status: 5 });
    this.announce(task, { what: 'cdn', url, status: 0 });
  }

  private idleEnd(task: Task): number | undefined {
    if (!task.maxIdleS) return undefined;
    const limit = task.maxIdleS * 1000;
    const present = new Set(task.usersAtStart);
    let emptySince = present.size ? undefined : task.startedAt;
    for (const e of this.roomEvents(task)) {
      if (emptySince !== undefined && e.time - emptySince >= limit) return emptySince + limit;
      applyEvent(e, present);
      emptySince = present.size ? undefined : (emptySince ?? e.time);
    }
    return emptySince === undefined ? undefined : emptySince + limit;
  }
}

/** The CDN addresses a relay's settings publish to. */
export const cdnUrls = (config: Record<string, any>): string[] => (config.PublishCdnParams ?? []).map((p: { PublishCdnUrl: string }) => p.PublishCdnUrl);

function applyEvent(e: RoomEvent, present: Set<string>): void {
  if (e.type === 'join' && e.userId) present.add(e.userId);
  else if ((e.type === 'leave' || e.type === 'kicked') && e.userId) present.delete(e.userId);
  else if (e.type === 'dismissed' || e.type === 'closed') present.clear();
}

const SIG_PROBLEMS: Record<Extract<UserSigCheck, { ok: false }>['reason'], string> = {
  malformed: 'is not a valid UserSig',
  sdkappid: 'was issued for another SdkAppId',
  identifier: 'was issued for another user',
  expired: 'has expired',
  signature: "is not signed with this app's SDK secret key",
};

/** The kind of room a task request names, by its action's RoomIdType (whose values differ between actions). */
export function taskRoomKind(def: ToolDef, params: Record<string, unknown>): RoomKind {
  return roomKindIn(def.input.shape, params) ?? 'int';
}

/** Verifies a bot's UserSig with the app's SDK secret key; `code` is the error the action documents for it. */
export function checkBotSig(ctx: HandlerContext, code: string, field: string, userId: string, userSig: string): void {
  const problem = ctx.world.tasks.userSigProblem(ctx.app, userId, userSig);
  if (problem) throw new SandboxError(code, `The UserSig in ${field} ${problem}.`);
}

/** The task a request names, if this app has it and it is still described; `code` is the documented not-found error. */
export function describedTask(ctx: HandlerContext, kind: TaskKind, code: string): Task {
  const task = ctx.world.tasks.find(ctx.app, ctx.params.TaskId);
  if (!task || task.kind !== kind || !ctx.world.tasks.visible(task)) throw new SandboxError(code, `Task ${ctx.params.TaskId} does not exist in app ${ctx.app.sdkAppId}.`);
  return task;
}

/** The running task a request names; `code` is the documented error for a missing or ended one. */
export function runningTask(ctx: HandlerContext, kind: TaskKind, code: string): Task {
  const task = describedTask(ctx, kind, code);
  if (task.endedAt !== undefined) throw new SandboxError(code, `Task ${task.id} has already ended.`);
  return task;
}

/**
 * A task of a bot started with ResourceExpiredHour (recording, moderation, slicing): it can be addressed only within
 * that many hours of its start (`hours` when the request left it out).
 */
export function addressableTask(ctx: HandlerContext, kind: TaskKind, running: boolean, hours: number): Task {
  const task = (running ? runningTask : describedTask)(ctx, kind, 'ResourceNotFound');
  if (ctx.world.now() > task.startedAt + (task.config.ResourceExpiredHour ?? hours) * 3_600_000) {
    throw new SandboxError('ResourceNotFound', `Task ${task.id} is past its ResourceExpiredHour and can no longer be addressed.`);
  }
  return task;
}

/** A bot task's status: Idle while its room is empty, InProgress while someone is there, Exited once it ended. */
export function botStatus(ctx: HandlerContext, task: Task): 'Idle' | 'InProgress' | 'Exited' {
  return task.endedAt !== undefined ? 'Exited' : ctx.world.tasks.occupancy(task).present.size ? 'InProgress' : 'Idle';
}

/** The most clips or frames of one user the world view lists (the latest ones). */
const SLICES_SHOWN = 5;

/** What a task has produced so far, by kind: what Tencent would report by callback. */
const RESULTS: Partial<Record<TaskKind, (book: TaskBook, task: Task) => unknown>> = {
  moderation(book, task) {
    const verdicts = book.heard(task).map((h) => ({ UserId: h.userId, RoomId: task.roomId, Time: new Date(h.at).toISOString(), AudioText: h.text, ...verdictOf(h.text) }));
    return { verdicts: task.config.ModerationParams.CallbackAllResults === 1 ? verdicts.filter((v) => v.Suggest > 0) : verdicts };
  },
  slicing(book, task) {
    const p = task.config.SliceParams;
    const type = p.SliceType ?? 1;
    const end = task.endedAt ?? book.now();
    const files = book.attendees(task).flatMap((u) => {
      const series = (kind: 'audios' | 'images', every: number, ext: string) => {
        if (!subscribed(p.SubscribeStreamUserIds, u.userId, kind === 'audios' ? 'Audio' : 'Video')) return [];
        const count = Math.floor((end - u.at) / (every * 1000)) + 1;
        return Array.from({ length: Math.min(count, SLICES_SHOWN) }, (_, i) => u.at + (count - Math.min(count, SLICES_SHOWN) + i) * every * 1000).map((at) =>
          sliceUrl(task.config.SliceStorageParams?.CloudSliceStorage, { taskId: task.id, userId: u.userId, sdkAppId: task.sdkAppId, roomId: task.roomId, kind, at, ext }),
        );
      };
      return [...(type !== 2 ? series('audios', p.SliceAudio ?? 15, 'ogg') : []), ...(type !== 1 ? series('images', p.SliceVideo ?? 5, 'png') : [])];
    });
    return { files: files.filter((f): f is string => f !== undefined) };
  },
  cloudTranscription: (book, task) => ({ lines: book.heard(task).map((h) => ({ UserId: h.userId, Time: new Date(h.at).toISOString(), Text: h.text })) }),
};

const listed = (list: Array<{ UserId: string }> | undefined, id: string) => list?.some((u) => u.UserId === id) ?? false;

/** Whether this task's bot hears what this user says (AI bots, moderation and cloud transcription listen). */
export function hears(task: Task, userId: string): boolean {
  if (userId === task.botUserId) return false;
  const c = task.config;
  switch (task.kind) {
    case 'conversation':
      return c.AgentConfig?.TargetUserId === userId;
    case 'transcription':
      return (c.TranscriptionParams?.TranscriptionMode ?? 0) === 0 || c.TranscriptionParams?.TargetUserId === userId;
    case 'moderation':
      return (c.ModerationParams.ModerationType ?? 1) !== 2 && subscribed(c.ModerationParams.SubscribeStreamUserIds, userId, 'Audio');
    case 'cloudTranscription': {
      const p = c.TranscriptionParam;
      return (!p.SubscribeList?.length || listed(p.SubscribeList, userId)) && !listed(p.UnSubscribeList, userId);
    }
    default:
      return false;
  }
}

/**
 * Plays the room's script to a bot that just started: each line it hears, after its delay, if its speaker is still
 * there. A line without a delay is heard as the bot starts, so the first read of the conversation shows it.
 */
export function playScript(world: World, app: App, task: Task): void {
  const id = task.roomKind === 'int' ? Number(task.roomId) : task.roomId;
  for (const line of app.scripts.get(roomKey(task.roomKind, id)) ?? []) {
    if (!hears(task, line.userId)) continue;
    const say = () => {
      const room = world.room(app, task.roomKind, id);
      if (task.endedAt === undefined && room?.users.has(line.userId)) world.say(app, room, line.userId, line.says);
    };
    if (line.afterSeconds > 0) world.later(line.afterSeconds * 1000, say);
    else say();
  }
}
