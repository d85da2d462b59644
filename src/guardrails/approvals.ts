// Approvals outside the agent. When consent goes to a human approver, the call is recorded here as a pending
// approval in the store (every replica sees it, and it survives restarts); a person decides it on the approval page;
// the call then runs once, exactly as approved. Nothing reachable over MCP decides: the agent's side can only create
// an approval (by making the call) and wait for it. Deciding and using are single-use claims in the store, so each
// happens once across every process that shares it.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Effect } from '../../tools/define.js';
import { redact } from '../redact.js';
import { NS, type Store } from '../store/store.js';
import { Wakers } from '../wake.js';
import { argumentLines, consentBinding, spentUntil, type ConsentSubject } from './consent.js';
import type { whoRecord } from './identity.js';

/** Who asked or decided, as records carry it (never a credential). */
export type Who = ReturnType<typeof whoRecord>;

export type ApprovalState = 'pending' | 'approved' | 'denied' | 'expired';

/**
 * What an approval binds: what any consent binds (consentBinding: the call, its effect and why), and who asked, so
 * that a decision holds only for this very call, judged this very way, asked by this caller.
 */
export interface ApprovalSubject extends Omit<ConsentSubject, 'by'> {
  requester: Who;
}

export interface NewApproval extends ApprovalSubject {
  /** The API the tool calls (for the audit), and what the tool does, in the catalog's words. */
  api: string;
  description: string;
  /** The argument the consent question would have the human type back; shown first. */
  confirmField?: string;
  /** What the agent sent, to run again once approved; kept sealed in the store. */
  call: unknown;
}

export interface Decision {
  approved: boolean;
  by: Who;
  at: number;
  reason?: string;
}

export interface Approval {
  id: string;
  tool: string;
  api: string;
  app?: number;
  effect: Effect;
  /** Why the effect is what it is, as judged when it was asked. */
  reason?: string;
  description: string;
  /** Every argument, redacted, under its dotted path, its value quoted and escaped as in consent texts, never cut. */
  shown: Array<{ path: string; value: string }>;
  /** The validated arguments, redacted: what the audit records. */
  args: Record<string, unknown>;
  requester: Who;
  createdAt: number;
  /** After this a pending approval can no longer be decided, nor an approved one used. */
  expiresAt: number;
  /** A keyed digest of the subject: what the page's decision must name, and what a call must match to use it. */
  binding: string;
  state: ApprovalState;
  decision?: Decision;
}

interface Stored extends Omit<Approval, 'state' | 'decision'> {
  sealed: string;
}

export type DecideProblem = 'unknown' | 'decided' | 'expired' | 'four-eyes' | 'changed';

export interface WaitOptions {
  /** Longest wait; the approval is returned as it then stands. */
  maxMs: number;
  signal?: AbortSignal;
  /** Called about once a second while the approval is pending, with the time waited so far. */
  progress?: (waitedMs: number) => void;
}

/** How long a decided or expired approval stays readable: the page shows it. */
const RETAIN_MS = 24 * 3600_000;
/** How often a waiter looks at the store for a decision made by another process. */
const POLL_MS = 250;
const PROGRESS_EVERY_MS = 1_000;
/** The log that lists approvals for the page, newest last. */
const LIST = 'approvals';
const LIST_MAX = 1_000;
const ID = /^[A-Za-z0-9_-]{22}$/;
/** Pending approvals one caller may have at once: an agent cannot bury the approvers in questions. */
export const MAX_PENDING_PER_REQUESTER = 20;

/** The caller already has as many pending approvals as one may: nothing new is asked. */
export class TooManyPendingError extends Error {
  override name = 'TooManyPendingError';
}

export const isApprovalId = (id: string) => ID.test(id);

export class Approvals {
  /** Told of each approval created, once (the webhook notifier). */
  onCreated?: (approval: Approval) => void;
  /** Where the approval page is served, once known: links in answers and notifications. */
  pageUrl?: string;
  private readonly bindKey: Buffer;
  private readonly sealKey: Buffer;
  /** Waiters in this process, woken at once by a decision made here; others' decisions are polled. */
  private readonly wakers = new Wakers<string>();

  /**
   * @param key shared by every process that shares the store, like the confirmation-token key: it keys the
   *   binding digests and seals the stored calls
   * @param fourEyes refuse a decision by the approval's own requester
   */
  constructor(
    private readonly store: Store,
    key: Buffer,
    private readonly ttlSeconds: number,
    readonly fourEyes: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.bindKey = createHmac('sha256', key).update('bind').digest();
    this.sealKey = createHmac('sha256', key).update('seal').digest();
  }

  /** The page's link to one approval, or to the list. */
  link(id?: string): string | undefined {
    return this.pageUrl && (id ? `${this.pageUrl}/${id}` : this.pageUrl);
  }

  binding(s: ApprovalSubject): string {
    const subject: ConsentSubject = { tool: s.tool, app: s.app, args: s.args, effect: s.effect, reason: s.reason, by: s.requester.subject };
    return createHmac('sha256', this.bindKey).update(consentBinding(subject)).digest('base64url').slice(0, 32);
  }

