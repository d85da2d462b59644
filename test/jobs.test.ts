// The job engine (src/jobs/jobs.ts) apart from any protocol: who may see and move a job, that every step of it is
// taken once however many processes move it at once, and that a job is forgotten only after its time.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { AuditLog } from '../src/guardrails/audit.js';
import { ConfirmationTokens, type ConsentAnswer } from '../src/guardrails/consent.js';
import { OPERATOR, TOKEN_HOLDER, type Identity } from '../src/guardrails/identity.js';
import { JobNotFound, Jobs, type CancelOutcome, type Job, type JobKind } from '../src/jobs/jobs.js';
import type { ServerContext } from '../src/server/pipeline.js';
import { MemoryStore } from '../src/store/memory.js';
import { ApprovalJobs } from '../src/jobs/approvals.js';
import type { Approval } from '../src/guardrails/approvals.js';

/** What these tests decide of an approval. */
type ApprovalView = Pick<Approval, 'state' | 'tool' | 'expiresAt'> & { decision?: { by: { subject: string; via: 'oauth'; name?: string }; reason?: string } };
import { TrtcJobs } from '../src/jobs/trtc.js';
import { loadCatalog } from '../src/server/registry.js';
import type { Store } from '../src/store/store.js';
import { recordAttack } from './helpers.js';

const ALICE: Identity = { subject: 'alice@example.com', via: 'oauth' };
const MALLORY: Identity = { subject: 'mallory@example.com', via: 'oauth' };

function contextOf(store: Store, args: string[] = []): ServerContext {
  return {
    config: loadConfig(args, { TRTC_SDK_APP_ID: '1400000001' }),
    log: silentLogger,
    callers: {},
    wireEnv: (sdkAppId) => ({ sdkAppId, now: Date.now }),
    tokens: new ConfirmationTokens(Buffer.alloc(32), 300, store),
    requestStateKey: Buffer.alloc(32),
    audit: new AuditLog(undefined, 'jobs-test'),
    store,
  };
}

interface Counted {
  /** Cancels the kind ran, across every engine: each must happen once. */
  stops: number;
  doneAt?: number;
  /** The answers the cancels were given, with what each was bound to. */
  answers?: Array<{ binding: string; action: string }>;
}

/** A kind that counts what it is asked to do, ends when told, and asks a question at its start. */
function countingKind(counts: Counted, outcome: CancelOutcome = { done: 'Cancelled.' }): JobKind<{ n: number }> {
  return {
    start: async () => ({
      tool: 'count', app: 1400000001, rooms: [{ id: 'room-1', kind: 'str' }], state: { n: 0 }, statusMessage: 'Counting.', pollIntervalMs: 1000,
      inputRequests: { 'ask-1': { method: 'elicitation/create', params: { message: 'Go on?', requestedSchema: { type: 'object', properties: { confirm: { type: 'boolean' } } } } } },
    }),
    advance: async (job) => (counts.doneAt !== undefined && Date.now() >= counts.doneAt ? { ...job, status: 'completed', statusMessage: 'Done.', result: { content: [] } } : undefined),
    cancel: async (_job, _env, request) => {
      if (request.answer) (counts.answers ??= []).push({ binding: request.answer.binding, action: request.answer.response.action });
      counts.stops++;
      await new Promise((r) => setTimeout(r, 20));
      return outcome;
    },
    // Pure, as the engine asks: a write another process beat is computed again.
    answer: (job: Job<{ n: number; answers?: string[] }>, key: string, response: ConsentAnswer) => ({
      ...job, state: { n: job.state.n + 1, answers: [...(job.state.answers ?? []), `${key}:${response.action}`] },
    }),
  };
}

async function engines(store: Store, counts: Counted, n = 1, args: string[] = [], outcome?: CancelOutcome): Promise<Jobs[]> {
  return Array.from({ length: n }, () => {
    const jobs = new Jobs(contextOf(store, args), async () => new Map());
    jobs.register('count', countingKind(counts, outcome));
    return jobs;
  });
}

