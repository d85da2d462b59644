// Jobs: what a call starts and a client follows to its end (an MCP task, on the 2026-07-28 protocol). A job is a
// record in the store, so that it outlives the process that made it and any replica can answer for it. It moves on
// its own evidence: TRTC's callbacks as they are stored, a read of its Describe* action, time, or the human's
// answers, and it is brought up to date whenever someone looks (or a callback names it), by whichever process that
// is. Every write is a revised put, so that two processes moving one job at once cannot lose each other's step.
// Kinds of job (a TRTC job, a wait for events) say how they move; this module knows nothing of protocol eras.
import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDef } from '../../tools/define.js';
import type { StoredEvent } from '../events/log.js';
import { OPERATOR, whoRecord, type Identity } from '../guardrails/identity.js';
import { jobRefusal, type RoomRef } from '../guardrails/scope.js';
import type { ConsentAnswer, ConsentQuestion } from '../guardrails/consent.js';
import { NS, StoreUnavailableError } from '../store/store.js';
import type { CallExtra, FollowedStart, ServerContext } from '../server/pipeline.js';
import { telemetry } from '../telemetry/index.js';

export type JobStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
export const isTerminal = (s: JobStatus) => s === 'completed' || s === 'failed' || s === 'cancelled';

/** A question a job waits on, as clients show it: an elicitation form. */
export interface InputRequest {
  method: 'elicitation/create';
  params: ConsentQuestion & { mode?: 'form' };
}

/** Who started or acts on a job, as records carry it: no credential, only who. */
export type Owner = ReturnType<typeof whoRecord>;

export interface Job<S = any> {
  /** Unguessable: it is all a client needs to name the job. */
  id: string;
  /** Which kind moves it. */
  kind: string;
  /** The tool whose call started it. */
  tool: string;
  owner: Owner;
  /** Where it acts, for scope: its app and rooms. */
  app?: number;
  rooms: RoomRef[];
  status: JobStatus;
  statusMessage?: string;
  createdAt: number;
  updatedAt: number;
  /** How long after creation it may be forgotten. */
  ttlMs: number;
  /** How often a client is asked to look. */
  pollIntervalMs: number;
  /** When completed: what the call finally answers. */
  result?: CallToolResult;
  /** When failed: the protocol error the call met. */
  error?: { code: number; message: string; data?: unknown };
  /** What it waits on the human for, by key; each key is used once in the job's life. */
  inputRequests?: Record<string, InputRequest>;
  inputsIssued: number;
  /** What its owner should know of their own request, beside the status (a cancel that did not happen, and why). */
  note?: string;
  /** A cancel under way: who asked, and the consent question it waits on, if any. */
  cancel?: { by: Owner; at: number; key?: string; binding?: string };
  /** Shown with the task (what TRTC calls the job). */
  meta?: Record<string, unknown>;
  state: S;
}

/** What a kind needs to move its jobs. */
export interface JobEnv {
  ctx: ServerContext;
  now(): number;
  /** The catalog, by name. */
  catalog: ReadonlyMap<string, ToolDef>;
  /** Milliseconds between reads of a job's Describe* action when no callback reports it. */
  pollMs: number;
  /** What a new job of another kind would look like: for a job that hands over to the one its call started. */
  startOf(what: FollowedStart): Promise<JobStart & { kind: string }>;
}

/** How a cancel went. */
export type CancelOutcome =
  /** The job ended at the owner's request. */
  | { done: string }
  /** The human must agree first. */
  | { ask: ConsentQuestion; binding: string }
  /** It keeps going, and why. */
  | { refused: string };

export interface CancelRequest {
  by: Identity;
  /** Whether the asking client can show its user a form. */
  forms: boolean;
  /** The human's answer to the question the cancel asked, and what that question bound (consent.ts's binding). */
  answer?: { binding: string; response: ConsentAnswer };
}

export interface JobKind<S = any> {
  /** What a new job of this kind looks like, from what the call that started it handed over. */
  start(what: FollowedStart, env: JobEnv): Promise<JobStart<S>>;
  /**
   * Brings a job up to date from what happened since (events, a read, time): the job as it is now, or undefined.
   * `by` is its owner when the owner is the one looking (a step that acts in their name waits for them).
   */
  advance(job: Job<S>, env: JobEnv, by?: Identity): Promise<Job<S> | undefined>;
  /** Ends a job its owner no longer wants. */
  cancel(job: Job<S>, env: JobEnv, request: CancelRequest): Promise<CancelOutcome>;
  /**
   * Takes in an answer to one of the job's own input requests (a cancel's consent is the engine's): the job with the
   * key already taken out, as it is to be written. Pure, since a write that another process beat is computed again.
   */
  answer?(job: Job<S>, key: string, response: ConsentAnswer): Job<S>;
  /** The keys under which a stored callback names this job (see indexKey). */
  routes?(job: Job<S>): string[];
  /** The keys of the jobs a stored callback may move (of the kind's routes); none for callbacks it never reads. */
  heard?(event: StoredEvent): string[];
}

