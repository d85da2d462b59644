// The approvals guardrail on its own: what a pending approval records and binds, who may decide it and when, single
// use, waiting (in this process and across processes sharing a store), how consent routes to approvers, and the
// settings that turn it on.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, usesApprovals } from '../src/config.js';
import { Approvals, MAX_PENDING_PER_REQUESTER, type NewApproval } from '../src/guardrails/approvals.js';
import { ConfirmationTokens, decideConsent, type ApproverRoute, type ConsentRequest } from '../src/guardrails/consent.js';
import { OPERATOR, type Identity } from '../src/guardrails/identity.js';
import { MemoryStore } from '../src/store/memory.js';
import { NS } from '../src/store/store.js';
import { capture, CLI, cleanEnv } from './helpers.js';

const KEY = randomBytes(32);
const PERSON = { subject: 'approver-token', via: 'token' } as const;
const SUBJECT: NewApproval = {
  tool: 'RemoveUser', api: 'RemoveUser', app: 1400000001, args: { RoomId: 1234, UserIds: ['carol'] }, effect: 'destructive',
  requester: { subject: 'operator', via: 'local' }, description: 'Kick users out of a room.', call: { RoomId: 1234, UserIds: ['carol'] },
};

function setUp(opts: { ttl?: number; fourEyes?: boolean } = {}) {
  const clock = { now: 1_800_000_000_000 };
  const store = new MemoryStore(() => clock.now);
  const approvals = new Approvals(store, KEY, opts.ttl ?? 60, opts.fourEyes ?? false, () => clock.now);
  return { clock, store, approvals };
}

describe('a pending approval', () => {
  it('records what was asked, shows every argument in full and escaped, and keeps the call sealed', async () => {
    const { store, approvals } = setUp();
    const apiKey = `sk-${randomBytes(12).toString('hex')}`;
    const text = `${'Hello.\n'.repeat(100)}\u202e`;
    const a = await approvals.create({
      ...SUBJECT, tool: 'UpdateAIConversation', args: { TaskId: 't', WelcomeMessage: text, LLMConfig: { APIKey: apiKey } }, call: { TaskId: 't', LLMConfig: { APIKey: apiKey } },
    });
    expect(a).toMatchObject({ state: 'pending', requester: { subject: 'operator' }, expiresAt: 1_800_000_060_000 });
    expect(a.id).toMatch(/^[\w-]{22}$/);
    expect(a.shown).toEqual([
      { path: 'TaskId', value: '"t"' },
      { path: 'WelcomeMessage', value: `${JSON.stringify(text.slice(0, -1)).slice(0, -1)}\\u202e"` },
      { path: 'LLMConfig.APIKey', value: '"[redacted]"' },
    ]);
    // The store holds the agent's inline key only sealed; the call comes back whole.
    expect(JSON.stringify(await store.get(NS.approvals, a.id))).not.toContain(apiKey);
    expect(await approvals.callOf(a.id)).toEqual({ TaskId: 't', LLMConfig: { APIKey: apiKey } });
    // Another deployment's key opens nothing.
    await expect(new Approvals(store, randomBytes(32), 60, false).callOf(a.id)).rejects.toThrow();
  });

  it('asking again for the same call from the same caller is the same question; anything else is a new one', async () => {
    const { approvals } = setUp();
    const a = await approvals.create(SUBJECT);
    expect((await approvals.create(SUBJECT)).id).toBe(a.id);
    expect((await approvals.create({ ...SUBJECT, requester: { subject: 'alice', via: 'oauth' } })).id).not.toBe(a.id);
    expect((await approvals.create({ ...SUBJECT, args: { RoomId: 1234, UserIds: ['bob'] } })).id).not.toBe(a.id);
    expect((await approvals.create({ ...SUBJECT, reason: 'another reason' })).id).not.toBe(a.id);
    await approvals.decide(a.id, { approved: false, by: PERSON, binding: a.binding });
    expect((await approvals.create(SUBJECT)).id).not.toBe(a.id);
  });

  it('one caller can have at most twenty pending approvals: an agent cannot bury the approvers in questions', async () => {
    const { approvals } = setUp();
    for (let i = 0; i < MAX_PENDING_PER_REQUESTER; i++) await approvals.create({ ...SUBJECT, args: { RoomId: i } });
    await expect(approvals.create({ ...SUBJECT, args: { RoomId: 99 } })).rejects.toThrow('20 approvals asked by this caller already wait for a decision');
    // Asking again for one that waits is no new question; another caller asks on.
    expect((await approvals.create({ ...SUBJECT, args: { RoomId: 0 } })).state).toBe('pending');
    expect((await approvals.create({ ...SUBJECT, args: { RoomId: 99 }, requester: { subject: 'alice', via: 'oauth' } })).state).toBe('pending');
    const tokens = new ConfirmationTokens(KEY, 60, new MemoryStore());
    const request: ConsentRequest = { tool: 'RemoveUser', app: 1, args: { RoomId: 98 }, effect: 'destructive', intent: '' };
    const route: ApproverRoute = { approvals, requester: OPERATOR, record: { api: 'RemoveUser', description: '', call: {} } };
    expect(await decideConsent(tokens, 'approver', request, { kind: 'token' }, undefined, route)).toMatchObject({
      granted: false, how: 'approval-limit', message: expect.stringMatching(/^Refused: 20 approvals asked by this caller already wait for a decision; nothing was sent\./),
    });
  });

  it('binds tool, app, arguments, effect, reason and requester', () => {
    const { approvals } = setUp();
    const base = approvals.binding(SUBJECT);
    const changes: Array<Partial<NewApproval>> = [
      { tool: 'RemoveUserByStrRoomId' }, { app: 1400000002 }, { args: { RoomId: 1234, UserIds: ['carol', 'bob'] } }, { effect: 'write' }, { reason: 'x' },
      { requester: { subject: 'alice', via: 'oauth' } },
    ];
    for (const change of changes) expect(approvals.binding({ ...SUBJECT, ...change }), JSON.stringify(change)).not.toBe(base);
    // Key order does not matter; the key does.
    expect(approvals.binding({ ...SUBJECT, args: { UserIds: ['carol'], RoomId: 1234 } })).toBe(base);
    expect(new Approvals(new MemoryStore(), randomBytes(32), 60, false).binding(SUBJECT)).not.toBe(base);
  });
});

