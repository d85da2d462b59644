// The sandbox's event callbacks: what happens in its world, POSTed to a callback URL the way TRTC does it, with
// TRTC's headers (Sign, SdkAppId), groups, types and field names, and its retry schedule: a failed callback is
// retried at once, then every 10 s, until a minute after the first try. An answer other than HTTP 200 within 5 s
// is a failure.
import http from 'node:http';
import https from 'node:https';
import { signCallback } from '../events/signature.js';
import { recordingFiles } from './handlers/record.js';
import type { Task, TaskNews } from './tasks.js';
import { blocks, type App, type RoomEvent, type World } from './world.js';

export interface CallbackTarget {
  url: string;
  /** The callback key both sides know; the body's signature is computed with it. */
  key: string;
}

export interface RetrySchedule {
  /** An attempt without an HTTP 200 answer within this long has failed. */
  timeoutMs: number;
  /** Between retries after the first, immediate one. */
  intervalMs: number;
  /** No attempt starts this long after the first. */
  giveUpMs: number;
}

/** TRTC's schedule, from its callback pages. */
export const TRTC_RETRY: RetrySchedule = { timeoutMs: 5_000, intervalMs: 10_000, giveUpMs: 60_000 };

export interface CallbackStats {
  /** Callbacks handed to the sender. */
  queued: number;
  delivered: number;
  /** Given up on after the schedule ran out. */
  failed: number;
  /** Attempts after the first, summed over every callback. */
  retries: number;
}

/** One callback as sent: kept (the latest few thousand) so that tests can see exactly what went out. */
export interface SentCallback {
  app: number;
  group: number;
  type: number;
  info: Record<string, unknown>;
  attempts: number;
  /** Status of the last attempt, or the network error. */
  last?: number | string;
  /** How long the last attempt took to be answered, in ms. */
  ms?: number;
  /** When the first and the last attempt were sent (ms since the epoch, the machine's clock). */
  firstSentAt?: number;
  sentAt?: number;
  state: 'pending' | 'delivered' | 'failed';
}

const MAX_KEPT = 5_000;
const IN_FLIGHT = 16;

