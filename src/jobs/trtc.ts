// TRTC's long-running jobs (a recording, an AI bot, a relay, an ingest, a moderation or slicing bot, a web
// recording, a room's mix) followed to their end: by the callbacks TRTC sends for them (the group each start names
// in the catalog), and where none reach this server, by reading the job's Describe* action at most once per
// interval across the fleet. Ended at the owner's request by the job's Stop/Delete action, run through the pipeline
// like any call: scope, effect, consent and audit apply.
import { createHash } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { JobState, ToolDef } from '../../tools/define.js';
import { CALLBACK_CODES } from '../../tools/meanings.js';
import { ApiError } from '../api/errors.js';
import { eventLog, scan, type StoredEvent } from '../events/log.js';
import { grantRefusal, scopeFor } from '../guardrails/access.js';
import { AskThroughResult, type ConsentChannel } from '../guardrails/consent.js';
import { kindsOf, placedRooms, roomsIn } from '../guardrails/scope.js';
import { clipText } from '../redact.js';
import { agentSchema, appIdField } from '../server/catalog.js';
import { lookupThrough, runTool, success, withSandboxNote } from '../server/pipeline.js';
import { NS } from '../store/store.js';
import { indexKey, type CancelOutcome, type Job, type JobEnv, type JobKind, type JobStart } from './jobs.js';

export const TRTC_JOB = 'trtc';

/** How far back in its app's event log a new job looks, for callbacks that beat its creation. */
const LOOK_BACK = 500;
/** Events one look examines at most; the rest wait for the next. */
const EVENTS_PER_LOOK = 2_000;
/** How often a client following a job moved by callbacks is asked to look: the job is current whenever it does. */
export const CALLBACK_POLL_MS = 2_000;
/** With callbacks, the read still runs this much less often, in case one was lost (TRTC stops retrying after a minute). */
const SAFETY_FACTOR = 6;
/** A recorder that left says nothing more about its files for this long: the job ends without them. */
export const UPLOAD_GRACE_MS = 120_000;
/** Codes that say a Describe* read no longer knows the job: it ended, and was forgotten. */
const GONE = /NotExist|NotFound|InvalidParameter\.TaskId/;

export interface TrtcState {
  app: number;
  /** What names the job in callbacks and reads: its TaskId, or (a room's mix) its room. */
  taskId?: string;
  room?: { field: 'RoomId' | 'StrRoomId'; id: string | number };
  /** The start's answer, which the final result repeats. */
  answer: Record<string, unknown>;
  /** Sequence number in the app's event log up to which events were examined. */
  cursor: number;
  phase: 'starting' | 'running' | 'uploading';
  /** When TRTC last said something about the job. */
  newsAt: number;
  /** What TRTC last said of it, in words; empty until it said something (the start's message stands till then). */
  words: string;
  /** What went wrong, as TRTC reported it, while that holds; a job that ends with one ends in error. */
  problem?: string;
  /** Files the job reported (names, or VOD play URLs). */
  files: string[];
  /** Each CDN address of a relay, by a digest of its URL (which may hold a stream key): its last two statuses. */
  cdn?: Record<string, [number, number]>;
}

/** What one callback, or one read, says. */
interface Seen {
  phase?: TrtcState['phase'];
  words?: string;
  /** It ended, and how. */
  end?: string;
  /** Something went wrong (a string), or stopped being wrong (null). */
  problem?: string | null;
  files?: string[];
  cdn?: [string, number];
}

const code = (table: Record<number, string>, value: unknown) => table[Number(value)] ?? `code ${JSON.stringify(value)}`;
/** A message TRTC wrote, as a quoted and clipped literal: it is shown to agents as TRTC's words, never as ours. */
const theirs = (text: unknown) => JSON.stringify(clipText(String(text ?? ''), 200).text);
const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 12);
const named = (list: unknown) => (Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : typeof list === 'string' ? [list] : []);