describe('deciding', () => {
  it('the first decision wins; it must name what was shown; an expired approval cannot be decided', async () => {
    const { clock, approvals } = setUp();
    const a = await approvals.create(SUBJECT);
    expect(await approvals.decide(a.id, { approved: true, by: PERSON, binding: 'something-else' })).toMatchObject({ problem: 'changed' });
    expect(await approvals.decide('x'.repeat(22), { approved: true, by: PERSON, binding: a.binding })).toEqual({ problem: 'unknown' });
    const won = await approvals.decide(a.id, { approved: true, by: PERSON, binding: a.binding, reason: 'ok' });
    expect(won).toMatchObject({ approval: { state: 'approved', decision: { approved: true, by: PERSON, reason: 'ok', at: clock.now } } });
    expect(await approvals.decide(a.id, { approved: false, by: PERSON, binding: a.binding })).toMatchObject({ problem: 'decided' });
    expect((await approvals.get(a.id))!.state).toBe('approved');

    const late = await approvals.create({ ...SUBJECT, args: { RoomId: 1 } });
    clock.now += 60_001;
    expect((await approvals.get(late.id))!.state).toBe('expired');
    expect(await approvals.decide(late.id, { approved: true, by: PERSON, binding: late.binding })).toMatchObject({ problem: 'expired' });
  });

  it('under four-eyes, the requester cannot decide their own call; another person can', async () => {
    const { approvals } = setUp({ fourEyes: true });
    const alice = { subject: 'alice', via: 'oauth' } as const;
    const a = await approvals.create({ ...SUBJECT, requester: alice });
    expect(await approvals.decide(a.id, { approved: true, by: { ...alice, name: 'Alice' }, binding: a.binding })).toMatchObject({ problem: 'four-eyes' });
    expect((await approvals.get(a.id))!.state).toBe('pending');
    expect(await approvals.decide(a.id, { approved: true, by: { subject: 'bob', via: 'oauth' }, binding: a.binding })).toMatchObject({ approval: { state: 'approved' } });
  });

  it('an approval is used once', async () => {
    const { approvals } = setUp();
    const a = await approvals.create(SUBJECT);
    await approvals.decide(a.id, { approved: true, by: PERSON, binding: a.binding });
    expect(await approvals.spend(a)).toBe(true);
    expect(await approvals.spend(a)).toBe(false);
  });

  it('lists pending approvals first, newest first', async () => {
    const { clock, approvals } = setUp();
    const first = await approvals.create(SUBJECT);
    clock.now += 1;
    const second = await approvals.create({ ...SUBJECT, args: { RoomId: 2 } });
    clock.now += 1;
    const third = await approvals.create({ ...SUBJECT, args: { RoomId: 3 } });
    await approvals.decide(second.id, { approved: false, by: PERSON, binding: second.binding });
    expect((await approvals.list()).map((a) => a.id)).toEqual([third.id, first.id, second.id]);
  });
});

