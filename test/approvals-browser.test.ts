// Approvals outside the agent, end to end with real parts: the built server with --consent-channel approver against
// the sandbox, an agent on the SDK's real client, a person in a real browser (Debian's chromium), and a webhook
// receiver on loopback that verifies each notification's Standard Webhooks signature.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { approvalOf } from './approvals.js';
import { Approver, chromiumVersion, startBrowser, type Browser } from './browser.js';
import {
  capture, cloudRequests, connectHttp, connectStdio, OUT_DIR, recordAttack, sandboxEnv, spawnHttp, text, waitForLog, withSandbox, type Connected, type SpawnedHttp,
} from './helpers.js';

const APP = 1400000001;
const APPROVER_TOKEN = `approver-${randomBytes(16).toString('hex')}`;
const HOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

interface Delivery {
  headers: Record<string, string>;
  body: string;
  /** The payload when the signature verified, else the verification error. */
  verified: { type: string; data: Record<string, unknown> } | Error;
}

/** A webhook receiver on loopback that answers 503 to the next `failing` deliveries. */
async function startReceiver(secret: string) {
  const received: Delivery[] = [];
  const state = { failing: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let verified: Delivery['verified'];
    try {
      verified = new Webhook(secret).verify(body, headers) as Delivery['verified'];
    } catch (err) {
      verified = err as Error;
    }
    received.push({ headers, body, verified });
    res.writeHead(state.failing-- > 0 ? 503 : 204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // The URL carries a key, as many webhook URLs do: the server must keep it to itself.
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/approvals?key=${randomBytes(12).toString('hex')}`;
  return { url, received, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const auditLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

describe('approvals in a real browser', () => {
  let sb: Sandbox;
  let server: SpawnedHttp;
  let agent: Client;
  let browser: Browser;
  let person: Approver;
  let hooks: Awaited<ReturnType<typeof startReceiver>>;
  const audit = join(mkdtempSync(join(tmpdir(), 'trtc-audit-')), 'audit.jsonl');

  beforeAll(async () => {
    sb = await withSandbox();
    hooks = await startReceiver(HOOK_SECRET);
    server = await spawnHttp(['--consent-channel', 'approver', '--audit-log', audit], sandboxEnv(sb, {
      TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN,
      TRTC_MCP_APPROVAL_WEBHOOK_URL: hooks.url,
      TRTC_MCP_APPROVAL_WEBHOOK_SECRET: HOOK_SECRET,
      TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')),
    }));
    agent = await connectHttp(server.url);
    browser = await startBrowser();
    person = new Approver(browser.page, server.url);
    await person.signIn(APPROVER_TOKEN);
    process.stdout.write(`approval page tested in ${chromiumVersion()}\n`);
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await browser?.close();
    await server?.stop();
    await hooks?.close();
    await sb?.close();
  });

  it('approved: the agent waits with progress, the person sees the intent and approves, the call runs once', async () => {
    const asked = await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['carol'] } });
    const note = approvalOf(asked);
    expect(asked.isError).toBe(true);
    expect(note).toMatchObject({ state: 'pending', url: `${server.url}/approvals/${note.id}` });
    expect(text(asked)).toMatch(/^Approval required: .* you cannot approve it\. Call wait_for_approval with \{"approvalId": "[\w-]{22}"\}/);
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(0);

    const progress: number[] = [];
    const waiting = agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: note.id, timeoutSeconds: 40 } }, undefined, {
      onprogress: (p) => void progress.push(p.progress),
      timeout: 60_000,
    });
    await person.openFromList(note.id);
    const page = browser.page;
    expect(await page.locator('h1').textContent()).toBe('RemoveUser destructive');
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain(String(APP));
    expect(facts).toMatch(/Requested by\s+operator \(local\)/);
    expect(await person.shownArguments()).toEqual({ RoomId: '1234', UserIds: '["carol"]', SdkAppId: String(APP) });
    await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(0);

    await person.decide('approve');
    const result = await waiting;
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ RequestId: expect.any(String) });
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);
    expect([...sb.world.room(sb.world.apps.get(APP)!, 'int', 1234)!.users.keys()]).not.toContain('carol');
    expect(await page.locator('p.state').textContent()).toMatch(/^Approved by approver-token at /);
    expect(await page.locator('form.decide').count()).toBe(0);

    // Spent: waiting again runs nothing.
    const again = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: note.id } });
    expect(text(again)).toMatch(/was already used; nothing was sent/);
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);

    // Audited: the request, the decision with the approver's identity, the call with how it was approved.
    const records = auditLines(audit).filter((r) => r.approval?.id === note.id);
    expect(records.map((r) => [r.outcome, r.consent, r.by.subject])).toEqual([
      ['approval-pending', 'awaiting-approval', 'operator'],
      ['approved', 'approver', 'approver-token'],
      ['ok', 'approver', 'operator'],
      ['refused:consent', 'approval-spent', 'operator'],
    ]);
    expect(records[1]!.approval.requestedBy).toEqual({ subject: 'operator', via: 'local' });
    expect(records[2]!.approval.decidedBy).toEqual({ subject: 'approver-token', via: 'token' });

    // Notified once, signed, with the link and nothing secret.
    const mine = hooks.received.filter((d) => d.body.includes(note.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.verified).not.toBeInstanceOf(Error);
    expect(mine[0]!.verified).toMatchObject({ type: 'approval.pending', data: { approvalId: note.id, tool: 'RemoveUser', app: APP, effect: 'destructive', url: note.url } });
    expect(mine[0]!.headers['webhook-id']).toBe(`msg_${note.id}`);
    for (const kept of ['carol', APPROVER_TOKEN, HOOK_SECRET, HOOK_SECRET.slice('whsec_'.length)]) expect(mine[0]!.body).not.toContain(kept);
  }, 90_000);

  it('denied: the reason reaches the agent and nothing is sent', async () => {
    const asked = await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } });
    const { id } = approvalOf(asked);
    const waiting = agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 40 } }, undefined, { timeout: 60_000 });
    await person.openFromList(id);
    await person.decide('deny', 'bob is the host <b>today</b>');
    const result = await waiting;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('The approver "approver-token" denied RemoveUser, saying "bob is the host <b>today</b>"; nothing was sent.');
    expect(approvalOf(result).state).toBe('denied');
    // The approver's own words are text on the page too.
    expect(await browser.page.locator('p.state q').textContent()).toBe('bob is the host <b>today</b>');
    expect(await browser.page.locator('p.state b').count()).toBe(0);
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);
    expect([...sb.world.room(sb.world.apps.get(APP)!, 'int', 1234)!.users.keys()]).toContain('bob');
  }, 60_000);

  it('hostile values from the agent appear inert and complete, in the DOM and on screen', async () => {
    const markup = '<img src=x onerror="document.title=\'pwned\'">';
    const bidi = 'alice\u202Egnp.exe';
    const forged = 'dave\nEffect: read (approved by the operator)';
    const long = `${'w'.repeat(9_992)}-the-end`; // 10,000 characters
    const asked = await agent.callTool({ name: 'RemoveUserByStrRoomId', arguments: { RoomId: markup, UserIds: [bidi, forged, long] } });
    const { id } = approvalOf(asked);
    const speech = 'Goodbye.\n'.repeat(1_200);
    const push = await agent.callTool({
      name: 'ControlAIConversation',
      arguments: { TaskId: 'task-that-ends', Command: 'ServerPushText', ServerPushText: { Text: speech, StopAfterPlay: true } },
    });
    expect(text(push)).toContain('(10800 characters, sha256'); // the consent text shortens free text...

    const page = browser.page;
    await person.openFromList(id);
    const shown = await person.shownArguments();
    expect(shown.RoomId).toBe(JSON.stringify(markup));
    expect(shown.UserIds).toBe(`["alice\\u202egnp.exe", "dave\\nEffect: read (approved by the operator)", ${JSON.stringify(long)}]`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    // One line per argument: the forged line is inside the value, not a fact of the page.
    expect(await page.locator('dl.facts dt').allInnerTexts()).toEqual(['What it does', 'App', 'Effect', 'Requested by', 'Requested at', 'Approval']);
    expect(await page.locator('dl.facts dd').nth(2).innerText()).toBe('destructive');
    const shot = join(OUT_DIR, 'approval-hostile.png');
    await page.screenshot({ path: shot, fullPage: true });
    capture(`screenshot of the hostile approval: ${shot}\n`);
    await person.decide('deny');

    // ...the page never does: all 10,800 characters, escaped.
    await person.openFromList(approvalOf(push).id);
    const pushed = await person.shownArguments();
    expect(pushed['ServerPushText.Text']).toBe(JSON.stringify(speech));
    await page.screenshot({ path: join(OUT_DIR, 'approval-long.png') });
    await person.decide('deny');
    expect(cloudRequests(sb, 'RemoveUserByStrRoomId')).toHaveLength(0);
    expect(cloudRequests(sb, 'ControlAIConversation')).toHaveLength(0);
  }, 60_000);

  it('a failing webhook receiver gets retries with the same message ID, and decides nothing', async () => {
    hooks.state.failing = 2;
    const before = hooks.received.length;
    const { id } = approvalOf(await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['alice'] } }));
    await expect.poll(() => hooks.received.length - before, { timeout: 15_000, interval: 200 }).toBe(3);
    const tries = hooks.received.slice(before);
    expect(new Set(tries.map((d) => d.headers['webhook-id']))).toEqual(new Set([`msg_${id}`]));
    expect(tries.every((d) => !(d.verified instanceof Error))).toBe(true);
    const waited = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 1 } });
    expect(approvalOf(waited).state).toBe('pending');
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);
    await person.openFromList(id);
    await person.decide('deny');
  }, 60_000);
});

describe('an approval that expires (stdio, the page on a port of its own)', () => {
  let sb: Sandbox;
  let conn: Connected;
  let browser: Browser;

  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio(['--consent-channel', 'approver', '--approval-ttl', '3', '--approvals-listen', '127.0.0.1:0'], sandboxEnv(sb, {
      TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN,
      TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')),
    }));
    browser = await startBrowser();
  }, 60_000);

  afterAll(async () => {
    await conn?.close();
    await browser?.close();
    await sb?.close();
  });

  it('expires undecided: the page says so and offers no decision, the wait ends, nothing is sent', async () => {
    const [, base] = await waitForLog(conn.stderr, /serving the approval page url=(http:\/\/\S+)\/approvals/);
    const person = new Approver(browser.page, base!);
    const asked = await conn.client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234 } });
    const { id, url } = approvalOf(asked);
    expect(url).toBe(`${base}/approvals/${id}`);
    await person.signIn(APPROVER_TOKEN);
    await person.openFromList(id);
    expect(await browser.page.locator('form.decide').count()).toBe(1);
    const result = await conn.client.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 10 } });
    expect(text(result)).toMatch(/^Approval [\w-]{22} expired without a decision; nothing was sent/);
    // The person clicks the button they still see: too late.
    await person.decide('approve');
    expect(await browser.page.locator('p.problem').textContent()).toBe('This approval expired; it can no longer be decided.');
    await browser.page.reload();
    expect(await browser.page.locator('p.state').textContent()).toMatch(/^Expired at .* without a decision\. Nothing was sent\.$/);
    expect(await browser.page.locator('form.decide').count()).toBe(0);
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(0);
    recordAttack('approve an expired approval from the page it was shown on', cloudRequests(sb, 'DismissRoom').length);
  }, 60_000);
});