describe('who may see and move a job', () => {
  it('gives it to the identity that started it and to nobody else: another gets "unknown task", and nothing moves', async () => {
    const counts: Counted = { stops: 0 };
    const [jobs] = await engines(new MemoryStore(), counts);
    const job = await jobs!.create({ kind: 'count' }, ALICE);
    expect(job).toMatchObject({ owner: { subject: ALICE.subject, via: 'oauth' }, status: 'input_required' });
    expect((await jobs!.get(job.id, ALICE)).id).toBe(job.id);
    const tries = [
      () => jobs!.get(job.id, MALLORY),
      () => jobs!.cancel(job.id, MALLORY, true),
      () => jobs!.update(job.id, MALLORY, { 'ask-1': { action: 'accept', content: { confirm: true } } }),
      () => jobs!.get(job.id, OPERATOR),
    ];
    for (const attempt of tries) await expect(attempt()).rejects.toBeInstanceOf(JobNotFound);
    const after = await jobs!.get(job.id, ALICE);
    recordAttack('tasks: another identity reads, cancels and answers a task', counts.stops + after.state.n);
    expect(counts.stops).toBe(0);
    expect(after).toMatchObject({ status: 'input_required', state: { n: 0 } });
  });

  it('refuses a job whose rooms this server\'s scope does not reach, to its own owner too', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const [wide] = await engines(store, counts);
    const [narrow] = await engines(store, counts, 1, ['--allow-rooms', 'class-*']);
    const job = await wide!.create({ kind: 'count' }, ALICE);
    await expect(narrow!.get(job.id, ALICE)).rejects.toBeInstanceOf(JobNotFound);
    await expect(narrow!.cancel(job.id, ALICE, true)).rejects.toBeInstanceOf(JobNotFound);
    recordAttack('tasks: a task cancelled through a server whose scope does not reach it', counts.stops);
    expect(counts.stops).toBe(0);
  });
});

describe('a job\'s rooms keep their kind', () => {
  it('a job in string room "1234" is outside a scope of numeric room 1234, and inside one of str:1234', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const make = (args: string[]) => {
      const jobs = new Jobs(contextOf(store, args), async () => new Map());
      const kind = countingKind(counts);
      jobs.register('count', { ...kind, start: async (what, env) => ({ ...(await kind.start(what, env)), rooms: [{ id: '1234', kind: 'str' }] }) });
      return jobs;
    };
    const job = await make([]).create({ kind: 'count' }, ALICE);
    await expect(make(['--allow-rooms', '1234']).get(job.id, ALICE)).rejects.toBeInstanceOf(JobNotFound);
    expect((await make(['--allow-rooms', 'str:1234']).get(job.id, ALICE)).id).toBe(job.id);
  });
});

describe('one engine, seen through each identity\'s permissions', () => {
  it('an OAuth subject named "operator" is not the operator, and the operator is one person however admitted', async () => {
    const counts: Counted = { stops: 0 };
    const [jobs] = await engines(new MemoryStore(), counts);
    const job = await jobs!.create({ kind: 'count' }, OPERATOR);
    await expect(jobs!.get(job.id, { subject: 'operator', via: 'oauth' })).rejects.toBeInstanceOf(JobNotFound);
    await expect(jobs!.cancel(job.id, { subject: 'operator', via: 'oauth' }, true)).rejects.toBeInstanceOf(JobNotFound);
    expect((await jobs!.get(job.id, TOKEN_HOLDER)).id).toBe(job.id);
    recordAttack('tasks: an OAuth token whose subject is "operator" reaches the operator\'s task', counts.stops);
    expect(counts.stops).toBe(0);
  });

  it('a narrowed view shares the kinds and the listeners, sees with its own scope, and only the engine hears callbacks', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const heard: string[] = [];
    const events = { receiving: true, onStored: (l: unknown) => void heard.push(String(typeof l)) } as unknown as ServerContext['events'];
    const engine = new Jobs({ ...contextOf(store), events }, async () => new Map());
    engine.register('count', countingKind(counts));
    const narrow = engine.narrowed({ ...contextOf(store, ['--allow-rooms', 'class-*']), events });
    expect(engine.narrowed((engine as unknown as { ctx: ServerContext }).ctx)).toBe(engine);
    const changes: string[] = [];
    narrow.onChange((job) => changes.push(job.status));
    const job = await engine.create({ kind: 'count' }, ALICE);
    expect(changes).toEqual(['input_required']);
    await expect(narrow.get(job.id, ALICE)).rejects.toBeInstanceOf(JobNotFound);
    expect(heard).toHaveLength(1);
  });
});

