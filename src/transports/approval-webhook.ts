// Tells people that an approval waits: one signed POST per pending approval, in the Standard Webhooks format
// (webhook-id, webhook-timestamp, webhook-signature), retried with backoff while the approval is still pending.
// The body names the call and links to its page; it carries no argument values and no secret. A notification is
// only news: whether it arrives, fails or is answered oddly, nothing is decided by it.
import { Webhook } from 'standardwebhooks';
import type { Approval, Approvals } from '../guardrails/approvals.js';
import type { Logger } from '../log.js';
import { redactText } from '../redact.js';
import { VERSION } from '../version.js';

export interface NotifierOptions {
  url: string;
  /** The Standard Webhooks secret, whsec_... */
  secret: string;
  approvals: Approvals;
  log: Logger;
  /** Waits before each attempt after the first. */
  backoffMs?: readonly number[];
  timeoutMs?: number;
}

export const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000] as const;
const TIMEOUT_MS = 10_000;

export interface Notifier {
  notify(approval: Approval): void;
  /** Stops retrying and waits for the attempts under way. */
  close(): Promise<void>;
}

/** The body of a notification: what waits, for whom, until when, and where to decide it. */
export function notificationBody(a: Approval, link: string | undefined): string {
  return JSON.stringify({
    type: 'approval.pending',
    timestamp: new Date(a.createdAt).toISOString(),
    data: {
      approvalId: a.id,
      tool: a.tool,
      ...(a.app !== undefined && { app: a.app }),
      effect: a.effect,
      requestedBy: a.requester,
      createdAt: new Date(a.createdAt).toISOString(),
      expiresAt: new Date(a.expiresAt).toISOString(),
      ...(link && { url: link }),
    },
  });
}

export function approvalNotifier(opts: NotifierOptions): Notifier {
  const { approvals, log } = opts;
  const signer = new Webhook(opts.secret);
  const backoff = opts.backoffMs ?? BACKOFF_MS;
  const inflight = new Set<Promise<void>>();
  const stop = new AbortController();

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  /** One attempt: the HTTP status, or why there was none. Redirects are not followed: only a 2xx is delivery. */
  const attempt = async (id: string, body: string): Promise<number | string> => {
    const at = new Date();
    try {
      const res = await fetch(opts.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS)]),
        headers: {
          'content-type': 'application/json',
          'user-agent': `trtc-mcp/${VERSION}`,
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signer.sign(id, at, body),
        },
        body,
      });
      await res.body?.cancel();
      return res.status;
    } catch (err) {
      // The URL is a secret (it often carries a key): only the kind of failure is kept.
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return redactText(cause ?? (err as Error).name);
    }
  };

  const deliver = async (a: Approval) => {
    const id = `msg_${a.id}`;
    const body = notificationBody(a, approvals.link(a.id));
    let last: number | string = '';
    for (let n = 0; n <= backoff.length; n++) {
      if (n > 0) {
        await pause(backoff[n - 1]!);
        // Nobody needs telling once it is decided or expired.
        const now = await approvals.get(a.id).catch(() => undefined);
        if (stop.signal.aborted || now?.state !== 'pending') return;
      }
      last = await attempt(id, body);
      if (typeof last === 'number' && last >= 200 && last < 300) {
        log.info('approval notification delivered', { approval: a.id, attempts: n + 1 });
        return;
      }
    }
    log.warn('approval notification failed; the approval still waits on its page', { approval: a.id, attempts: backoff.length + 1, last });
  };

  return {
    notify(a) {
      const p: Promise<void> = deliver(a).catch((err: Error) => log.error('approval notification failed', { approval: a.id, error: err.message })).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    async close() {
      stop.abort();
      await Promise.allSettled([...inflight]);
    },
  };
}
