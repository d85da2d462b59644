// Approvals in the tests: what an answer says of its approval, and the approval page spoken to without a browser,
// for the attacks a browser would never make (sign in, read a page's forms, post what a form would or would not).
import http from 'node:http';
import { rememberSecret } from './helpers.js';

interface ApprovalNote {
  id: string;
  state: string;
  url?: string;
  expiresAt: string;
}

/** The approval an answer names in its _meta (the answer of a call that asked, or of wait_for_approval). */
export function approvalOf(r: unknown): ApprovalNote {
  const approval = (r as { _meta?: { approval?: ApprovalNote } })._meta?.approval;
  if (!approval) throw new Error(`expected an answer about an approval, got: ${JSON.stringify(r).slice(0, 600)}`);
  return approval;
}

export interface PageAnswer {
  status: number;
  location?: string;
  headers: Headers;
  body: string;
}

export async function request(url: string, init: RequestInit & { cookie?: string } = {}): Promise<PageAnswer> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set('cookie', init.cookie);
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') ?? undefined, headers: res.headers, body: await res.text() };
}

/** A request with headers fetch would not send as given (Host): its status. */
export function rawStatus(url: string, headers: Record<string, string>, method = 'GET', body = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** A POST as the page's own form sends it: urlencoded, from the page's origin, unless told otherwise. */
export function postForm(url: string, fields: Record<string, string>, opts: { cookie?: string; origin?: string | null; headers?: Record<string, string> } = {}) {
  const origin = opts.origin === undefined ? new URL(url).origin : opts.origin;
  return request(url, {
    method: 'POST',
    cookie: opts.cookie,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin !== null && { origin }), ...opts.headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The hidden fields of the page's forms, by the action they post to. */
export function forms(html: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const m of html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)) {
    out[m[1]!] = Object.fromEntries([...m[2]!.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((f) => [f[1]!, f[2]!]));
  }
  return out;
}

/** Signs in with a credential; returns the session cookie ("name=value"), or the refusal. */
export async function signIn(base: string, credential: string): Promise<{ cookie?: string; answer: PageAnswer }> {
  const page = await request(`${base}/approvals/login`);
  const nonce = page.headers.getSetCookie()[0]!.split(';')[0]!;
  const answer = await postForm(`${base}/approvals/login`, { csrf: forms(page.body)['/approvals/login']!.csrf!, token: credential }, { cookie: nonce });
  const session = answer.status === 303 ? answer.headers.getSetCookie().find((c) => c.startsWith('trtc-approvals='))?.split(';')[0] : undefined;
  if (session) rememberSecret(session.slice(session.indexOf('=') + 1));
  return { cookie: session, answer };
}

/** The decision form of an approval as the signed-in person is shown it. */
export async function decisionForm(base: string, id: string, cookie: string): Promise<Record<string, string>> {
  const page = await request(`${base}/approvals/${id}`, { cookie });
  const form = forms(page.body)[`/approvals/${id}`];
  if (!form) throw new Error(`no decision form on the page (${page.status}):\n${page.body.slice(0, 400)}`);
  return form;
}

export async function decide(base: string, id: string, cookie: string, decision: 'approve' | 'deny', reason = ''): Promise<PageAnswer> {
  const form = await decisionForm(base, id, cookie);
  return postForm(`${base}/approvals/${id}`, { ...form, decision, reason }, { cookie });
}