describe('every step is taken once, however many processes move a job at once', () => {
  it('takes in an answer once when it is sent to three processes together, and ignores keys never asked', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const all = await engines(store, counts, 3);
    const job = await all[0]!.create({ kind: 'count' }, ALICE);
    await Promise.all(all.map((jobs) => jobs.update(job.id, ALICE, { 'ask-1': { action: 'accept', content: { confirm: true } }, 'never-asked': { action: 'accept' } })));
    expect(await all[1]!.get(job.id, ALICE)).toMatchObject({ status: 'working', state: { n: 1, answers: ['ask-1:accept'] } });
    expect((await all[2]!.get(job.id, ALICE)).inputRequests).toBeUndefined();
  });

  it('runs a cancel once when three processes are asked at once, and acknowledges the others', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const all = await engines(store, counts, 3);
    const job = await all[0]!.create({ kind: 'count' }, ALICE);
    await Promise.all(all.map((jobs) => jobs.cancel(job.id, ALICE, true)));
    expect(counts.stops).toBe(1);
    expect(await all[2]!.get(job.id, ALICE)).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled.' });
    // A cancel of a job that ended is acknowledged, and runs nothing.
    await all[1]!.cancel(job.id, ALICE, true);
    expect(counts.stops).toBe(1);
  });

  it('asks once for a cancel that needs consent, and drops the question when the job ends by itself first', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const ask = { ask: { message: 'Stop it?\nSomething: "x"', requestedSchema: { type: 'object' as const, properties: { confirm: { type: 'boolean' as const } }, required: ['confirm'] } }, binding: 'stop-it' };
    const all = await engines(store, counts, 2, [], ask);
    const job = await all[0]!.create({ kind: 'count' }, ALICE);
    await Promise.all(all.map((jobs) => jobs.cancel(job.id, ALICE, true)));
    const asking = await all[1]!.get(job.id, ALICE);
    expect(Object.keys(asking.inputRequests!)).toEqual(['ask-1', 'cancel-2']);
    expect(asking).toMatchObject({ status: 'input_required', cancel: { key: 'cancel-2' }, note: 'Waiting for the user to agree to end it: Stop it?' });
    counts.doneAt = Date.now();
    const ended = await all[0]!.get(job.id, ALICE);
    expect(ended).toMatchObject({ status: 'completed', statusMessage: 'Done.' });
    expect(ended.inputRequests).toBeUndefined();
    expect(ended.cancel).toBeUndefined();
    expect(counts.stops).toBe(1);
  });

  it('hands the human\'s answer to the cancel with the binding of the question it answers, once', async () => {
    const store = new MemoryStore();
    const counts: Counted = { stops: 0 };
    const ask = { ask: { message: 'Stop it?', requestedSchema: { type: 'object' as const, properties: { confirm: { type: 'boolean' as const } } } }, binding: 'stop-it' };
    const all = await engines(store, counts, 2, [], ask);
    const job = await all[0]!.create({ kind: 'count' }, ALICE);
    await all[0]!.cancel(job.id, ALICE, true);
    const yes = { action: 'accept' as const, content: { confirm: true } };
    await Promise.all(all.map((jobs) => jobs.update(job.id, ALICE, { 'cancel-2': yes })));
    expect(counts.answers).toEqual([{ binding: 'stop-it', action: 'accept' }]);
  });
});

describe('how long a job is kept', () => {
  it('keeps it readable for its ttlMs, and forgets it after', async () => {
    let now = 1_800_000_000_000;
    const store = new MemoryStore(() => now);
    const jobs = new Jobs(contextOf(store, ['--task-ttl', '120']), async () => new Map(), () => now);
    jobs.register('count', countingKind({ stops: 0 }));
    const job = await jobs.create({ kind: 'count' }, ALICE);
    expect(job.ttlMs).toBe(120_000);
    now += 119_000;
    expect((await jobs.get(job.id, ALICE)).id).toBe(job.id);
    now += 2_000;
    await expect(jobs.get(job.id, ALICE)).rejects.toBeInstanceOf(JobNotFound);
  });
});