export class CallbackSender {
  readonly stats: CallbackStats = { queued: 0, delivered: 0, failed: 0, retries: 0 };
  readonly sent: SentCallback[] = [];
  private target?: CallbackTarget;
  private schedule = TRTC_RETRY;
  private readonly waiting: Array<() => void> = [];
  private inFlight = 0;
  private pending = 0;
  private readonly idlers: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }), https: new https.Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) };

  constructor(private readonly world: World) {
    world.onEvent((app, e) => this.roomEvent(app, e));
    world.tasks.onChange((task, news) => this.taskEvent(task, news));
  }

  /** Where to send callbacks from now on; undefined stops sending (what happens is then not reported). */
  configure(target: CallbackTarget | undefined, schedule: RetrySchedule = TRTC_RETRY): void {
    this.target = target;
    this.schedule = schedule;
  }

  get configured(): boolean {
    return this.target !== undefined;
  }

  /** Sends one callback (if a target is configured). EventInfo members are TRTC's; CallbackTs is set per attempt. */
  send(app: number, group: number, type: number, info: Record<string, unknown>): void {
    const target = this.target;
    if (!target) return;
    const record: SentCallback = { app, group, type, info, attempts: 0, state: 'pending' };
    this.sent.push(record);
    if (this.sent.length > MAX_KEPT) this.sent.splice(0, this.sent.length - MAX_KEPT);
    this.stats.queued++;
    this.pending++;
    void this.deliver(record, target, this.schedule);
  }

  /** Resolves once every callback so far was delivered or given up on. */
  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idlers.push(resolve));
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.target = undefined;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async deliver(record: SentCallback, target: CallbackTarget, schedule: RetrySchedule, firstAt?: number): Promise<void> {
    await this.slot();
    const startsAt = Date.now();
    const first = firstAt ?? startsAt;
    // The give-up time counts from the first attempt, and no attempt starts at or after it, however late its timer
    // fired or its turn came.
    if (startsAt - first >= schedule.giveUpMs || !this.target) {
      this.release();
      return this.settle(record, 'failed');
    }
    try {
      record.attempts++;
      if (record.attempts > 1) this.stats.retries++;
      const body = JSON.stringify({ EventGroupId: record.group, EventType: record.type, CallbackTs: this.world.now(), EventInfo: record.info }, null, '\t');
      const sentAt = performance.now();
      record.firstSentAt = first;
      record.sentAt = startsAt;
      record.last = await this.post(target, record.app, body, schedule.timeoutMs);
      record.ms = performance.now() - sentAt;
    } finally {
      this.release();
    }
    if (record.last === 200) return this.settle(record, 'delivered');
    // The first retry is immediate, later ones wait.
    const delay = record.attempts === 1 ? 0 : schedule.intervalMs;
    if (Date.now() + delay - first >= schedule.giveUpMs || !this.target) return this.settle(record, 'failed');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(record, target, schedule, first);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private settle(record: SentCallback, state: 'delivered' | 'failed'): void {
    record.state = state;
    this.stats[state]++;
    if (--this.pending === 0) for (const resolve of this.idlers.splice(0)) resolve();
  }

  private slot(): Promise<void> {
    if (this.inFlight < IN_FLIGHT) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** One POST: its HTTP status, or what went wrong. */
  private post(target: CallbackTarget, app: number, body: string, timeoutMs: number): Promise<number | string> {
    return new Promise((resolve) => {
      const url = new URL(target.url);
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), Sign: signCallback(target.key, body), SdkAppId: String(app) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', (err) => resolve(err.message));
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => resolve(err.message));
      req.end(body);
    });
  }

  // --- what TRTC reports, in its words ---

  /** EventTs (seconds) and EventMsTs (ms) of something that happened at `ms`. */
  private static times(ms: number) {
    return { EventTs: Math.floor(ms / 1000), EventMsTs: ms };
  }

  private roomEvent(app: App, e: RoomEvent): void {
    const base = { RoomId: e.roomId, ...CallbackSender.times(e.time) };
    const role = e.detail?.Role as number | undefined;
    const media = (type: number) => this.send(app.sdkAppId, 2, type, { ...base, UserId: e.userId, Reason: 0 });
    switch (e.type) {
      case 'create':
        return this.send(app.sdkAppId, 1, 101, { ...base, UserId: e.userId });
      case 'join':
        // The sandbox's users are native SDK clients of no particular platform.
        return this.send(app.sdkAppId, 1, 103, { ...base, UserId: e.userId, Role: role ?? 20, TerminalType: 100, UserType: 3, Reason: 1 });
      case 'leave':
      case 'kicked':
        return this.send(app.sdkAppId, 1, 104, { ...base, UserId: e.userId, Role: role ?? 20, Reason: e.type === 'leave' ? 1 : 3 });
      case 'role':
        return this.send(app.sdkAppId, 1, 105, { ...base, UserId: e.userId, Role: role });
      case 'dismissed':
      case 'closed':
        return this.send(app.sdkAppId, 1, 102, base);
      case 'blocked': {
        // Blocking stops what the user sends, and unblocking resumes it, as the media events report.
        const before = blocks((e.detail?.was ?? 0) as 0 | 1 | 2 | 3);
        const after = blocks((e.detail?.IsMute ?? 0) as 0 | 1 | 2 | 3);
        if (before.video !== after.video) media(after.video ? 202 : 201);
        if (before.audio !== after.audio) media(after.audio ? 204 : 203);
        return;
      }
      default:
        return; // speech reaches bots, which report what they heard (taskEvent)
    }
  }

  private taskEvent(task: Task, news: TaskNews): void {
    const at = news.what === 'ended' ? task.endedAt! : this.world.now();
    if (task.kind === 'recording') return this.recordingEvent(task, news, at);
    if (task.kind === 'relay') return this.relayEvent(task, news, at);
    if (task.kind === 'ingest') return this.ingestEvent(task, news, at);
    if (task.kind !== 'conversation' && task.kind !== 'transcription') return;
    // The AI service's RoomId is a string, with RoomIdType 0 for a numeric room and 1 for a string one.
    const info = (payload: Record<string, unknown>) => ({
      EventMsTs: at, TaskId: task.id, RoomId: task.roomId, RoomIdType: task.roomKind === 'int' ? 0 : 1, Payload: payload,
    });
    const app = task.sdkAppId;
    switch (news.what) {
      case 'started':
        return this.send(app, 9, 901, info({ Status: 0 }));
      case 'ended':
        return this.send(app, 9, 902, info({ LeaveCode: task.endReason === 'idle' ? 99 : 0 }));
      case 'heard':
        this.send(app, 9, 904, info({ UserId: news.userId, RoundId: news.roundId }));
        return this.send(app, 9, 903, info({ UserId: news.userId, Text: news.text, StartTimeMs: news.startMs, EndTimeMs: news.endMs, RoundId: news.roundId }));
      case 'spoke': {
        const ms = at - task.startedAt;
        this.send(app, 9, 903, info({ UserId: task.botUserId, Text: news.text, StartTimeMs: ms, EndTimeMs: ms + news.text.length * 60, RoundId: news.roundId }));
        return this.send(app, 9, 905, info({ UserId: task.botUserId, RoundId: news.roundId, Text: news.text }));
      }
    }
  }

  /** A relay reports each CDN address's state changes (group 4), with the room ID in the type the client uses. */
  private relayEvent(task: Task, news: TaskNews, at: number): void {
    if (news.what !== 'cdn') return;
    this.send(task.sdkAppId, 4, 401, {
      RoomId: task.roomKind === 'int' ? Number(task.roomId) : task.roomId, RoomType: task.roomKind === 'int' ? 0 : 1, EventMsTs: at, UserId: task.botUserId, TaskId: task.id,
      Payload: { Url: news.url, Status: news.status, ...(news.error && { ErrorCode: news.error.code, ErrorMsg: news.error.message }) },
    });
  }

  /** An ingest reports its start (and failed starts) and its stop (group 7); the status is in EventInfo itself. */
  private ingestEvent(task: Task, news: TaskNews, at: number): void {
    if (news.what === 'ingest') return this.send(task.sdkAppId, 7, 701, { EventMsTs: at, TaskId: task.id, Status: news.status });
    if (news.what === 'ended') return this.send(task.sdkAppId, 7, 702, { EventMsTs: at, TaskId: task.id, Status: 0 });
  }

  private recordingEvent(task: Task, news: TaskNews, at: number): void {
    // Recording callbacks carry the room ID in the type the client uses.
    const info = (payload: Record<string, unknown>) => ({
      RoomId: task.roomKind === 'int' ? Number(task.roomId) : task.roomId, ...CallbackSender.times(at), UserId: task.botUserId, TaskId: task.id, Payload: payload,
    });
    const app = task.sdkAppId;
    if (news.what === 'started') return this.send(app, 3, 301, info({ Status: 0 }));
    if (news.what === 'upload-failed') return this.send(app, 3, 303, info({ Status: 1 }));
    if (news.what === 'ended') return this.send(app, 3, 302, info({ LeaveCode: task.endReason === 'idle' ? 99 : 0 }));
    if (news.what !== 'uploaded') return;
    const files = recordingFiles(this.world, task);
    const storage = task.config.StorageParams ?? {};
    if (!files.length) return;
    const file = (f: (typeof files)[number]) => ({
      UserId: f.UserId ?? '', TrackType: f.TrackType, MediaId: f.UserId ? 'main' : 'mix', StartTimeStamp: f.BeginTimeStamp, EndTimeStamp: task.endedAt!,
    });
    if (storage.CloudVod) {
      files.forEach((f, i) => {
        const FileId = `${task.id.slice(0, 12)}-${i}`;
        this.send(app, 3, 311, info({ Status: 0, TencentVod: { ...file(f), FileId, VideoUrl: `https://vod.sandbox.invalid/${FileId}.mp4`, CacheFile: f.FileName } }));
      });
      return this.send(app, 3, 312, info({ Status: 0 }));
    }
    // Files bound for a bucket that does not exist stay on TRTC's backup storage, as the end report says.
    if (files[0]!.FileName.endsWith('.m3u8')) {
      if (!news.failed) for (const f of files) this.send(app, 3, 304, info({ FileList: f.FileName }));
      return this.send(app, 3, 305, info({ LeaveCode: news.failed ? 1 : 0 }));
    }
    if (news.failed) return this.send(app, 3, 310, info({ Status: 2, FileList: [], FileMessage: [] }));
    this.send(app, 3, 310, info({ Status: 0, FileList: files.map((f) => f.FileName), FileMessage: files.map((f) => ({ FileName: f.FileName, ...file(f) })) }));
  }
}
