// A wait for TRTC events (wait_for_events) followed as a job: it ends with the first matching events after its
// cursor, or empty-handed when its time is up, whenever and wherever someone looks (the events are in the shared
// store, so any replica can tell).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { scan, type EventFilter } from '../events/log.js';
import { eventNotes, foundAnswer, timedOutAnswer } from '../events/tools.js';
import { room } from '../guardrails/scope.js';
import { withSandboxNote } from '../server/pipeline.js';
import type { CancelOutcome, Job, JobEnv, JobKind, JobStart } from './jobs.js';

export const WAIT_JOB = 'wait';
/** A client following a wait is asked to look this often: the answer is ready as soon as the event is stored. */
const WAIT_POLL_MS = 1_000;
/** A look that found nothing but moved the cursor this far writes it down, so the next look starts there. */
const CURSOR_STEP = 500;

export interface WaitState {
  app: number;
  filter: EventFilter;
  /** The cursor: events after it are what the wait is for. */
  after: number;
  limit: number;
  deadline: number;
}

const described = (f: EventFilter) =>
  Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ') || 'any';

export class WaitJobs implements JobKind<WaitState> {
  async start(what: Record<string, any>): Promise<JobStart<WaitState>> {
    const state: WaitState = { app: what.app, filter: what.filter, after: what.after, limit: what.limit, deadline: what.deadline };
    return {
      tool: 'wait_for_events',
      app: state.app,
      rooms: state.filter.RoomId !== undefined ? [room(state.filter.RoomId)] : [],
      state,
      statusMessage: `Waiting for events of app ${state.app} after cursor ${state.after} (${described(state.filter)}) until ${new Date(state.deadline).toISOString()}.`,
      pollIntervalMs: WAIT_POLL_MS,
      meta: { wait: { SdkAppId: state.app, after: state.after } },
    };
  }

  async advance(job: Job<WaitState>, env: JobEnv): Promise<Job<WaitState> | undefined> {
    const s = job.state;
    const r = await scan(env.ctx.store, env.ctx.config, s.app, { after: s.after, limit: s.limit, filter: s.filter });
    const done = (result: CallToolResult, message: string): Job<WaitState> => ({
      ...job, state: { ...s, after: r.cursor }, status: 'completed', statusMessage: message, result: withSandboxNote(env.ctx, result),
    });
    if (r.entries.length) return done(foundAnswer(r, eventNotes(env.ctx)), `Done: ${r.entries.length} matching event${r.entries.length > 1 ? 's' : ''} came.`);
    if (env.now() >= s.deadline && !r.more) {
      return done(timedOutAnswer(r.cursor, r.more, env.now() - job.createdAt, eventNotes(env.ctx)), 'Done: no matching event came in time.');
    }
    return r.cursor - s.after >= CURSOR_STEP ? { ...job, state: { ...s, after: r.cursor } } : undefined;
  }

  async cancel(): Promise<CancelOutcome> {
    return { done: 'Cancelled: stopped waiting; nothing else was running.' };
  }
}