describe('a call waiting for a human approver, followed as a job', () => {
  /** Approvals as the approval guardrail keeps them, decided by the test. */
  function approvalsOf(approval: ApprovalView) {
    return {
      approval,
      source: {
        get: async (id: string) => (id === 'appr-1' ? { ...approval } : undefined),
        callOf: async () => ({ RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'bot-approved', UserSig: 'sig-of-bot', TargetUserId: 'dana' } }),
        link: (id: string) => `https://approvals.example.com/approvals/${id}`,
      },
    };
  }
  async function setUp(approval: ApprovalView) {
    const store = new MemoryStore();
    const sent: string[] = [];
    const { source } = approvalsOf(approval);
    const ctx = {
      ...contextOf(store),
      approvals: source,
      callers: {
        cloud: {
          invoke: async (def: { name: string }) => (sent.push(def.name), { response: { TaskId: 'trtc-task-1', RequestId: 'req-1' }, attempts: 1 }),
          preview: () => ({ method: 'POST', url: 'x', headers: {}, body: '{}' }),
        },
      },
    } as unknown as ServerContext;
    const jobs = new Jobs(ctx, loadCatalog);
    jobs.register('trtc', new TrtcJobs());
    jobs.register('approval', new ApprovalJobs());
    const job = await jobs.create({ kind: 'approval', id: 'appr-1' }, ALICE);
    return { jobs, job, sent };
  }

  it('stays working, naming the approval and its page, while the approver has not decided', async () => {
    const { jobs, job, sent } = await setUp({ state: 'pending', tool: 'StartAIConversation', expiresAt: Date.now() + 60_000 });
    expect(await jobs.get(job.id, ALICE)).toMatchObject({
      status: 'working', meta: { approval: { id: 'appr-1', url: 'https://approvals.example.com/approvals/appr-1' } },
      statusMessage: 'Waiting for a human approver to decide StartAIConversation (approval appr-1) on https://approvals.example.com/approvals/appr-1; nothing was sent.',
    });
    expect(sent).toEqual([]);
  });

  it('ends with the approver\'s no, sending nothing', async () => {
    const { jobs, job, sent } = await setUp({ state: 'denied', tool: 'StartAIConversation', expiresAt: Date.now() + 60_000, decision: { by: { subject: 'bob', via: 'oauth', name: 'Bob' }, reason: 'not now' } });
    const ended = await jobs.get(job.id, ALICE);
    expect(ended).toMatchObject({ status: 'completed', statusMessage: 'Failed: the approver denied StartAIConversation.', result: { isError: true } });
    expect(ended.result!.content[0]).toMatchObject({ text: 'The approver Bob (bob) denied StartAIConversation, saying "not now"; nothing was sent.' });
    expect(sent).toEqual([]);
  });

  it('runs the approved call once, in its asker\'s name and only when they look, and then follows the job it started', async () => {
    const { jobs, job, sent } = await setUp({ state: 'approved', tool: 'StartAIConversation', expiresAt: Date.now() + 60_000, decision: { by: { subject: 'bob', via: 'oauth' } } });
    // A callback moving the job, with nobody looking, does not act in the asker's name.
    expect((await jobs.advance(job.id)).status).toBe('working');
    expect(sent).toEqual([]);
    await Promise.all([jobs.get(job.id, ALICE), jobs.get(job.id, ALICE)]);
    expect(sent).toEqual(['StartAIConversation']);
    const following = await jobs.get(job.id, ALICE);
    expect(following).toMatchObject({ kind: 'trtc', status: 'working', meta: { approval: { id: 'appr-1' }, job: { TaskId: 'trtc-task-1', tool: 'StartAIConversation' } } });
    expect(following.statusMessage).toMatch(/^Approved\. StartAIConversation started the AI conversation \(TaskId trtc-task-1 in app 1400000001\)/);
  });
});