describe('waiting', () => {
  it('wakes at once for a decision in this process, and finds one made by another process sharing the store', async () => {
    const store = new MemoryStore();
    const here = new Approvals(store, KEY, 60, false);
    const there = new Approvals(store, KEY, 60, false);
    const a = await here.create(SUBJECT);
    const progress: number[] = [];
    const waited = here.wait(a.id, { maxMs: 10_000, progress: (ms) => progress.push(ms) });
    setTimeout(() => void here.decide(a.id, { approved: true, by: PERSON, binding: a.binding }), 1_200);
    expect((await waited)!.state).toBe('approved');
    expect(progress.length).toBeGreaterThanOrEqual(1);

    const b = await here.create({ ...SUBJECT, args: { RoomId: 9 } });
    const fromThere = here.wait(b.id, { maxMs: 10_000 });
    setTimeout(() => void there.decide(b.id, { approved: false, by: PERSON, binding: b.binding }), 50);
    expect((await fromThere)!.state).toBe('denied');
  });

  it('returns the approval still pending when the wait ends or is aborted', async () => {
    const { approvals } = setUp();
    const a = await approvals.create(SUBJECT);
    const real = new Approvals(new MemoryStore(), KEY, 60, false);
    const b = await real.create(SUBJECT);
    expect((await real.wait(b.id, { maxMs: 30 }))!.state).toBe('pending');
    const abort = new AbortController();
    abort.abort();
    expect((await approvals.wait(a.id, { maxMs: 60_000, signal: abort.signal }))!.state).toBe('pending');
    expect(await approvals.wait('nope', { maxMs: 10 })).toBeUndefined();
  });
});

describe('consent through approvers', () => {
  const request: ConsentRequest = { tool: 'RemoveUser', app: 1400000001, args: { RoomId: 1234, UserIds: ['carol'] }, effect: 'destructive', intent: 'RemoveUser...' };
  const tokens = new ConfirmationTokens(KEY, 60, new MemoryStore());
  const elicitation = { kind: 'elicitation' as const, ask: async () => ({ action: 'accept', content: { confirm: true } }) };
  const route = (approvals: Approvals, extra: Partial<ApproverRoute> = {}): ApproverRoute => ({
    approvals, requester: OPERATOR, record: { api: 'RemoveUser', description: 'Kick', call: { RoomId: 1234, UserIds: ['carol'] } }, ...extra,
  });

  it('auto asks the client\'s user where it can, else approvers; approver asks approvers whatever the client', async () => {
    const { approvals } = setUp();
    expect(await decideConsent(tokens, 'auto', request, elicitation, undefined, route(approvals))).toEqual({ granted: true, how: 'elicitation' });
    expect(await decideConsent(tokens, 'auto', request, { kind: 'token' }, undefined, route(approvals))).toMatchObject({ granted: false, how: 'awaiting-approval', outcome: 'approval-pending' });
    expect(await decideConsent(tokens, 'approver', request, elicitation, undefined, route(approvals))).toMatchObject({ granted: false, how: 'awaiting-approval' });
    // Without approvers, auto still hands out a token.
    expect(await decideConsent(tokens, 'auto', request, { kind: 'token' }, undefined)).toMatchObject({ how: 'awaiting-token' });
  });

  it('a token never stands in for an approver, even one this server issued for these very arguments', async () => {
    const { approvals } = setUp();
    const { token } = tokens.issue(request);
    const decision = await decideConsent(tokens, 'approver', request, { kind: 'token' }, token, route(approvals));
    expect(decision).toMatchObject({ granted: false, how: 'token-refused' });
    expect(await approvals.list()).toEqual([]);
  });

  it('a call continues its approval: granted once approved (and used up), refused when denied, changed, someone else\'s or used', async () => {
    const { approvals } = setUp();
    const pending = await decideConsent(tokens, 'approver', request, { kind: 'token' }, undefined, route(approvals));
    const id = (pending as { approval: { id: string } }).approval.id;
    const a = (await approvals.get(id))!;

    const changed = await decideConsent(tokens, 'approver', { ...request, effect: 'write' }, { kind: 'token' }, undefined, route(approvals, { id }));
    expect(changed).toMatchObject({ how: 'approval-changed' });
    expect((changed as { message: string }).message).toContain('(it was judged destructive; it is now write)');
    const alice: Identity = { subject: 'alice', via: 'oauth' };
    expect(await decideConsent(tokens, 'approver', request, { kind: 'token' }, undefined, route(approvals, { id, requester: alice }))).toMatchObject({ how: 'approval-unknown' });

    await approvals.decide(id, { approved: true, by: PERSON, binding: a.binding });
    expect(await decideConsent(tokens, 'approver', request, { kind: 'token' }, undefined, route(approvals, { id }))).toMatchObject({ granted: true, how: 'approver', approval: { id, decidedBy: PERSON } });
    expect(await decideConsent(tokens, 'approver', request, { kind: 'token' }, undefined, route(approvals, { id }))).toMatchObject({ granted: false, how: 'approval-spent' });

    const other = { ...request, args: { RoomId: 1234, UserIds: ['bob'] } };
    const asked = await decideConsent(tokens, 'approver', other, { kind: 'token' }, undefined, route(approvals));
    const second = (await approvals.get((asked as { approval: { id: string } }).approval.id))!;
    await approvals.decide(second.id, { approved: false, by: PERSON, binding: second.binding, reason: 'not now' });
    expect(await decideConsent(tokens, 'approver', other, { kind: 'token' }, undefined, route(approvals, { id: second.id }))).toMatchObject({
      granted: false, how: 'approval-denied', outcome: 'declined', message: 'The approver denied RemoveUser by "approver-token", saying "not now"; nothing was sent.',
    });
  });

  it('a call allowed to wait (a task) waits for the decision in place', async () => {
    const store = new MemoryStore();
    const approvals = new Approvals(store, KEY, 60, false);
    approvals.onCreated = (a) => void setTimeout(() => void approvals.decide(a.id, { approved: true, by: PERSON, binding: a.binding }), 100);
    expect(await decideConsent(tokens, 'approver', request, { kind: 'token' }, undefined, route(approvals, { waitMs: 10_000 }))).toMatchObject({ granted: true, how: 'approver' });
  });
});