/** A new job, as its kind makes it. */
export interface JobStart<S = any> {
  tool: string;
  app?: number;
  rooms: RoomRef[];
  state: S;
  statusMessage: string;
  pollIntervalMs: number;
  meta?: Record<string, unknown>;
  inputRequests?: Record<string, InputRequest>;
}

/** Why a task cannot be given to this caller; one answer for all reasons, so that nobody learns whose tasks exist. */
export class JobNotFound extends Error {
  constructor(id: string) {
    super(`Unknown task ${JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id)}: it does not exist, has expired, or is not this caller's.`);
  }
}

/** A cancel that began running and has not finished within this long (its process died) no longer blocks another. */
const STALE_CANCEL_MS = 120_000;
/** Retries of a revised write that another process beat. */
const MAX_TRIES = 8;


/** The job index's key for what a stored callback names: a TaskId, or a room (numeric and string rooms apart). */
export const indexKey = (app: number, what: { taskId: string } | { room: string | number }) =>
  'taskId' in what ? `${app}\ntask\n${what.taskId}` : `${app}\nroom\n${typeof what.room === 'number' ? 'int' : 'str'}:${what.room}`;

export type JobListener = (job: Job) => void;

/** What every view of one engine shares: its kinds and who hears of changes. */
interface Shared {
  kinds: Map<string, JobKind>;
  listeners: Set<JobListener>;
}

export class Jobs {
  private readonly kinds: Map<string, JobKind>;
  private readonly listeners: Set<JobListener>;
  private readonly env: JobEnv;

  /**
   * @param catalog the catalog, loaded before the first job moves (start-up stays free of it).
   * @param shared set by narrowed(): the engine this is a view of, which alone hears callbacks.
   */
  constructor(
    private readonly ctx: ServerContext,
    private readonly catalog: () => Promise<ReadonlyMap<string, ToolDef>>,
    now: () => number = Date.now,
    shared?: Shared,
  ) {
    this.kinds = shared?.kinds ?? new Map();
    this.listeners = shared?.listeners ?? new Set();
    this.env = {
      ctx, now, catalog: new Map(), pollMs: ctx.config.taskPoll * 1000,
      startOf: async (what) => {
        const kind = this.kinds.get(what.kind);
        if (!kind) throw new Error(`no kind of job named ${what.kind} is known to this server`);
        return { ...(await kind.start(what, this.env)), kind: what.kind };
      },
    };
    // A callback that names a job moves it at once, in the process that received it (once, however many views).
    if (!shared) ctx.events?.onStored((event) => void this.heard(event).catch((err: Error) => ctx.log.warn('job not moved by a callback', { error: err.message })));
  }

  /**
   * The same jobs, seen and acted on with another context: the server's narrowed to one identity's permissions
   * (who may see a job, and the scope, consent and rate share a cancel runs under).
   */
  narrowed(ctx: ServerContext): Jobs {
    if (ctx === this.ctx) return this;
    return new Jobs(ctx, this.catalog, this.env.now, { kinds: this.kinds, listeners: this.listeners });
  }

  /** Teaches the engine a kind of job. */
  register(name: string, kind: JobKind): void {
    this.kinds.set(name, kind);
  }