/** What a callback says about the job it names, by TRTC's event type. */
function observe(type: number, info: Record<string, any>): Seen | undefined {
  const p = (info.Payload ?? {}) as Record<string, any>;
  switch (type) {
    // Cloud recording (group 3).
    case 301:
      return p.Status === 1
        ? { end: 'the recorder could not start', problem: 'TRTC reports that the recorder failed to start (RecorderStart Status 1)' }
        : { phase: 'running', words: 'the recorder joined the room and records it' };
    case 302:
      return { phase: 'uploading', words: `the recorder left the room (${code(CALLBACK_CODES.recorderLeave, p.LeaveCode)}); its files are being uploaded` };
    case 303:
      return p.Status === 1
        ? { problem: 'TRTC could not start uploading to your storage (UploadStart Status 1), so the files stay on its backup storage; check the bucket, region and keys' }
        : { words: 'the recorder started uploading to your storage' };
    case 304:
    case 307:
      return { files: named(p.FileList ?? p.FileName) };
    case 305:
      return p.LeaveCode === 1
        ? { end: 'its upload ended', problem: 'some files are still on TRTC\'s backup storage (UploadStop LeaveCode 1)' }
        : { end: 'every file reached your storage' };
    case 306:
      return { words: 'the recording moved to another machine and goes on' };
    case 309:
      return { words: `the recorder could not download an image it needs (${theirs(p.Url)})` };
    case 310: {
      const files = named(p.FileList);
      if (p.Status === 2) return { files, end: 'the MP4 recording stopped', problem: 'TRTC reports that the MP4 recording exited abnormally (Mp4Stop Status 2), so its files did not reach your storage' };
      if (p.Status === 1) return { files, end: 'its MP4 files were made', problem: 'some files are still on TRTC\'s backup storage (Mp4Stop Status 1)' };
      return { files, end: 'its MP4 files reached your storage' };
    }
    case 311: {
      const vod = (p.TencentVod ?? {}) as Record<string, unknown>;
      const files = named(vod.VideoUrl ?? vod.CacheFile);
      if (p.Status === 2) return { files, problem: `TRTC could not upload a file to VOD (VodCommit Status 2): ${theirs(p.Errmsg)}` };
      if (p.Status === 1) return { files, problem: 'a file is still on TRTC\'s backup storage (VodCommit Status 1)' };
      return { files };
    }
    case 312:
      return p.Status === 1 ? { end: 'its VOD upload ended', problem: 'TRTC reports that the VOD upload ended abnormally (VodStop Status 1)' } : { end: 'its files reached VOD' };
    // Relay to CDN (group 4): one event per CDN address and change.
    case 401:
      return { cdn: [digest(String(p.Url ?? '')), Number(p.Status)], ...(p.Status === 4 && { problem: `publishing to a CDN address failed: ${theirs(p.ErrorMsg)} (ErrorCode ${JSON.stringify(p.ErrorCode)}); fix the address with UpdatePublishCdnStream` }) };
    // Stream ingest (group 7): the status is in EventInfo itself.
    case 701:
      if (info.Status === 1) return { problem: 'the stream could not start (StreamIngestStart Status 1): check that the source URL plays' };
      if (info.Status === 2) return { words: 'the stream is starting again' };
      return { phase: 'running', words: 'the stream plays into the room', problem: null };
    case 702:
      return { end: 'the ingest stopped' };
    // Web page recording (group 8).
    case 801:
      if (p.Status === 1) return { phase: 'running', words: 'the page is being recorded', problem: null };
      if (p.Status === 4) return { words: 'the recording moved to another machine and goes on' };
      return { problem: `TRTC reports the page recording ${code(CALLBACK_CODES.webRecordStart, p.Status)}: ${theirs(p.EventMessage ?? info.EventMessage)}`, ...(p.Status !== 3 && { end: 'the page recording stopped' }) };
    case 802:
      return { end: 'the page recording stopped' };
    case 804:
      return { words: 'the page recording reached its duration or resolution limit' };
    // AI conversation and transcription (group 9).
    case 901:
      return p.Status === 1
        ? { end: 'the bot could not start', problem: 'TRTC reports that the bot failed to start (AIStart Status 1)' }
        : { phase: 'running', words: 'the bot joined the room' };
    case 909:
      return { words: 'the AI session is ready: media is connected and the bot can talk' };
    case 908:
      return { words: 'the AI service reported an error (AIErrorMetric); the bot goes on' };
    case 902:
      return p.LeaveCode === 98
        ? { end: 'the bot left', problem: 'TRTC reports an internal error of the AI service (AIStop LeaveCode 98); start it again' }
        : { end: `the bot left (${code(CALLBACK_CODES.aiLeave, p.LeaveCode)})` };
    // A room's mix ends with its room (group 1).
    case 102:
      return { end: 'its room closed, so the mix ended' };
    default:
      return undefined;
  }
}

