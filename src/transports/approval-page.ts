// The approval page: where people decide the approvals that agents' calls are waiting for. Served at /approvals on
// the MCP HTTP port, or on a port of its own (--approvals-listen, needed with stdio). Approvers sign in with a
// credential no agent holds (the approver token; OAuth identities with trtc:approve plug in as another
// authenticator); a session lives in the store, so any replica serves it.
//
// It is built to be safe in a browser: every value is HTML-escaped as it is written (and the arguments were already
// quoted and escaped by the consent text's rules), a strict Content Security Policy allows no script at all and no
// framing, every POST must come from the page itself (Origin, Sec-Fetch-Site, SameSite=Strict cookies) and carry a
// token tied to the session and, for a decision, to the approval as it was shown.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Approval, Approvals, DecideProblem, Who } from '../guardrails/approvals.js';
import type { AuditLog } from '../guardrails/audit.js';
import { whoRecord, whoText, type Identity } from '../guardrails/identity.js';
import type { Logger } from '../log.js';
import { NS, StoreUnavailableError, type Store } from '../store/store.js';

/** Where the page lives, on the MCP port and on a port of its own alike. */
export const APPROVALS_PATH = '/approvals';

/**
 * Turns a credential an approver presents into who they are, when it lets them approve, and until when it does (a
 * session never outlives the credential it was opened with).
 */
export interface ApproverAuthenticator {
  identify(credential: string): Promise<{ identity: Identity; until?: number } | undefined>;
}

/** The holder of the approver token: one shared secret, so one identity. */
export const APPROVER_TOKEN_HOLDER: Identity = Object.freeze({ subject: 'approver-token', via: 'token' });

export function approverTokenAuthenticator(token: string): ApproverAuthenticator {
  const want = sha256(token);
  return { identify: async (credential) => (timingSafeEqual(sha256(credential), want) ? { identity: APPROVER_TOKEN_HOLDER } : undefined) };
}

export interface ApprovalPageOptions {
  approvals: Approvals;
  store: Store;
  audit: AuditLog;
  log: Logger;
  authenticators: readonly ApproverAuthenticator[];
  /** What people paste to sign in, in their words (the approver token, an OAuth access token). */
  credential: string;
  /** Mark cookies Secure (the page is reached over https). */
  secureCookies?: boolean;
  now?: () => number;
}

interface Session {
  who: Who;
  /** The secret behind this session's form tokens. */
  csrf: string;
  expiresAt: number;
}

/** A session lasts a working day; signing in again is cheap. */
const SESSION_MS = 8 * 3600_000;
const SESSION_COOKIE = 'trtc-approvals';
const LOGIN_COOKIE = 'trtc-approvals-login';
/** Forms are small; a body that is not is refused before it is read, and a slow one is cut off. */
const MAX_FORM_BYTES = 16 * 1024;
const FORM_DEADLINE_MS = 10_000;
const MAX_REASON = 500;
/** Failed sign-ins per minute, per process, after which sign-ins wait for the next minute. */
const MAX_FAILED_LOGINS = 10;

const CSP = "default-src 'none'; style-src 'self'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: a POST then carries its real Origin, which is checked.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

