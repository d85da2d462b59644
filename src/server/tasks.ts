// The tasks extension of the 2026-07-28 protocol (io.modelcontextprotocol/tasks) over jobs (src/jobs): a tools/call
// from a client that declares the extension, of a tool whose call starts a job, is answered with a task; tasks/get,
// tasks/update and tasks/cancel read and move the job. Everything else about a job (what moves it, who may see it,
// what ending it takes) is decided in src/jobs and the pipeline; this file only speaks the extension's wire.
import { CLIENT_CAPABILITIES_META_KEY, type Server, type ServerContext as RequestContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { canFillForms, type ConsentAnswer, type ElicitationCapability } from '../guardrails/consent.js';
import type { Identity } from '../guardrails/identity.js';
import { isTerminal as isTerminalStatus, JobNotFound, type Job, type Jobs } from '../jobs/jobs.js';
import { StoreUnavailableError } from '../store/store.js';
import { protocolError } from './core.js';
import { TASKS_EXTENSION } from './instructions.js';

export { TASKS_EXTENSION };

/** The extension's capability, as a server advertises it in server/discover. */
export const TASKS_CAPABILITY = { extensions: { [TASKS_EXTENSION]: {} } };

/** JSON-RPC codes the extension uses. */
const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

type Envelope = Record<string, unknown> | undefined;
type Capabilities = ElicitationCapability & { extensions?: Record<string, unknown> };

const capabilitiesOf = (envelope: Envelope) => envelope?.[CLIENT_CAPABILITIES_META_KEY] as Capabilities | undefined;

/** Whether the request's client declared the extension: only such a request may be answered with a task. */
export function declaresTasks(envelope: Envelope): boolean {
  const declared = capabilitiesOf(envelope)?.extensions?.[TASKS_EXTENSION];
  return typeof declared === 'object' && declared !== null;
}

/** The error for a request that needs the extension from a client that did not declare it. */
export const tasksRequired = (what: string) =>
  protocolError(MISSING_REQUIRED_CLIENT_CAPABILITY, `Missing required client capability: ${what} needs the ${TASKS_EXTENSION} extension, which this request does not declare.`, {
    requiredCapabilities: TASKS_CAPABILITY,
  });

const iso = (ms: number) => new Date(ms).toISOString();

/** The fields of a task every answer carries. */
function taskOf(job: Job) {
  return {
    taskId: job.id,
    status: job.status,
    ...((job.statusMessage || job.note) && { statusMessage: [job.statusMessage, job.note].filter(Boolean).join(' ') }),
    createdAt: iso(job.createdAt),
    lastUpdatedAt: iso(job.updatedAt),
    ttlMs: job.ttlMs,
    pollIntervalMs: job.pollIntervalMs,
    ...(job.meta && { _meta: job.meta }),
  };
}

/** The answer to a tools/call that started a job: the task, flat, as the extension defines CreateTaskResult. */
export const createTaskResult = (job: Job) => ({ resultType: 'task', ...taskOf(job) });

/** A task with what its status carries: the result, the error, or the questions it waits on. */
export function detailedTask(job: Job) {
  return {
    ...taskOf(job),
    // The call's result as this revision sends any: with its resultType.
    ...(job.status === 'completed' && { result: { resultType: 'complete', ...job.result } }),
    ...(job.status === 'failed' && { error: job.error }),
    ...(job.status === 'input_required' && { inputRequests: job.inputRequests ?? {} }),
  };
}

const TaskParams = z.looseObject({ taskId: z.string().min(1).max(256) });
/** Answers are elicitation results; anything else under a key counts as no answer to it. */
const Answer = z.looseObject({ action: z.string(), content: z.record(z.string(), z.unknown()).optional() });

/** Serves tasks/get, tasks/update and tasks/cancel on one server, for the identity it answers. */
export function serveTasks(server: Server, jobs: Jobs, identity: Identity): void {
  const handle = async <T>(method: string, rctx: RequestContext, run: () => Promise<T>): Promise<T> => {
    const envelope = rctx.mcpReq.envelope as Envelope;
    if (!declaresTasks(envelope)) throw tasksRequired(method);
    try {
      return await run();
    } catch (err) {
      if (err instanceof JobNotFound) throw protocolError(INVALID_PARAMS, `Failed to retrieve task: ${err.message}`);
      if (err instanceof StoreUnavailableError) throw protocolError(INTERNAL_ERROR, `${err.message}; the task is unchanged. Retry once it is back.`);
      throw err;
    }
  };
  server.setRequestHandler('tasks/get', { params: TaskParams }, (p, rctx) => handle('tasks/get', rctx, async () => detailedTask(await jobs.get(p.taskId, identity))));
  // The SDK lifts inputResponses out of every request's params (as it does for a retried call), so the answers are
  // read where it puts them.
  server.setRequestHandler('tasks/update', { params: TaskParams }, (p, rctx) =>
    handle('tasks/update', rctx, async () => {
      const answers: Record<string, ConsentAnswer> = {};
      for (const [key, value] of Object.entries(rctx.mcpReq.inputResponses ?? {})) {
        const parsed = Answer.safeParse(value);
        if (parsed.success) answers[key] = parsed.data as ConsentAnswer;
      }
      await jobs.update(p.taskId, identity, answers);
      return {};
    }),
  );
  server.setRequestHandler('tasks/cancel', { params: TaskParams }, (p, rctx) =>
    handle('tasks/cancel', rctx, async () => {
      await jobs.cancel(p.taskId, identity, canFillForms(capabilitiesOf(rctx.mcpReq.envelope as Envelope)));
      return {};
    }),
  );
}

/** Where a notification says which subscription it belongs to (the listen request's id). */
const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
/** A quiet stream still says it is alive this often, so that proxies keep it open. */
const KEEP_ALIVE_MS = 15_000;
/** The least time between two looks at a subscribed task that no change in this process has told of. */
const LOOK_MS = 1_000;

interface ListenRequest {
  id: string | number;
  method: 'subscriptions/listen';
  params: { notifications: { taskIds: string[] }; _meta?: Record<string, unknown> };
}

/** A subscriptions/listen request that asks for task status notifications: the part of the stream this adapter serves. */
export function isTaskListen(body: unknown): body is ListenRequest {
  const b = body as Partial<ListenRequest> | undefined;
  const ids = b?.params?.notifications?.taskIds;
  return b?.method === 'subscriptions/listen' && (typeof b.id === 'string' || typeof b.id === 'number') && Array.isArray(ids) && ids.length > 0 && ids.every((t) => typeof t === 'string');
}

/**
 * The stream that answers a subscriptions/listen for tasks, or undefined for any other request (and for one whose
 * standard headers disagree with it, which the SDK's entry then refuses as it refuses any).
 */
export function taskListen(jobsOf: (identity: Identity) => Jobs) {
  return (body: unknown, headers: Record<string, string | string[] | undefined>, signal: AbortSignal, identity: Identity) =>
    isTaskListen(body) && headers['mcp-method'] === 'subscriptions/listen' && headers['mcp-protocol-version'] === '2026-07-28'
      ? taskNotifications(jobsOf(identity), identity, body, signal)
      : undefined;
}

/**
 * Task status notifications (notifications/tasks) on a subscriptions/listen stream: the acknowledgement naming the
 * tasks this caller may follow, then each task as tasks/get would answer whenever it changes (told at once of what
 * this process changes, and looked at every second or its poll interval for what others change), until every one of
 * them has ended; then the stream's result. The SDK's own listen router knows only list changes, and this server
 * declares none, so a listen for tasks is served here whole.
 */
export async function* taskNotifications(jobs: Jobs, identity: Identity, request: ListenRequest, signal: AbortSignal): AsyncGenerator<Record<string, unknown>> {
  const stamp = (params: Record<string, unknown>) => ({ ...params, _meta: { ...(params._meta as object), [SUBSCRIPTION_ID]: request.id } });
  if (!declaresTasks(request.params._meta)) {
    const err = tasksRequired('subscriptions/listen for taskIds');
    yield { jsonrpc: '2.0', id: request.id, error: { code: (err as { code: number }).code, message: err.message, data: (err as { data: unknown }).data } };
    return;
  }
  const sent = new Map<string, number>();
  for (const id of new Set(request.params.notifications.taskIds)) {
    try {
      sent.set(id, -1);
      await jobs.get(id, identity);
    } catch (err) {
      sent.delete(id);
      if (!(err instanceof JobNotFound)) throw err;
    }
  }
  yield { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: stamp({ notifications: { taskIds: [...sent.keys()] } }) };
  let wake: (() => void) | undefined;
  const stop = jobs.onChange((job) => sent.has(job.id) && wake?.());
  const abort = () => wake?.();
  signal.addEventListener('abort', abort);
  try {
    let lastWord = Date.now();
    while (!signal.aborted && sent.size) {
      let every = LOOK_MS;
      for (const [id, at] of sent) {
        let job: Job;
        try {
          job = await jobs.get(id, identity);
        } catch (err) {
          if (!(err instanceof JobNotFound)) throw err;
          sent.delete(id);
          continue;
        }
        every = Math.max(every, Math.min(job.pollIntervalMs, 5 * LOOK_MS));
        if (job.updatedAt !== at) {
          sent.set(id, job.updatedAt);
          lastWord = Date.now();
          yield { jsonrpc: '2.0', method: 'notifications/tasks', params: stamp(detailedTask(job)) };
        }
        if (isTerminalStatus(job.status)) sent.delete(id);
      }
      if (!sent.size) break;
      if (Date.now() - lastWord >= KEEP_ALIVE_MS) {
        lastWord = Date.now();
        yield { keepAlive: true };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, every);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (!signal.aborted) yield { jsonrpc: '2.0', id: request.id, result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID]: request.id } } };
  } finally {
    stop();
    signal.removeEventListener('abort', abort);
  }
}