/**
 * A relay is over once every CDN address it reported is idle and one got there by disconnecting: an address that
 * failed idles too, while the relay runs on, waiting for UpdatePublishCdnStream.
 */
function relayWords(cdn: Record<string, [number, number]>): Seen {
  const states = Object.values(cdn);
  const publishing = states.filter(([, now]) => now === 2).length;
  if (states.every(([, now]) => now === 0) && states.some(([before]) => before === 5)) return { end: 'it stopped publishing to every CDN address' };
  if (publishing) return { phase: 'running', words: `it publishes to ${publishing} of ${states.length} CDN address${states.length > 1 ? 'es' : ''}`, problem: publishing === states.length ? null : undefined };
  if (states.some(([, now]) => now === 3)) return { words: 'it lost its connection to the CDN and is reconnecting' };
  if (states.some(([, now]) => now === 1)) return { words: 'it is connecting to the CDN' };
  return { words: 'it publishes to no CDN address now' };
}

/** Applies what was seen to the state; the end it announces, if any. */
function apply(s: TrtcState, seen: Seen, at: number): string | undefined {
  if (seen.cdn) {
    const [key, status] = seen.cdn;
    s.cdn = { ...s.cdn, [key]: [s.cdn?.[key]?.[1] ?? -1, status] };
    Object.assign(seen, { ...relayWords(s.cdn), ...(seen.problem !== undefined && { problem: seen.problem }) });
  }
  if (seen.phase) s.phase = seen.phase;
  if (seen.words) s.words = seen.words;
  if (seen.problem === null) delete s.problem;
  else if (seen.problem) s.problem = seen.problem;
  if (seen.files?.length) s.files = [...new Set([...s.files, ...seen.files])];
  s.newsAt = at;
  return seen.end;
}

/** The arguments a read or stop of this job takes: its app, and what names it, as the tool's schema has them. */
function argsFor(def: ToolDef, s: TrtcState): Record<string, unknown> {
  const shape = agentSchema(def).shape;
  const field = appIdField(def);
  return {
    ...(field && { [field]: shape[field]!.type === 'string' ? String(s.app) : s.app }),
    ...(s.taskId !== undefined && 'TaskId' in shape && { TaskId: s.taskId }),
    ...(s.room && { [s.room.field]: s.room.id }),
  };
}

export class TrtcJobs implements JobKind<TrtcState> {
  async start(what: Record<string, any>, env: JobEnv): Promise<JobStart<TrtcState>> {
    const def = env.catalog.get(what.tool)!;
    const spec = def.job!;
    const params = what.params as Record<string, any>;
    const answer = what.answer as Record<string, unknown>;
    const app = what.app as number;
    const taskId = spec.byRoom ? undefined : String(answer.TaskId);
    const field = 'StrRoomId' in params ? 'StrRoomId' : 'RoomId';
    const room = spec.byRoom ? { field, id: params[field] } as const : undefined;
    // Its rooms with the kinds the call named them with, as the ledger keeps them (numeric 1234 and "1234" differ).
    const ids = def.started?.(answer, params)[0]?.rooms ?? (room ? [String(room.id)] : []);
    const rooms = placedRooms({ app, rooms: ids, kinds: kindsOf(ids, roomsIn(def, params)) });
    const last = (await env.ctx.store.read(eventLog(app), { limit: 0 })).last;
    const byCallbacks = this.byCallbacks(def, env);
    const how = byCallbacks
      ? 'following it by TRTC\'s callbacks'
      : spec.describe
        ? `following it by reading ${spec.describe.tool} every ${env.pollMs / 1000} s`
        : `TRTC offers no read of it and this server receives no callbacks, so it shows as working until it is cancelled or its task expires`;
    const named = taskId !== undefined ? `TaskId ${taskId}` : `${field} ${JSON.stringify(room!.id)}`;
    return {
      tool: def.name,
      app,
      rooms,
      state: { app, taskId, room, answer, cursor: Math.max(0, last - LOOK_BACK), phase: 'starting', newsAt: env.now(), words: '', files: [] },
      statusMessage: `${def.name} started the ${spec.noun} (${named} in app ${app}); ${how}.`,
      pollIntervalMs: byCallbacks ? CALLBACK_POLL_MS : env.pollMs,
      meta: { job: { SdkAppId: app, ...(taskId !== undefined ? { TaskId: taskId } : { [field]: room!.id }), tool: def.name } },
    };
  }