describe('settings', () => {
  const base = { TRTC_MCP_TRANSPORT: 'http' };
  const token = 'approver-token-0123456789';
  const refused = (env: Record<string, string>, argv: string[] = []) => {
    try {
      loadConfig(argv, env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('turn approvals on with an approver token wherever consent may go to approvers', () => {
    expect(usesApprovals(loadConfig([], { ...base, TRTC_MCP_APPROVER_TOKEN: token }))).toBe(true);
    expect(usesApprovals(loadConfig(['--consent-channel', 'approver'], { ...base, TRTC_MCP_APPROVER_TOKEN: token }))).toBe(true);
    expect(usesApprovals(loadConfig(['--read-only'], { ...base, TRTC_MCP_APPROVER_TOKEN: token }))).toBe(false);
    expect(usesApprovals(loadConfig([], base))).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'trtc-approver-'));
    writeFileSync(join(dir, 'token'), `${token}\n`);
    expect(loadConfig(['--approver-token-file', join(dir, 'token')], base).approverToken).toBe(token);
  });

  it('refuse settings that would let an agent approve, or that do nothing', () => {
    expect(refused({ ...base, TRTC_MCP_APPROVER_TOKEN: token, TRTC_MCP_AUTH_TOKEN: token })).toMatch(/^The approver token equals the MCP bearer token/);
    expect(refused(base, ['--consent-channel', 'approver'])).toMatch(/^--consent-channel approver needs people who can approve/);
    expect(refused({ ...base, TRTC_MCP_APPROVER_TOKEN: token }, ['--consent-channel', 'elicitation-only'])).toMatch(/^--consent-channel elicitation-only takes consent only from the client's own user/);
    expect(refused({ TRTC_MCP_APPROVER_TOKEN: token })).toMatch(/^Approvers are configured, but with stdio the approval page needs a port of its own: add --approvals-listen/);
    expect(refused(base, ['--four-eyes'])).toMatch(/^--four-eyes applies to approvals, and no approver is configured/);
    expect(refused({ ...base, TRTC_MCP_APPROVER_TOKEN: token, TRTC_MCP_APPROVAL_WEBHOOK_URL: 'https://hooks.example/x' })).toMatch(/TRTC_MCP_APPROVAL_WEBHOOK_SECRET is not/);
    expect(refused({ ...base, TRTC_MCP_APPROVER_TOKEN: token, TRTC_MCP_APPROVAL_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}` })).toMatch(/TRTC_MCP_APPROVAL_WEBHOOK_URL is not/);
    expect(refused({ ...base, TRTC_MCP_APPROVER_TOKEN: token, TRTC_MCP_APPROVAL_WEBHOOK_URL: 'https://hooks.example/x', TRTC_MCP_APPROVAL_WEBHOOK_SECRET: 'not-a-secret' })).toMatch(/must be a Standard Webhooks secret/);
    expect(refused({ ...base, TRTC_MCP_APPROVER_TOKEN: 'short' })).toMatch(/TRTC_MCP_APPROVER_TOKEN: must have at least 16 characters \(got \(hidden\)\)/);
  });

  it('a refused setting ends the server with exit code 2 and one line that says what to do', () => {
    const run = spawnSync(process.execPath, [CLI, '--transport', 'http', '--port', '0'], {
      env: cleanEnv({ TRTC_MCP_APPROVER_TOKEN: token, TRTC_MCP_AUTH_TOKEN: token }), encoding: 'utf8', timeout: 15_000,
    });
    capture(run.stderr);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('The approver token equals the MCP bearer token, so every MCP client (and its agent) could approve: give approvers a token of their own.\n');
  });
});
