// MCP over stdin/stdout: one client, one connection. Every line read is checked as JSON-RPC first: one that is not
// JSON gets a parse error, one that is no JSON-RPC 2.0 message an invalid request (as JSON-RPC says), logged on
// stderr. The first message decides the protocol era for the whole connection: a request with the 2026-07-28 _meta
// envelope, or server/discover, is served by the v2 SDK's stdio entry (modern only); anything else, initialize first
// of all, gets the legacy handshake on the v1 SDK. Only the chosen SDK line is loaded, and only once the opening
// requests that need none (server/early.ts) are answered.
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { Server as ModernServer } from '@modelcontextprotocol/server';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../log.js';
import type { EarlyAnswerer, Message } from '../server/early.js';

export interface StdioEras {
  legacy(): Promise<Server>;
  /** A factory of 2026-07-28 servers; `caller` names the connection. */
  modern(): Promise<(caller: string) => ModernServer>;
  /** Answers to opening requests that need no SDK, when the server can give them for this era. */
  early?(modern: boolean): EarlyAnswerer | undefined;
}

export interface StdioListener {
  /** Whether the connection opened in the 2026-07-28 era; known once the first message has arrived. */
  modern: Promise<boolean>;
  /** Resolves when the client has closed stdin and everything it sent has been read. */
  ended: Promise<void>;
  serve(eras: StdioEras): Promise<() => Promise<void>>;
}

const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const modernEntry = () => import('@modelcontextprotocol/server/stdio');
const legacyEntry = () => import('@modelcontextprotocol/sdk/server/stdio.js');
/** Requests an early answer may be given to: no SDK line is loaded ahead of them. */
const EARLY_METHODS = ['initialize', 'tools/list', 'server/discover'];

/**
 * Starts reading the connection at once: lines that are no message are answered as they come, and the opening
 * message, with it the era, is known while the rest of the server starts.
 */