  heard(event: StoredEvent): string[] {
    const { EventType: type, EventInfo: info } = event.body;
    if (observe(type, info) === undefined) return [];
    if (type === 102) return typeof info.RoomId === 'string' || typeof info.RoomId === 'number' ? [indexKey(event.app, { room: info.RoomId })] : [];
    return typeof info.TaskId === 'string' ? [indexKey(event.app, { taskId: info.TaskId })] : [];
  }

  routes(job: Job<TrtcState>): string[] {
    const s = job.state;
    return [s.taskId !== undefined ? indexKey(s.app, { taskId: s.taskId }) : indexKey(s.app, { room: s.room!.id })];
  }

  async advance(job: Job<TrtcState>, env: JobEnv): Promise<Job<TrtcState> | undefined> {
    const def = env.catalog.get(job.tool)!;
    const s: TrtcState = structuredClone(job.state);
    let end: string | undefined;
    // Callbacks first: each names the job by TaskId (or its room, for a mix).
    const found = await scan(env.ctx.store, env.ctx.config, s.app, {
      after: s.cursor, limit: EVENTS_PER_LOOK, budget: EVENTS_PER_LOOK,
      filter: s.taskId !== undefined ? { TaskId: s.taskId } : { RoomId: s.room!.id, group: 1, types: [102] },
    });
    for (const e of found.entries) {
      if (s.room && typeof e.entry.body.EventInfo.RoomId !== typeof s.room.id) continue;
      const seen = observe(e.entry.body.EventType, e.entry.body.EventInfo);
      end = (seen && apply(s, seen, e.time)) ?? end;
    }
    const examined = found.cursor - s.cursor;
    s.cursor = found.cursor;
    // Then the read, when it is due and no other process took this turn.
    if (!end && !found.more) end = await this.poll(job, s, def, env);
    if (!end && s.phase === 'uploading' && env.now() - s.newsAt > UPLOAD_GRACE_MS) {
      end = `the recorder left the room, and no report of its files came within ${UPLOAD_GRACE_MS / 60_000} minutes (DescribeCloudRecording lists files on your storage)`;
    }
    if (end) return this.ended(job, s, def, env, end);
    const message = this.message(def, s) ?? job.statusMessage;
    // A look that changed nothing but the cursor is written only once the cursor has come a long way.
    if (message === job.statusMessage && JSON.stringify(s) === JSON.stringify({ ...job.state, cursor: s.cursor }) && examined < LOOK_BACK) return undefined;
    return { ...job, state: s, statusMessage: message };
  }

  async cancel(job: Job<TrtcState>, env: JobEnv, request: Parameters<JobKind['cancel']>[2]): Promise<CancelOutcome> {
    const def = env.catalog.get(job.tool)!;
    const stop = env.catalog.get(def.job!.stop)!;
    const { answer } = request;
    // Consent is asked of the human in the task itself, and their answer comes back through tasks/update: an
    // answer counts only for what it was asked about (consent's binding: this Stop, its arguments, effect and reason,
    // and who asks), so a cancel whose call changed since is asked again.
    const consent: ConsentChannel = request.forms
      ? {
          kind: 'elicitation',
          ask: async (question, binding) => {
            if (answer && binding === answer.binding) return answer.response;
            throw new AskThroughResult(question, binding);
          },
        }
      : { kind: 'token' };
    let result: CallToolResult;
    try {
      result = await runTool(env.ctx, stop, argsFor(stop, job.state), { consent, identity: request.by });
    } catch (err) {
      if (err instanceof AskThroughResult) return { ask: err.params, binding: err.binding };
      throw err;
    }
    const first = ((result.content[0] as { text?: string } | undefined)?.text ?? '').split('\n')[0]!;
    if (!result.isError) return { done: `Cancelled: ${stop.name} ended the ${def.job!.noun} at the owner's request.` };
    if (result._meta?.confirmation) {
      return { refused: `Not cancelled: ending it needs the user's consent, and this client cannot ask them. Call ${stop.name} with ${JSON.stringify(argsFor(stop, job.state))} to get a preview and a confirmationToken to show them.` };
    }
    // The owner's token may start the job and not end it: the scope to ask for, said for a cancel (tasks/cancel gets
    // no step-up challenge at the edge, which judges only tool calls).
    const effect = stop.effectOf?.otherwise ?? stop.effect;
    if (grantRefusal(env.ctx.config, stop.name, effect)) {
      return { refused: `Not cancelled: ending it calls ${stop.name}, and your access token does not allow that: it needs the scope ${scopeFor(effect)}. Authorize again with that scope and cancel again, or ask someone who has it. Nothing was sent.` };
    }
    return { refused: `Not cancelled: ${first}` };
  }

