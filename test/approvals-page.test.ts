// Attacks on the approval page, each a test: cross-site and same-site forged decisions, framing, cross-origin
// reads, forms without or with the wrong token, a decision moved to another approval, replays and races, Host
// rebinding, sign-in forgery and open redirects, oversized and mistyped bodies, ended sessions, guessed
// credentials. After every one the approval is still pending and nothing was sent.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { approvalOf, decide, decisionForm, postForm, rawStatus, request, signIn } from './approvals.js';
import { Approver, startBrowser, type Browser } from './browser.js';
import { cloudRequests, connectHttp, recordAttack, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from './helpers.js';

const APPROVER_TOKEN = `approver-${randomBytes(16).toString('hex')}`;

/** Another site: pages that try to decide an approval in the approver's browser. */
async function startEvil(target: string) {
  const pages: Record<string, string> = {
    '/form.html': `<form id="f" method="post" action="${target}"><input name="decision" value="approve"></form><script>document.getElementById('f').submit()</script>`,
    '/frame.html': `<iframe id="f" src="${target}" width="800" height="600"></iframe>`,
    '/fetch.html': `<script>
      window.results = {};
      fetch(${JSON.stringify(target)}, { credentials: 'include' }).then((r) => r.text()).then((t) => (window.results.read = t), (e) => (window.results.read = 'blocked: ' + e.name));
      fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' })
        .then(() => (window.results.post = 'sent'), (e) => (window.results.post = 'blocked: ' + e.name));
    </script>`,
  };
  const server = http.createServer((req, res) => {
    const page = pages[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())) };
}


describe('attacks on the approval page', () => {
  let sb: Sandbox;
  let server: SpawnedHttp;
  let agent: Client;
  let browser: Browser;
  let evil: Awaited<ReturnType<typeof startEvil>>;
  let id: string;
  let other: string;
  let cookie: string;
  let base: string;
  const removals = () => cloudRequests(sb, 'RemoveUser').length;

  beforeAll(async () => {
    sb = await withSandbox();
    server = await spawnHttp([], sandboxEnv(sb, { TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN, TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')) }));
    base = server.url;
    agent = await connectHttp(base);
    id = approvalOf(await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } })).id;
    other = approvalOf(await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['alice'] } })).id;
    cookie = (await signIn(base, APPROVER_TOKEN)).cookie!;
    evil = await startEvil(`${base}/approvals/${id}`);
    browser = await startBrowser();
    await new Approver(browser.page, base).signIn(APPROVER_TOKEN);
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await browser?.close();
    await evil?.close();
    await server?.stop();
    await sb?.close();
  });

  /** The approval as the approver sees it: still waiting, with its decision form; and nothing was sent. */
  async function stillPending(attack: string, approval = id) {
    const page = await request(`${base}/approvals/${approval}`, { cookie });
    expect(page.body, attack).toContain('Waiting for a decision until');
    expect(removals()).toBe(0);
    recordAttack(`approval page: ${attack}`, removals());
  }

  it('serves every answer with a strict policy: no script, no framing, no caching, no sniffing', async () => {
    for (const path of ['/approvals', '/approvals/login', `/approvals/${id}`, '/approvals/style.css', '/approvals/nowhere']) {
      const r = await request(`${base}${path}`, { cookie });
      expect(r.headers.get('content-security-policy'), path).toBe("default-src 'none'; style-src 'self'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    const { answer } = await signIn(base, APPROVER_TOKEN);
    const session = answer.headers.getSetCookie().find((c) => c.startsWith('trtc-approvals='))!;
    expect(session).toMatch(/; Path=\/approvals; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const stored = (await browser.context.cookies(`${base}/approvals`)).find((c) => c.name === 'trtc-approvals')!;
    expect(stored).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/approvals' });
  });

  it('a cross-site page that posts a decision in the approver\'s browser decides nothing', async () => {
    await browser.page.goto(`http://localhost:${evil.port}/form.html`);
    await browser.page.waitForLoadState('load');
    await stillPending('cross-site form post (SameSite cookie, Origin)');
  });

  it('a same-site page on another port that posts a decision decides nothing', async () => {
    await browser.page.goto(`http://127.0.0.1:${evil.port}/form.html`);
    await browser.page.waitForLoadState('load');
    expect(await browser.page.content()).toContain('Origin http://127.0.0.1:');
    await stillPending('same-site cross-origin form post (Origin, Sec-Fetch-Site)');
  });

  it('the page cannot be framed, and another origin cannot read it or post to it with the approver\'s cookies', async () => {
    await browser.page.goto(`http://localhost:${evil.port}/frame.html`);
    await browser.page.waitForLoadState('load');
    const frame = browser.page.frames().find((f) => f !== browser.page.mainFrame())!;
    expect(await frame.locator('form.decide').count()).toBe(0);
    await browser.page.goto(`http://127.0.0.1:${evil.port}/fetch.html`);
    // Runs in the page: nothing from this file's scope is there.
    const results = () => (globalThis as unknown as { results: Record<string, string> }).results;
    await browser.page.waitForFunction(`(${results.toString()})().read && (${results.toString()})().post`);
    const found = await browser.page.evaluate(results);
    expect(found.read).toBe('blocked: TypeError');
    await stillPending('framing, cross-origin read and no-cors post');
  });

  it('a decision needs the token of this session and this approval, as shown', async () => {
    const mine = await decisionForm(base, id, cookie);
    const theirs = await decisionForm(base, other, cookie);
    const cases: Array<[string, Record<string, string>]> = [
      ['no token', { binding: mine.binding!, decision: 'approve' }],
      ['made-up token', { ...mine, csrf: randomBytes(32).toString('base64url'), decision: 'approve' }],
      ["another approval's token and binding", { ...theirs, decision: 'approve' }],
      ['another binding under this token', { ...mine, binding: theirs.binding!, decision: 'approve' }],
    ];
    for (const [attack, fields] of cases) {
      const r = await postForm(`${base}/approvals/${id}`, fields, { cookie });
      expect(r.status, attack).toBe(403);
      await stillPending(`decision with ${attack}`);
    }
    // Another session's token: a second sign-in gets other secrets.
    const second = (await signIn(base, APPROVER_TOKEN)).cookie!;
    expect((await postForm(`${base}/approvals/${id}`, { ...mine, decision: 'approve' }, { cookie: second })).status).toBe(403);
    await stillPending("decision with another session's token");
  });

  it('a decision must come from the page: no Origin, a foreign Origin, another Host or another body type are refused', async () => {
    const form: Record<string, string> = { ...(await decisionForm(base, id, cookie)), decision: 'approve' };
    const url = `${base}/approvals/${id}`;
    expect((await postForm(url, form, { cookie, origin: null })).status).toBe(403);
    expect((await postForm(url, form, { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await postForm(url, form, { cookie, headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    const body = new URLSearchParams(form).toString();
    expect(await rawStatus(url, { host: 'evil.example', origin: base, cookie, 'content-type': 'application/x-www-form-urlencoded' }, 'POST', body)).toBe(403);
    expect((await request(url, { method: 'POST', cookie, headers: { origin: base, 'content-type': 'application/json' }, body: JSON.stringify(form) })).status).toBe(415);
    expect((await request(url, { method: 'POST', cookie, headers: { origin: base, 'content-type': 'text/plain' }, body })).status).toBe(415);
    expect((await postForm(url, { ...form, reason: 'x'.repeat(20_000) }, { cookie })).status).toBe(413);
    expect((await postForm(url, { ...form, decision: 'maybe' }, { cookie })).status).toBe(400);
    // A GET that names a decision is only a look.
    expect((await request(`${url}?decision=approve&csrf=${form.csrf}`, { cookie })).status).toBe(200);
    await stillPending('no Origin, foreign Origin, same-site fetch, Host rebinding, JSON, text, oversized, unknown decision, GET');
  });

  it('sign-in cannot be forged, redirected elsewhere, or guessed at speed; an ended session decides nothing', async () => {
    const page = await request(`${base}/approvals/login`);
    const nonce = page.headers.getSetCookie()[0]!.split(';')[0]!;
    // Without the sign-in page's own cookie (a form posted from elsewhere).
    expect((await postForm(`${base}/approvals/login`, { csrf: 'x', token: APPROVER_TOKEN })).status).toBe(403);
    // Going elsewhere after signing in: only this page's own addresses.
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const away = await postForm(`${base}/approvals/login`, { csrf, token: APPROVER_TOKEN, next: 'https://evil.example/' }, { cookie: nonce });
    expect(away.location).toBe('/approvals');
    // A cookie the attacker made up is no session.
    expect((await request(`${base}/approvals/${id}`, { cookie: `trtc-approvals=${randomBytes(32).toString('base64url')}` })).status).toBe(303);
    // Signed out: the old cookie and its forms are dead.
    const session = (await signIn(base, APPROVER_TOKEN)).cookie!;
    const form = await decisionForm(base, id, session);
    const out = (await request(`${base}/approvals`, { cookie: session })).body;
    const logout = /action="\/approvals\/logout" class="who">[\s\S]*?name="csrf" value="([^"]+)"/.exec(out)![1]!;
    expect((await postForm(`${base}/approvals/logout`, { csrf: logout }, { cookie: session })).status).toBe(303);
    expect((await postForm(`${base}/approvals/${id}`, { ...form, decision: 'approve' }, { cookie: session })).status).toBe(401);
    await stillPending('login forgery, open redirect, made-up session, signed-out session');
  });

  it('replays and races: the first decision wins, on every process sharing the store', async () => {
    const form = await decisionForm(base, other, cookie);
    const [a, b] = await Promise.all([
      postForm(`${base}/approvals/${other}`, { ...form, decision: 'deny' }, { cookie }),
      postForm(`${base}/approvals/${other}`, { ...form, decision: 'approve' }, { cookie }),
    ]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    const replay = await postForm(`${base}/approvals/${other}`, { ...form, decision: a.status === 303 ? 'approve' : 'deny' }, { cookie });
    expect(replay.status).toBe(409);
    expect(replay.body).toContain('This approval was already decided; your decision was not recorded.');
    const shown = (await request(`${base}/approvals/${other}`, { cookie })).body;
    expect(shown).toContain(a.status === 303 ? 'Denied by approver-token' : 'Approved by approver-token');
    recordAttack('approval page: replayed and racing decisions', removals());
  });

  it('guessing the approver token is cut off after ten tries a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signIn(base, `guess-${i}-${randomBytes(8).toString('hex')}`)).answer.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Even the right token waits out the minute: a guesser cannot tell.
    expect((await signIn(base, APPROVER_TOKEN)).answer.status).toBe(429);
    await stillPending('online guessing of the approver token');
  });

  it('an approval a person approves still runs only for the agent that waits, once', async () => {
    expect((await decide(base, id, cookie, 'approve')).status).toBe(303);
    expect(removals()).toBe(0);
    const done = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 5 } });
    expect(done.isError).toBeFalsy();
    expect(removals()).toBe(1);
  });
});

describe('the approval page behind a proxy (--approvals-url)', () => {
  let sb: Sandbox;
  let server: SpawnedHttp;

  beforeAll(async () => {
    sb = await withSandbox();
    server = await spawnHttp(['--approvals-url', 'https://approve.example.com/approvals'], sandboxEnv(sb, {
      TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN, TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')),
    }));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await sb?.close();
  });

  it('links to the public address, accepts its Host and Origin (and no other), and marks cookies Secure', async () => {
    const agent = await connectHttp(server.url);
    const { id, url } = approvalOf(await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } }));
    await agent.close();
    expect(url).toBe(`https://approve.example.com/approvals/${id}`);
    expect(await rawStatus(`${server.url}/approvals/login`, { host: 'approve.example.com', origin: 'https://approve.example.com' })).toBe(200);
    expect(await rawStatus(`${server.url}/approvals/login`, { host: 'approve.example.com', origin: 'https://evil.example.com' })).toBe(403);
    expect(await rawStatus(`${server.url}/approvals/login`, { host: 'other.example.com' })).toBe(403);
    const login = await request(`${server.url}/approvals/login`);
    expect(login.headers.getSetCookie()[0]).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=600; Secure$/);
  });
});