  /** Hears of every change this process writes. */
  onChange(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a new job, durably, before anyone is told of it. */
  async create(what: FollowedStart, by: Identity = OPERATOR): Promise<Job> {
    await this.loaded();
    const kind = this.kinds.get(what.kind);
    if (!kind) throw new Error(`no kind of job named ${what.kind} is known to this server`);
    const start = await kind.start(what, this.env);
    const now = this.env.now();
    const job: Job = {
      id: randomBytes(18).toString('base64url'),
      kind: what.kind,
      tool: start.tool,
      owner: whoRecord(by),
      app: start.app,
      rooms: start.rooms,
      status: start.inputRequests ? 'input_required' : 'working',
      statusMessage: start.statusMessage,
      createdAt: now,
      updatedAt: now,
      ttlMs: this.ctx.config.taskTtl * 1000,
      pollIntervalMs: start.pollIntervalMs,
      ...(start.inputRequests && { inputRequests: start.inputRequests }),
      inputsIssued: Object.keys(start.inputRequests ?? {}).length,
      ...(start.meta && { meta: start.meta }),
      state: start.state,
    };
    if (!(await this.ctx.store.putRevised(NS.jobs, job.id, 0, job, this.expiry(job)))) throw new Error('a job with this ID already exists');
    for (const key of kind.routes?.(job) ?? []) await this.ctx.store.put(NS.jobIndex, key, job.id, this.expiry(job));
    this.ctx.log.info('job started', { job: job.id, kind: job.kind, tool: job.tool, by: job.owner.subject });
    this.changed(job);
    return job;
  }

  /** The job as it is now, for a caller who may see it; JobNotFound otherwise. */
  async get(id: string, by: Identity = OPERATOR): Promise<Job> {
    await this.visible(id, by);
    return this.advance(id, by);
  }

  /**
   * Asks a job to end. Acknowledged whatever happens (the protocol's rule): a job that ended already stays as it
   * is, and one whose end needs the human's consent waits for it as an input request.
   */
  async cancel(id: string, by: Identity, forms: boolean): Promise<void> {
    // Brought up to date, but nothing done in the owner's name on the way (an approved call is not run to be cancelled).
    await this.visible(id, by);
    const job = await this.advance(id);
    if (isTerminal(job.status) || this.cancelling(job)) return;
    // The first to mark the cancel runs it: two replicas asked at once do not both stop the job.
    const claimed = await this.mutate(id, (j) => (isTerminal(j.status) || this.cancelling(j) ? undefined : { ...j, cancel: { by: whoRecord(by), at: this.env.now() } }));
    if (!claimed.changed) return;
    await this.settleCancel(claimed.job, await this.kind(claimed.job).cancel(claimed.job, this.env, { by, forms }), by);
  }

  /**
   * Answers some of a job's input requests. Keys that are not outstanding are ignored (answered already, never
   * asked, or superseded). The job moves on once the answers are taken in.
   */
  async update(id: string, by: Identity, responses: Record<string, ConsentAnswer>): Promise<void> {
    await this.visible(id, by);
    await this.advance(id);
    for (const [key, response] of Object.entries(responses)) {
      // Taking the key out, in the write that applies the answer, is what makes an answer count once, across every
      // process.
      const taken = await this.mutate(id, (j) => {
        if (!j.inputRequests?.[key] || isTerminal(j.status)) return undefined;
        const { [key]: _answered, ...rest } = j.inputRequests;
        const still = Object.keys(rest).length ? rest : undefined;
        const next: Job = { ...j, inputRequests: still, status: still ? 'input_required' : 'working' };
        return j.cancel?.key === key ? next : (this.kind(j).answer?.(next, key, response) ?? next);
      });
      const asked = taken.before.inputRequests?.[key];
      if (taken.changed && asked && taken.before.cancel?.key === key) {
        const request: CancelRequest = { by, forms: true, answer: { binding: taken.before.cancel.binding ?? '', response } };
        await this.settleCancel(taken.job, await this.kind(taken.job).cancel(taken.job, this.env, request), by);
      }
    }
    await this.advance(id);
  }

  /** Brings a job up to date and writes what changed; the job as it now stands. `by`: its owner, looking. */
  async advance(id: string, by?: Identity): Promise<Job> {
    await this.loaded();
    for (let tries = 0; ; tries++) {
      const held = await this.ctx.store.getRevised<Job>(NS.jobs, id);
      if (!held) throw new JobNotFound(id);
      const job = held.value;
      if (isTerminal(job.status)) return job;
      const next = await this.kind(job).advance(job, this.env, by);
      if (!next) return job;
      // A job that ended by itself waits on nobody any more: a cancel's question and its note go with it.
      const over = isTerminal(next.status) ? { inputRequests: undefined, cancel: undefined, note: undefined } : {};
      const written = { ...next, ...over, updatedAt: this.env.now() };
      if (await this.ctx.store.putRevised(NS.jobs, id, held.rev, written, this.expiry(written))) {
        // A job that handed over to the job its call started is found from now on by what names that one.
        if (next.kind !== job.kind) for (const key of this.kind(next).routes?.(next) ?? []) await this.ctx.store.put(NS.jobIndex, key, id, this.expiry(written));
        if (next.status !== job.status || next.statusMessage !== job.statusMessage) {
          this.ctx.log.info('job moved', { job: id, status: next.status, message: next.statusMessage });
          this.changed(written, job);
        }
        return written;
      }
      if (tries >= MAX_TRIES) return (await this.ctx.store.getRevised<Job>(NS.jobs, id))?.value ?? job;
    }
  }

  /** Whether a cancel is under way: its question waits for the human, or it runs (and has not been stuck for long). */
  private cancelling(job: Job): boolean {
    if (!job.cancel) return false;
    return job.cancel.key ? Boolean(job.inputRequests?.[job.cancel.key]) : this.env.now() - job.cancel.at < STALE_CANCEL_MS;
  }

  /** The job if this caller may see it: theirs, and within this server's scope. */
  private async visible(id: string, by: Identity): Promise<Job> {
    const job = (await this.ctx.store.getRevised<Job>(NS.jobs, id))?.value;
    if (!job) throw new JobNotFound(id);
    const why = jobRefusal(this.ctx.config, job, by);
    if (why) {
      this.ctx.log.warn('task refused', { job: id, by: by.subject, why });
      throw new JobNotFound(id);
    }
    return job;
  }

  private async settleCancel(job: Job, outcome: CancelOutcome, by: Identity): Promise<void> {
    await this.mutate(job.id, (j) => {
      if (isTerminal(j.status)) return undefined;
      if ('done' in outcome) return { ...j, status: 'cancelled', statusMessage: outcome.done, note: undefined, inputRequests: undefined, cancel: undefined };
      if ('refused' in outcome) return { ...j, note: outcome.refused, cancel: undefined, status: j.inputRequests ? 'input_required' : 'working' };
      const key = `cancel-${j.inputsIssued + 1}`;
      return {
        ...j,
        status: 'input_required',
        note: `Waiting for the user to agree to end it: ${outcome.ask.message.split('\n')[0]}`,
        inputsIssued: j.inputsIssued + 1,
        inputRequests: { ...j.inputRequests, [key]: { method: 'elicitation/create', params: { mode: 'form', ...outcome.ask } } },
        cancel: { by: whoRecord(by), at: this.env.now(), key, binding: outcome.binding },
      };
    });
  }

  /** A stored callback that names a job moves it now. */
  private async heard(event: StoredEvent): Promise<void> {
    const keys = new Set([...this.kinds.values()].flatMap((kind) => kind.heard?.(event) ?? []));
    for (const key of keys) {
      const id = await this.ctx.store.get<string>(NS.jobIndex, key);
      if (id) await this.advance(id).catch((err) => {
        if (!(err instanceof JobNotFound)) throw err;
      });
    }
  }

  /** Applies a change with a revised write, reading again when another process wrote first. */
  private async mutate(id: string, change: (job: Job) => Job | undefined): Promise<{ job: Job; before: Job; changed: boolean }> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const held = await this.ctx.store.getRevised<Job>(NS.jobs, id);
      if (!held) throw new JobNotFound(id);
      const next = change(held.value);
      if (!next) return { job: held.value, before: held.value, changed: false };
      const written = { ...next, updatedAt: this.env.now() };
      if (await this.ctx.store.putRevised(NS.jobs, id, held.rev, written, this.expiry(written))) {
        this.changed(written, held.value);
        return { job: written, before: held.value, changed: true };
      }
    }
    throw new StoreUnavailableError(`task ${id} kept changing under this process; try again`);
  }

  private async loaded(): Promise<void> {
    if (!this.env.catalog.size) this.env.catalog = await this.catalog();
  }

  private kind(job: Job): JobKind {
    const kind = this.kinds.get(job.kind);
    if (!kind) throw new Error(`no kind of job named ${job.kind} is known to this server`);
    return kind;
  }

  private expiry(job: Job): number {
    return job.createdAt + job.ttlMs;
  }

  /** Tells listeners of a job as written; `before` is how it stood, for telemetry of status changes. */
  private changed(job: Job, before?: Job): void {
    if (job.status !== before?.status) telemetry.taskStatus(job.status, { tool: job.tool, previous: before?.status });
    for (const listener of this.listeners) listener(job);
  }
}

/**
 * The follow hook a caller puts in a call's extra, and, once the call has returned, the job to answer it with: the
 * job the call started, or one that waits for the human approver the call now waits for (the approval guardrail
 * answers "Approval required" with _meta.approval).
 */
export function following(jobs: Jobs, by: Identity | undefined): { extra: Pick<CallExtra, 'follow'>; settle(result: CallToolResult): Promise<Job | undefined>; problem(): string | undefined } {
  let job: Job | undefined;
  let problem: string | undefined;
  const make = async (what: FollowedStart) => {
    try {
      job = await jobs.create(what, by);
    } catch (err) {
      problem = (err as Error).message;
    }
  };
  return {
    extra: { follow: make },
    async settle(result) {
      const approval = (result._meta as { approval?: { id?: unknown; state?: unknown } } | undefined)?.approval;
      if (!job && result.isError && approval?.state === 'pending' && typeof approval.id === 'string') {
        await make({ kind: 'approval', id: approval.id });
      }
      return job;
    },
    problem: () => problem,
  };
}