export function listenStdio(log: Logger, stdin: Readable = process.stdin, stdout: NodeJS.WritableStream = process.stdout): StdioListener {
  /** What the SDK's transport reads: every message that was not answered early, in order. */
  const input = new PassThrough();
  const ended = new Promise<void>((resolve) => input.once('end', () => resolve()));
  let decide!: (modern: boolean) => void;
  const modern = new Promise<boolean>((resolve) => (decide = resolve));
  let era: boolean | undefined;
  /** Messages read before serve() knows how to route them. */
  let waiting: { line: string; message: Message }[] | undefined = [];
  let answer: EarlyAnswerer | undefined;
  /** Requests answered early that the SDK also sees: the SDK's own answer is dropped (and compared). */
  const answered = new Map<string | number, string>();
  let closed = false;
  // The SDK line loads once the opening is over: a request only it can answer, the early tools/list answered, or the
  // end of input. Loading it takes the thread for a while, so not before a legacy client's second message is in.
  let needed!: () => void;
  const needSdk = new Promise<void>((resolve) => (needed = resolve));

  const route = (line: string, message: Message) => {
    const early = answer?.(message);
    if (early) {
      stdout.write(early.line);
      log.debug('stdio: answered before the SDK line loaded', { method: message.method });
      if (message.method === 'tools/list') needed();
      if (!early.forward) return;
      answered.set(message.id!, early.line);
    } else if (message.id !== undefined && message.method !== undefined) {
      // From the first request the SDK answers, every later one keeps its order behind it.
      answer = undefined;
      needed();
    }
    input.write(`${line}\n`);
  };
  const onLine = (raw: string) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    const checked = check(line);
    if ('code' in checked) {
      stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: checked.id, error: { code: checked.code, message: checked.message } })}\n`);
      // The line may hold anything, secrets included: a short prefix (the logger escapes it) says which line it was.
      log.warn(`stdin: ${checked.message} (answered ${checked.code})`, { line: `${line.slice(0, 12)}${line.length > 12 ? '...' : ''}` });
      return;
    }
    if (era === undefined) {
      era = isModernOpening(checked);
      decide(era);
      // An opening that no early answer can serve needs its SDK line: load it while the server starts.
      if (!EARLY_METHODS.includes(checked.method ?? '')) void (era ? modernEntry() : legacyEntry()).catch(() => undefined);
    }
    if (waiting) waiting.push({ line, message: checked });
    else route(line, checked);
  };
  let rest = '';
  stdin.setEncoding('utf8');
  stdin.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  stdin.once('end', () => {
    if (rest) onLine(rest);
    closed = true;
    needed();
    if (era === undefined) decide(false);
    if (!waiting) input.end();
  });

  return {
    modern,
    ended,
    async serve(eras) {
      const isModern = await modern;
      log.info('serving MCP over stdio', { era: isModern ? '2026-07-28' : 'legacy' });
      answer = eras.early?.(isModern);
      if (!answer) needed();
      for (const { line, message } of waiting!.splice(0)) route(line, message);
      waiting = undefined;
      if (closed) input.end();
      await needSdk;
      // The answers above are written before the SDK line's modules take the thread.
      await new Promise((resolve) => setImmediate(resolve));
      if (isModern) {
        const [{ serveStdio, StdioServerTransport }, newServer] = await Promise.all([modernEntry(), eras.modern()]);
        const caller = `stdio:${randomUUID()}`;
        const handle = serveStdio(() => newServer(caller), {
          legacy: 'reject',
          transport: new StdioServerTransport(input, stdout as never),
          onerror: (err) => log.debug('2026-07-28 message not served', { error: err.message }),
        });
        return () => handle.close();
      }
      const [{ StdioServerTransport }, server] = await Promise.all([legacyEntry(), eras.legacy()]);
      const transport = new StdioServerTransport(input, stdout as never);
      if (answered.size) dropAnswered(transport as never, answered, log);
      await server.connect(transport);
      return () => server.close();
    },
  };
}

/**
 * Drops the SDK's own answers to requests answered early (each checked against the early one), then gets out of the
 * way: the transport's send is its own again once none is left.
 */
function dropAnswered(transport: { send(message: { id?: unknown }): Promise<void> }, answered: Map<string | number, string>, log: Logger): void {
  const send = transport.send.bind(transport);
  transport.send = async (message) => {
    const early = answered.get(message.id as string | number);
    if (early === undefined) return send(message);
    answered.delete(message.id as string | number);
    if (!answered.size) transport.send = send;
    if (`${JSON.stringify(message)}\n` !== early) log.warn('stdio: an early answer differed from the SDK\'s', { id: message.id as string | number });
  };
}

type Checked = Message | { code: number; message: string; id: string | number | null };

/** The line as a JSON-RPC 2.0 message, or the error that answers it. */
function check(line: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { code: PARSE_ERROR, message: 'Parse error: each line on stdin must be one JSON-RPC message in JSON', id: null };
  }
  const m = value as Record<string, unknown>;
  const object = typeof value === 'object' && value !== null && !Array.isArray(value);
  const id = object && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : undefined;
  const params = !object || m.params === undefined || (typeof m.params === 'object' && m.params !== null && !Array.isArray(m.params));
  const valid = object && m.jsonrpc === '2.0' && params &&
    (typeof m.method === 'string' ? m.id === undefined || id !== undefined : (id !== undefined || m.id === null) && ('result' in m || 'error' in m));
  if (!valid) return { code: INVALID_REQUEST, message: 'Invalid Request: not a JSON-RPC 2.0 request, notification or response (MCP sends one JSON object a line, with "jsonrpc": "2.0")', id: id ?? null };
  return m as Message;
}

function isModernOpening(message: Message): boolean {
  const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  return message.method === 'server/discover' || (typeof meta === 'object' && meta !== null && PROTOCOL_VERSION_META_KEY in meta);
}
