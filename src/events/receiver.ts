// The TRTC callback receiver: checks each callback's signature, refuses what is unsigned, forged, stale, too big or
// too many, and stores the rest as events (once each, however often TRTC retries). It answers within TRTC's
// deadline, and only says "received" once the event is in the store, so an answer of 200 never loses an event.
// Its authentication is the signature alone: it is mounted ahead of the MCP transport's own checks.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { FixedWindowCounter, rateWindow } from '../rate-limit.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { dedupeKey, eventLog, eventRoom, retention, scopeProblem, type CallbackBody, type EventSettings, type StoredEvent } from './log.js';
import { verifyCallback } from './signature.js';

/** Where callbacks are received, on the MCP HTTP port and on a --callbacks-listen port alike. */
export const CALLBACK_PATH = '/callbacks';
/** TRTC gives up on an answer after 5 s; ours leaves a margin for the network. */
export const ANSWER_DEADLINE_MS = 4_000;
/** Callback bodies are small JSON documents; this bounds what an unsigned request can make us read. */
export const MAX_CALLBACK_BYTES = 256 * 1024;
/**
 * A callback sent longer ago than this (by its CallbackTs) is a replay: TRTC stops retrying a minute after the
 * first try, and this leaves room for clock differences. The event log keeps events longer than this (the
 * --events-max-age minimum), so the dedupe record of a genuine event outlives the window.
 */
export const REPLAY_WINDOW_MS = 10 * 60_000;

/**
 * A source (remote address) that sends this many callbacks with a wrong signature within FORGED_WINDOW_MS is refused
 * unheard (429) for the rest of that window: a guesser gets a handful of tries a minute, and TRTC, which signs every
 * callback, is never throttled unless it shares an address with one (then it retries).
 */
export const FORGED_PER_SOURCE = 10;
export const FORGED_WINDOW_MS = 60_000;
/** Sources remembered at once; the oldest window is forgotten first, so a flood of addresses costs bounded memory. */
const MAX_SOURCES = 10_000;

export interface ReceiverOptions {
  /** The callback key configured in the TRTC console. */
  key: string;
  store: Store;
  config: EventSettings & { callbacksRate: number };
  log: Logger;
  /** Told of each event stored, so that waiting readers in this process wake at once. */
  onStored?: (app: number, seq: number) => void;
  now?: () => number;
  deadlineMs?: number;
}

export type RefusalReason = 'method' | 'unsigned' | 'app' | 'size' | 'forged' | 'throttled' | 'malformed' | 'stale' | 'rate' | 'store' | 'slow';

export interface ReceiverStats {
  stored: number;
  duplicates: number;
  /** Well signed, but outside --allow-apps / --allow-rooms: answered and dropped. */
  outOfScope: number;
  refused: Partial<Record<RefusalReason, number>>;
}

export interface CallbackReceiver {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  readonly stats: ReceiverStats;
}