class PageError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface ApprovalPage {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

export function createApprovalPage(opts: ApprovalPageOptions): ApprovalPage {
  const { approvals, store, audit, log } = opts;
  const now = opts.now ?? Date.now;
  const failedLogins: number[] = [];

  const cookie = (name: string, value: string, maxAgeS: number) =>
    `${name}=${value}; Path=${APPROVALS_PATH}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${opts.secureCookies ? '; Secure' : ''}`;

  async function sessionOf(req: http.IncomingMessage): Promise<{ id: string; session: Session } | undefined> {
    const id = cookies(req)[SESSION_COOKIE];
    if (!id || !/^[\w-]{43}$/.test(id)) return undefined;
    const session = await store.get<Session>(NS.approverSessions, sha256(id).toString('base64url'));
    return session && session.expiresAt > now() ? { id, session } : undefined;
  }

  const formToken = (session: Session, purpose: string) => createHmac('sha256', session.csrf).update(purpose).digest('base64url');
  const decisionPurpose = (a: Pick<Approval, 'id' | 'binding'>) => `decide\n${a.id}\n${a.binding}`;

  async function login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      const nonce = randomBytes(24).toString('base64url');
      const next = safeNext(new URL(req.url ?? '/', 'http://x').searchParams.get('next'));
      res.setHeader('set-cookie', cookie(LOGIN_COOKIE, nonce, 600));
      return sendPage(res, 200, 'Sign in', undefined, loginForm(nonce, next, opts.credential));
    }
    const form = await readForm(req);
    const nonce = cookies(req)[LOGIN_COOKIE];
    if (!nonce || !same(form.get('csrf') ?? '', nonce)) throw new PageError(403, 'This sign-in form has expired or did not come from this page. Open the sign-in page again.');
    const cutoff = now() - 60_000;
    while (failedLogins.length && failedLogins[0]! < cutoff) failedLogins.shift();
    if (failedLogins.length >= MAX_FAILED_LOGINS) throw new PageError(429, 'Too many failed sign-ins in the last minute; wait a minute and try again.');
    const credential = form.get('token') ?? '';
    let who: Awaited<ReturnType<ApproverAuthenticator['identify']>>;
    for (const a of opts.authenticators) if (credential && !who) who = await a.identify(credential);
    if (!who) {
      failedLogins.push(now());
      log.warn('approval page: sign-in refused');
      return sendPage(res, 401, 'Sign in', undefined, html`<p class="problem">That credential does not let anyone approve here.</p>${loginForm(nonce, safeNext(form.get('next')), opts.credential)}`);
    }
    const id = randomBytes(32).toString('base64url');
    const session: Session = { who: whoRecord(who.identity), csrf: randomBytes(32).toString('base64url'), expiresAt: Math.min(now() + SESSION_MS, who.until ?? Infinity) };
    await store.put(NS.approverSessions, sha256(id).toString('base64url'), session, session.expiresAt);
    log.info('approval page: signed in', { by: session.who.subject });
    res.setHeader('set-cookie', [cookie(SESSION_COOKIE, id, Math.ceil((session.expiresAt - now()) / 1000)), cookie(LOGIN_COOKIE, '', 0)]);
    redirect(res, safeNext(form.get('next')) ?? APPROVALS_PATH);
  }

  async function logout(req: http.IncomingMessage, res: http.ServerResponse, signedIn: { id: string; session: Session }): Promise<void> {
    const form = await readForm(req);
    if (!same(form.get('csrf') ?? '', formToken(signedIn.session, 'logout'))) throw new PageError(403, 'This form did not come from your session. Reload the page.');
    await store.put(NS.approverSessions, sha256(signedIn.id).toString('base64url'), signedIn.session, now());
    res.setHeader('set-cookie', cookie(SESSION_COOKIE, '', 0));
    redirect(res, `${APPROVALS_PATH}/login`);
  }

  async function decide(req: http.IncomingMessage, res: http.ServerResponse, session: Session, id: string): Promise<void> {
    const form = await readForm(req);
    const approval = await approvals.get(id);
    if (!approval) throw new PageError(404, 'No such approval.');
    const binding = form.get('binding') ?? '';
    if (!same(form.get('csrf') ?? '', formToken(session, decisionPurpose({ id, binding })))) {
      throw new PageError(403, 'This decision did not come from the page your session was shown. Reload the approval and decide again.');
    }
    const choice = form.get('decision');
    if (choice !== 'approve' && choice !== 'deny') throw new PageError(400, 'Choose Approve or Deny.');
    const reason = (form.get('reason') ?? '').trim();
    if (reason.length > MAX_REASON) throw new PageError(400, `The reason may have at most ${MAX_REASON} characters.`);
    const result = await approvals.decide(id, { approved: choice === 'approve', by: session.who, binding, ...(reason && { reason }) });
    const outcome = 'problem' in result ? `refused:${result.problem}` : choice === 'approve' ? 'approved' : 'denied';
    audit.record({
      tool: approval.tool, api: approval.api, effect: approval.effect, app: approval.app, args: approval.args, outcome, consent: 'approver', ms: 0, by: session.who,
      approval: { id, requestedBy: approval.requester, ...(reason && { reason }) },
    });
    log.info('approval decided', { approval: id, tool: approval.tool, outcome, by: session.who.subject });
    if ('problem' in result) return sendPage(res, PROBLEM_STATUS[result.problem], approval.tool, session, detail(result.approval ?? approval, session, PROBLEMS[result.problem]));
    redirect(res, `${APPROVALS_PATH}/${id}`);
  }

  function detail(a: Approval, session: Session, problem?: string): Html {
    const decided = a.decision && html`<p class="state ${a.state}">${a.decision.approved ? 'Approved' : 'Denied'} by ${whoText(a.decision.by)} at ${iso(a.decision.at)}${a.decision.reason ? html`, saying <q>${a.decision.reason}</q>` : ''}.</p>`;
    const state = decided ?? (a.state === 'expired'
      ? html`<p class="state expired">Expired at ${iso(a.expiresAt)} without a decision. Nothing was sent.</p>`
      : html`<p class="state pending">Waiting for a decision until ${iso(a.expiresAt)}. Nothing has been sent.</p>`);
    const form = a.state === 'pending' && html`
      <form method="post" action="${APPROVALS_PATH}/${a.id}" class="decide">
        <input type="hidden" name="csrf" value="${formToken(session, decisionPurpose(a))}">
        <input type="hidden" name="binding" value="${a.binding}">
        <label for="reason">Reason (optional, shown to the agent)</label>
        <textarea id="reason" name="reason" maxlength="${MAX_REASON}" rows="2"></textarea>
        <div class="buttons"><button type="submit" name="decision" value="approve" class="approve">Approve</button>
        <button type="submit" name="decision" value="deny" class="deny">Deny</button></div>
      </form>`;
    return html`
      ${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
      <h1><span class="tool">${a.tool}</span> <span class="effect ${a.effect}">${a.effect}</span></h1>
      ${state}
      <dl class="facts">
        <dt>What it does</dt><dd>${a.description}</dd>
        ${a.app !== undefined ? html`<dt>App</dt><dd>${a.app}</dd>` : ''}
        <dt>Effect</dt><dd>${a.effect}${a.reason ? html`: ${a.reason}` : ''}</dd>
        <dt>Requested by</dt><dd>${whoText(a.requester)} (${a.requester.via})</dd>
        <dt>Requested at</dt><dd>${iso(a.createdAt)}</dd>
        <dt>Approval</dt><dd><code>${a.id}</code></dd>
      </dl>
      <h2>Arguments, exactly as they will be sent</h2>
      <p class="note">Values are quoted; line breaks, control and invisible characters are shown as escapes, and nothing is shortened.</p>
      <table class="args"><tbody>
        ${a.shown.map((l) => html`<tr><th scope="row"><code>${l.path}</code></th><td><code class="value">${l.value}</code></td></tr>`)}
      </tbody></table>
      ${form || ''}`;
  }

  function list(all: Approval[]): Html {
    const rows = (items: Approval[]) => items.length
      ? html`<table class="list"><thead><tr><th>Tool</th><th>Effect</th><th>App</th><th>Requested by</th><th>Requested</th><th>State</th></tr></thead><tbody>
        ${items.map((a) => html`<tr><td><a href="${APPROVALS_PATH}/${a.id}">${a.tool}</a></td><td class="effect ${a.effect}">${a.effect}</td><td>${a.app ?? ''}</td><td>${whoText(a.requester)}</td><td>${iso(a.createdAt)}</td><td>${a.state}${a.state === 'pending' ? html` until ${iso(a.expiresAt)}` : ''}</td></tr>`)}
        </tbody></table>`
      : html`<p class="note">None.</p>`;
    return html`<h1>Pending approvals</h1>${rows(all.filter((a) => a.state === 'pending'))}<h2>Decided and expired</h2>${rows(all.filter((a) => a.state !== 'pending'))}`;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === `${APPROVALS_PATH}/style.css`) {
      allow(req, 'GET');
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8' });
      return void res.end(STYLE);
    }
    if (req.method === 'POST') checkPost(req);
    if (path === `${APPROVALS_PATH}/login`) {
      allow(req, 'GET', 'POST');
      return login(req, res);
    }
    const m = new RegExp(`^${APPROVALS_PATH}(?:/([A-Za-z0-9_-]{22}|logout))?/?$`).exec(path);
    if (!m) throw new PageError(404, 'No such page.');
    const signedIn = await sessionOf(req);
    if (!signedIn) {
      if (req.method !== 'GET') throw new PageError(401, 'Your session has ended. Sign in again.');
      return redirect(res, `${APPROVALS_PATH}/login?next=${encodeURIComponent(path)}`);
    }
    const { session } = signedIn;
    if (m[1] === 'logout') {
      allow(req, 'POST');
      return logout(req, res, signedIn);
    }
    if (m[1] === undefined) {
      allow(req, 'GET');
      return sendPage(res, 200, 'Approvals', session, list(await approvals.list()));
    }
    allow(req, 'GET', 'POST');
    if (req.method === 'POST') return decide(req, res, session, m[1]);
    const approval = await approvals.get(m[1]);
    if (!approval) throw new PageError(404, 'No such approval (or it is no longer kept).');
    return sendPage(res, 200, approval.tool, session, detail(approval, session));
  }

  function sendPage(res: http.ServerResponse, status: number, title: string, session: Session | undefined, body: Html): void {
    const header = session
      ? html`<header><a href="${APPROVALS_PATH}">trtc-mcp approvals</a><form method="post" action="${APPROVALS_PATH}/logout" class="who">Signed in as ${whoText(session.who)}
          <input type="hidden" name="csrf" value="${formToken(session, 'logout')}"><button type="submit">Sign out</button></form></header>`
      : html`<header><a href="${APPROVALS_PATH}">trtc-mcp approvals</a></header>`;
    const page = html`<!doctype html>
<html lang="en" dir="ltr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - trtc-mcp approvals</title><link rel="stylesheet" href="${APPROVALS_PATH}/style.css"></head>
<body>${header}<main>${body}</main></body></html>`;
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
    res.end(page.text);
  }

  return {
    async handle(req, res) {
      try {
        await route(req, res);
      } catch (err) {
        const status = err instanceof PageError ? err.status : err instanceof StoreUnavailableError ? 503 : 500;
        const message = err instanceof PageError ? err.message : err instanceof StoreUnavailableError ? 'The state store is unreachable, so approvals cannot be read or decided now. Nothing was decided; try again shortly.' : 'Something went wrong; nothing was decided.';
        if (status >= 500) log.error('approval page failed', { error: (err as Error).message });
        if (res.headersSent) return void res.end();
        // A refused request may still be streaming its body: close rather than read it.
        if (status === 413 || status === 408) res.setHeader('connection', 'close');
        sendPage(res, status, 'Approvals', undefined, html`<p class="problem" role="alert">${message}</p><p><a href="${APPROVALS_PATH}">Back to the approvals</a></p>`);
      }
    },
  };
}