  /** Whether TRTC's callbacks for this job reach this deployment. */
  private byCallbacks(def: ToolDef, env: JobEnv): boolean {
    return def.job!.group !== undefined && Boolean(env.ctx.events?.receiving);
  }

  /** Reads the job's Describe* action when its turn has come; the end it reports, if any. */
  private async poll(job: Job<TrtcState>, s: TrtcState, def: ToolDef, env: JobEnv): Promise<string | undefined> {
    const describe = def.job!.describe;
    if (!describe) return undefined;
    const every = env.pollMs * (this.byCallbacks(def, env) ? SAFETY_FACTOR : 1);
    const now = env.now();
    // One read per interval for the whole fleet: whoever claims the turn reads.
    if (now - job.createdAt < every || !(await env.ctx.store.claim(NS.jobPolls, `${job.id}\n${Math.floor(now / every)}`, now + 2 * every))) return undefined;
    const read = env.catalog.get(describe.tool)!;
    let seen: Seen;
    try {
      const answer = await lookupThrough(env.ctx, {})(read, argsFor(read, s), s.app);
      const { state, words } = describe.state(answer);
      seen = this.fromRead(state, words, answer);
    } catch (err) {
      if (!(err instanceof ApiError) || !GONE.test(err.code)) {
        env.ctx.log.warn('job read failed; trying again next turn', { job: job.id, tool: read.name, error: (err as Error).message });
        return undefined;
      }
      seen = { end: `${read.name} no longer knows it (${err.code}), so it ended` };
    }
    // A read that says what was already known is no news.
    if (!seen.end && seen.words === s.words) return undefined;
    return apply(s, seen, now);
  }

  private fromRead(state: JobState, words: string, answer: Record<string, any>): Seen {
    const files = Array.isArray(answer.StorageFileList) ? answer.StorageFileList.map((f: { FileName?: unknown }) => f.FileName).filter((f: unknown): f is string => typeof f === 'string') : [];
    if (state === 'ended') return { end: words, files };
    return { phase: state === 'running' ? 'running' : 'starting', words, files };
  }

  private message(def: ToolDef, s: TrtcState): string | undefined {
    if (!s.words && !s.problem) return undefined;
    return `The ${def.job!.noun}: ${s.words || 'it runs'}.${s.problem ? ` Problem: ${s.problem}.` : ''}`;
  }

  /** The job's end: completed, with the start's answer and how it ended; an error if it ended with a problem. */
  private ended(job: Job<TrtcState>, s: TrtcState, def: ToolDef, env: JobEnv, how: string): Job<TrtcState> {
    const notes = [
      `The ${def.job!.noun} ended: ${how}.`,
      ...(s.problem ? [`Problem: ${s.problem}.`] : []),
      ...(s.files.length ? [`Files, as TRTC named them (user IDs in them are end-user data): ${JSON.stringify(s.files)}`] : []),
    ];
    const base = success(s.answer, notes);
    const result: CallToolResult = withSandboxNote(env.ctx, {
      ...base,
      ...(s.problem && { isError: true }),
      _meta: { job: { ...(job.meta?.job as object), ended: how, ...(s.problem && { problem: s.problem }), ...(s.files.length && { files: s.files }) } },
    });
    return { ...job, state: s, status: 'completed', statusMessage: s.problem ? `Failed: ${s.problem}.` : `Ended: ${how}.`, result };
  }
}