class Refusal extends Error {
  constructor(readonly status: number, readonly reason: RefusalReason, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const header = (req: http.IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function createCallbackReceiver(opts: ReceiverOptions): CallbackReceiver {
  const { key, store, config, log } = opts;
  const now = opts.now ?? Date.now;
  const deadlineMs = opts.deadlineMs ?? ANSWER_DEADLINE_MS;
  const rate = new FixedWindowCounter(rateWindow(config.callbacksRate));
  const stats: ReceiverStats = { stored: 0, duplicates: 0, outOfScope: 0, refused: {} };
  const append = retention(config);

  // Refusals are logged without their bodies, and at most once a second per reason: a flood of forgeries must
  // not become a flood of log lines.
  const quiet = new Map<RefusalReason, { until: number; suppressed: number }>();
  const logRefusal = (req: http.IncomingMessage, r: Refusal) => {
    stats.refused[r.reason] = (stats.refused[r.reason] ?? 0) + 1;
    const q = quiet.get(r.reason);
    const t = now();
    if (q && t < q.until) {
      q.suppressed++;
      return;
    }
    quiet.set(r.reason, { until: t + 1000, suppressed: 0 });
    log.warn('callback refused', {
      status: r.status, reason: r.message, sdkAppId: header(req, 'sdkappid'), from: req.socket.remoteAddress,
      bytes: header(req, 'content-length'), similarRefusalsNotLogged: q?.suppressed || undefined,
    });
  };

  // Failed signatures per source, in fixed windows.
  const forged = new Map<string, { since: number; count: number }>();
  const failures = (source: string) => {
    const f = forged.get(source);
    if (!f || now() - f.since >= FORGED_WINDOW_MS) return undefined;
    return f;
  };
  const forgedFrom = (source: string) => {
    const f = failures(source);
    if (f) return void f.count++;
    forged.delete(source);
    if (forged.size >= MAX_SOURCES) forged.delete(forged.keys().next().value!);
    forged.set(source, { since: now(), count: 1 });
  };

  /**
   * The body, read before its signature can be checked: so within the answer's deadline (TRTC sends a whole body at
   * once), on whichever listener the receiver is mounted, however slowly a sender trickles it.
   */
  const readBody = async (req: http.IncomingMessage, withinMs: number): Promise<Buffer> => {
    if (Number(header(req, 'content-length') ?? 0) > MAX_CALLBACK_BYTES) throw new Refusal(413, 'size', `body over ${MAX_CALLBACK_BYTES} bytes`);
    const read = (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_CALLBACK_BYTES) throw new Refusal(413, 'size', `body over ${MAX_CALLBACK_BYTES} bytes`);
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    })();
    read.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Refusal(408, 'slow', `the body did not arrive within ${deadlineMs} ms`)), Math.max(0, withinMs));
    });
    try {
      return await Promise.race([read, late]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** Parses a verified body: the members every callback has must be there; any others are kept as they are. */
  const parse = (raw: Buffer): CallbackBody => {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new Refusal(400, 'malformed', 'the body is not JSON');
    }
    const b = body as Record<string, unknown>;
    const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
    const group = int(b?.EventGroupId);
    const type = int(b?.EventType);
    if (group === undefined || type === undefined || (b.EventInfo !== undefined && (typeof b.EventInfo !== 'object' || b.EventInfo === null || Array.isArray(b.EventInfo)))) {
      throw new Refusal(400, 'malformed', 'not a TRTC callback (EventGroupId, EventType and EventInfo)');
    }
    return { ...b, EventGroupId: group, EventType: type, EventInfo: (b.EventInfo as Record<string, unknown>) ?? {} };
  };

  /** The store's answer, or a refusal that makes TRTC retry, whichever comes first. */
  const storeWithin = async (event: StoredEvent, budgetMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Refusal(503, 'store', `the store did not answer within ${budgetMs} ms`)), Math.max(0, budgetMs));
    });
    // An append that finishes after the answer still counts: TRTC's retry then finds it and is not stored twice.
    const appended = store.append(eventLog(event.app), event, { ...append, dedupeKey: dedupeKey(event) });
    appended.catch(() => undefined);
    try {
      return await Promise.race([appended, late]);
    } catch (err) {
      if (err instanceof StoreUnavailableError) throw new Refusal(503, 'store', err.message);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = Date.now();
    const answer = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
      if (res.headersSent) return void res.end();
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    try {
      if (req.method !== 'POST') throw new Refusal(405, 'method', `${req.method} is not POST`);
      // Cheap refusals first, before reading a body.
      const source = req.socket.remoteAddress ?? '';
      const tries = failures(source);
      if (tries && tries.count >= FORGED_PER_SOURCE) {
        const wait = Math.ceil((tries.since + FORGED_WINDOW_MS - now()) / 1000);
        throw new Refusal(429, 'throttled', `${tries.count} callbacks with a wrong signature from this address; refused for ${wait} s`, { 'retry-after': String(wait) });
      }
      const sign = header(req, 'sign');
      if (!sign) throw new Refusal(401, 'unsigned', 'no Sign header');
      const appHeader = header(req, 'sdkappid') ?? '';
      if (!/^\d{1,10}$/.test(appHeader)) throw new Refusal(400, 'app', 'no numeric SdkAppId header');
      const app = Number(appHeader);
      const raw = await readBody(req, deadlineMs - (Date.now() - started));
      if (!verifyCallback(key, raw, sign)) {
        forgedFrom(source);
        throw new Refusal(401, 'forged', 'the Sign header does not match the body');
      }
      const body = parse(raw);
      const sentAt = Number(body.CallbackTs ?? body.CallbackMsTs);
      if (Number.isFinite(sentAt) && sentAt > 0 && Math.abs(now() - (sentAt < 1e12 ? sentAt * 1000 : sentAt)) > REPLAY_WINDOW_MS) {
        throw new Refusal(403, 'stale', `CallbackTs is more than ${REPLAY_WINDOW_MS / 60_000} minutes from this server's clock (a replay, or a wrong clock)`);
      }
      if (scopeProblem(config, app, eventRoom(body)) !== undefined) {
        // Acknowledged, so TRTC stops retrying, but not stored: this server may not see that app or room.
        stats.outOfScope++;
        return answer(200, { code: 0 });
      }
      // The rate limit protects the store, so it counts only callbacks that would reach it.
      if (!rate.hit(now())) throw new Refusal(429, 'rate', `more than ${config.callbacksRate} callbacks per second`);
      const { seq, duplicate } = await storeWithin({ app, body }, deadlineMs - (Date.now() - started));
      if (duplicate) stats.duplicates++;
      else {
        stats.stored++;
        opts.onStored?.(app, seq);
      }
      log.debug('callback stored', { sdkAppId: app, group: body.EventGroupId, type: body.EventType, seq, duplicate });
      answer(200, { code: 0 });
    } catch (err) {
      if (!(err instanceof Refusal)) {
        log.error('callback failed', { error: (err as Error).message });
        return answer(500, { code: 1, message: 'internal error' });
      }
      logRefusal(req, err);
      // A refused request may still be sending its body: close the connection rather than read it.
      const headers: Record<string, string> = { ...(err.status === 429 && { 'retry-after': '1' }), ...err.headers };
      if (err.reason !== 'stale' && err.reason !== 'rate' && err.reason !== 'store') headers.connection = 'close';
      answer(err.status, { code: 1, message: err.message }, err.status === 405 ? { ...headers, allow: 'POST' } : headers);
      // A sender still trickling its body is cut off once it has the answer.
      if (err.reason === 'slow') res.once('finish', () => req.socket.destroy());
    }
  };

  return { handle, stats };
}

export interface CallbackListener {
  url: string;
  close(): Promise<void>;
}

/** A port of its own for callbacks (MCP over stdio has no HTTP port): the callback path, and nothing else. */
export async function listenForCallbacks(host: string, port: number, receiver: CallbackReceiver, log: Logger): Promise<CallbackListener> {
  // Loaded here, not at the top: every start loads this module, and only this port needs a server (see api/http.ts
  // on what an import of node:http costs).
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === CALLBACK_PATH) return void receiver.handle(req, res);
    res.writeHead(404, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ code: 1, message: `Not found. TRTC callbacks are received at ${CALLBACK_PATH}.` }));
  });
  // A slow sender must not hold a connection open: TRTC sends whole bodies at once.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { address, port: bound } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${bound}${CALLBACK_PATH}`;
  log.info('receiving TRTC callbacks', { url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