const PROBLEMS: Record<DecideProblem, string> = {
  unknown: 'No such approval.',
  decided: 'This approval was already decided; your decision was not recorded.',
  expired: 'This approval expired; it can no longer be decided.',
  'four-eyes': 'You asked for this call yourself: under four-eyes, another approver must decide it.',
  changed: 'This is no longer the approval you were shown. Reload it and decide again.',
};
const PROBLEM_STATUS: Record<DecideProblem, number> = { unknown: 404, decided: 409, expired: 409, 'four-eyes': 403, changed: 409 };

/** A POST must come from the page itself: same origin by the browser's own account, as a form. */
function checkPost(req: http.IncomingMessage): void {
  // The Host and Origin checks ran before (the admission of the listener); a POST must also name its origin.
  if (req.headers.origin === undefined) throw new PageError(403, 'Refused: a decision must come from this page (the request names no Origin).');
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new PageError(403, 'Refused: a decision must come from this page, not another site.');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new PageError(415, 'Refused: send the page\'s own form.');
}

function allow(req: http.IncomingMessage, ...methods: string[]): void {
  if (!methods.includes(req.method ?? '')) throw new PageError(405, `Use ${methods.join(' or ')} here.`);
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_FORM_BYTES) throw new PageError(413, 'The form is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => req.destroy(), FORM_DEADLINE_MS);
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_FORM_BYTES) throw new PageError(413, 'The form is too large.');
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof PageError) throw err;
    throw new PageError(408, 'The form did not arrive in time.');
  } finally {
    clearTimeout(timer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location: to });
  res.end();
}