  /**
   * Records a pending approval, or returns the caller's pending one for the very same call (asking twice does not
   * ask the approvers twice).
   */
  async create(req: NewApproval): Promise<Approval> {
    const binding = this.binding(req);
    const asked = await this.store.get<string>(NS.approvalAsked, binding);
    const earlier = asked !== undefined ? await this.get(asked) : undefined;
    if (earlier?.state === 'pending') return earlier;
    const waiting = (await this.list(LIST_MAX)).filter((a) => a.state === 'pending' && a.requester.subject === req.requester.subject);
    if (waiting.length >= MAX_PENDING_PER_REQUESTER) {
      throw new TooManyPendingError(`${waiting.length} approvals asked by this caller already wait for a decision`);
    }

    const id = randomBytes(16).toString('base64url');
    const createdAt = this.now();
    const expiresAt = createdAt + this.ttlSeconds * 1000;
    const shownArgs = redact(req.args);
    const stored: Stored = {
      id,
      tool: req.tool,
      api: req.api,
      ...(req.app !== undefined && { app: req.app }),
      effect: req.effect,
      ...(req.reason !== undefined && { reason: req.reason }),
      description: req.description,
      shown: argumentLines(shownArgs, req.confirmField, true),
      args: shownArgs,
      requester: req.requester,
      createdAt,
      expiresAt,
      binding,
      sealed: this.seal(id, req.call),
    };
    await this.store.put(NS.approvals, id, stored, expiresAt + RETAIN_MS);
    await this.store.put(NS.approvalAsked, binding, id, expiresAt);
    await this.store.append(LIST, { id }, { maxEntries: LIST_MAX, maxAgeMs: this.ttlSeconds * 1000 + RETAIN_MS });
    const approval = this.stateOf(stored, undefined);
    this.onCreated?.(approval);
    return approval;
  }

  async get(id: string): Promise<Approval | undefined> {
    if (!isApprovalId(id)) return undefined;
    const stored = await this.store.get<Stored>(NS.approvals, id);
    if (!stored) return undefined;
    return this.stateOf(stored, await this.store.get<Decision>(NS.approvalDecisions, id));
  }

  /** The call the agent made, to run again once approved. */
  async callOf(id: string): Promise<unknown> {
    const stored = await this.store.get<Stored>(NS.approvals, id);
    if (!stored) throw new Error(`approval ${id} is gone`);
    return this.open(id, stored.sealed);
  }

  /** Approvals newest first: the pending ones, then the decided and expired ones still kept. */
  async list(limit = 100): Promise<Approval[]> {
    const page = await this.store.read<{ id: string }>(LIST, { limit: LIST_MAX });
    const ids = page.entries.map((e) => e.entry.id).reverse();
    const all = (await Promise.all(ids.map((id) => this.get(id)))).filter((a): a is Approval => a !== undefined);
    return [...all.filter((a) => a.state === 'pending'), ...all.filter((a) => a.state !== 'pending')].slice(0, limit);
  }

  /**
   * A person's decision. It must name the binding they were shown (what they saw is what they decide), the approval
   * must still be pending, and under four-eyes the approver must not be its requester. The first decision wins
   * across every process sharing the store.
   */
  async decide(id: string, d: { approved: boolean; by: Who; binding: string; reason?: string }): Promise<{ approval: Approval } | { problem: DecideProblem; approval?: Approval }> {
    const approval = await this.get(id);
    if (!approval) return { problem: 'unknown' };
    if (approval.state !== 'pending') return { problem: approval.state === 'expired' ? 'expired' : 'decided', approval };
    if (d.binding !== approval.binding) return { problem: 'changed', approval };
    if (this.fourEyes && d.by.subject === approval.requester.subject) return { problem: 'four-eyes', approval };
    // The claim decides who decides; the decision is written right after. A process that dies in between leaves the
    // approval undecidable, so that it expires: nothing runs without a written yes.
    if (!(await this.store.claim(NS.approvalDecided, id, spentUntil(approval.expiresAt)))) return { problem: 'decided', approval: await this.get(id) };
    const decision: Decision = { approved: d.approved, by: d.by, at: this.now(), ...(d.reason && { reason: d.reason }) };
    await this.store.put(NS.approvalDecisions, id, decision, approval.expiresAt + RETAIN_MS);
    this.wakers.wake(id);
    return { approval: { ...approval, state: d.approved ? 'approved' : 'denied', decision } };
  }

  isExpired(approval: Pick<Approval, 'expiresAt'>): boolean {
    return this.now() > approval.expiresAt;
  }

  /** Uses an approved approval: true once, across every process sharing the store (usable until it expires). */
  spend(approval: Pick<Approval, 'id' | 'expiresAt'>): Promise<boolean> {
    return this.store.claim(NS.spentApprovals, approval.id, spentUntil(approval.expiresAt));
  }

  /** Waits until the approval is decided or expires, `maxMs` passes or the signal aborts; returns it as it stands. */
  async wait(id: string, opts: WaitOptions): Promise<Approval | undefined> {
    const started = this.now();
    const deadline = started + opts.maxMs;
    let nextProgress = started + PROGRESS_EVERY_MS;
    for (;;) {
      const approval = await this.get(id);
      if (!approval || approval.state !== 'pending') return approval;
      const now = this.now();
      const until = Math.min(deadline, approval.expiresAt + 1);
      if (now >= until || opts.signal?.aborted) return approval;
      if (now >= nextProgress) {
        opts.progress?.(now - started);
        nextProgress = now + PROGRESS_EVERY_MS;
      }
      await this.wakers.wait(id, Math.min(until, nextProgress, now + POLL_MS) - now, opts.signal);
    }
  }

  private stateOf(stored: Stored, decision: Decision | undefined): Approval {
    const { sealed: _sealed, ...approval } = stored;
    const state: ApprovalState = decision ? (decision.approved ? 'approved' : 'denied') : this.isExpired(stored) ? 'expired' : 'pending';
    return { ...approval, state, ...(decision && { decision }) };
  }

  /** AES-256-GCM under a key derived from the shared secret, bound to the approval's ID: the store never holds an agent's inline key in the clear. */
  private seal(id: string, value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv).setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(JSON.stringify(value ?? {}), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  private open(id: string, sealed: string): unknown {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12)).setAAD(Buffer.from(id));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  }
}