/** Only a page of our own is a place to go after signing in. */
function safeNext(next: string | null | undefined): string | undefined {
  return next && new RegExp(`^${APPROVALS_PATH}(?:/[A-Za-z0-9_-]{22})?$`).test(next) ? next : undefined;
}

function cookies(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

const sha256 = (v: string) => createHash('sha256').update(v).digest();
const same = (a: string, b: string) => a.length > 0 && timingSafeEqual(sha256(a), sha256(b));
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function loginForm(nonce: string, next: string | undefined, credential: string): Html {
  return html`<h1>Sign in to approve</h1>
    <form method="post" action="${APPROVALS_PATH}/login" class="login">
      <input type="hidden" name="csrf" value="${nonce}">${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
      <label for="token">${credential}</label>
      <input type="password" id="token" name="token" autocomplete="current-password" required>
      <button type="submit">Sign in</button>
    </form>`;
}

// --- Markup: every interpolated value is escaped unless it is markup this file wrote. ---

class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (v: unknown): string =>
  v instanceof Html ? v.text : Array.isArray(v) ? v.map(escape).join('') : String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? escape(values[i]) : ''), ''));
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{display:flex;justify-content:space-between;align-items:center;padding:.6em 1.2em;background:#1d2939;color:#fff}
header a{color:#fff;font-weight:600;text-decoration:none}
header form{margin:0}header button{margin-left:.8em}
main{max-width:70em;margin:1.2em auto;padding:0 1.2em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
.effect{font-size:.75em;padding:.15em .5em;border-radius:.3em;background:#e4e7ec;vertical-align:middle}
.effect.destructive{background:#fee4e2;color:#912018}.effect.write{background:#fef0c7;color:#93370d}
.state{padding:.6em .9em;border-radius:.4em;background:#eef4ff}.state.approved{background:#dcfae6}.state.denied,.state.expired{background:#fee4e2}
.problem{padding:.6em .9em;border-radius:.4em;background:#fee4e2;color:#912018;font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1.2em}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d5dd;padding:.35em .6em;text-align:left;vertical-align:top}
table.args th{width:14em;font-weight:normal}
code{font-family:ui-monospace,monospace}
code.value{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-all;unicode-bidi:isolate;direction:ltr}
.note{color:#475467;font-size:.9em}
q,dd{unicode-bidi:isolate}
form.decide,form.login{margin-top:1.4em;display:grid;gap:.5em;max-width:34em}
textarea,input[type=password]{font:inherit;padding:.4em}
.buttons{display:flex;gap:.8em}
button{font:inherit;padding:.45em 1.1em;border-radius:.35em;border:1px solid #98a2b3;background:#fff;cursor:pointer}
button.approve{background:#067647;color:#fff;border-color:#067647}button.deny{background:#b42318;color:#fff;border-color:#b42318}
`;

/** The page on a port of its own, behind the same Host and Origin checks as the MCP port. */
export async function listenForApprovals(
  host: string, port: number, page: ApprovalPage, log: Logger,
  admission: (port: number) => (req: http.IncomingMessage) => string | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  let problem: (req: http.IncomingMessage) => string | undefined = () => 'The server is starting.';
  const server = http.createServer((req, res) => {
    const refused = problem(req);
    if (refused) {
      res.writeHead(403, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      return void res.end(`${refused}\n`);
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== APPROVALS_PATH && !path.startsWith(`${APPROVALS_PATH}/`)) return redirect(res, APPROVALS_PATH);
    void page.handle(req, res);
  });
  server.headersTimeout = FORM_DEADLINE_MS;
  server.requestTimeout = FORM_DEADLINE_MS * 2;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { address, port: bound } = server.address() as AddressInfo;
  problem = admission(bound);
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${bound}`;
  log.info('serving the approval page', { url: `${url}${APPROVALS_PATH}` });
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
