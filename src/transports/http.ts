// MCP over HTTP: Streamable HTTP at /mcp and the legacy SSE transport at /sse + /messages.
// Each client session gets its own MCP server; all share one context.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';

export interface HttpServeOptions {
  host: string;
  port: number;
  log: Logger;
  newServer: () => Server;
  maxBodyBytes?: number;
  maxSessions?: number;
  idleTimeoutMs?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Host header values accepted besides the loopback names (DNS-rebinding protection). */
  allowedHosts?: readonly string[];
  /** Browser origins accepted besides the server's own. */
  allowedOrigins?: readonly string[];
  /**
   * Paths served ahead of MCP and of its checks (Host, Origin, bearer token), by handlers that authenticate their
   * own requests: the TRTC callback receiver checks each callback's signature.
   */
  routes?: Readonly<Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>>>;
}

export interface HttpHandle {
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport | SSEServerTransport;
  server: Server;
  lastSeen: number;
}

class HttpError extends Error {
  /**
   * @param rpcCode the JSON-RPC error code of the body: a body that is not JSON is a parse error (-32700) by
   *   JSON-RPC's rules; other refusals say -32600 (400) or the SDK's generic -32000.
   * @param headers extra response headers, such as the `Allow` that HTTP requires with 405.
   */
  constructor(readonly status: number, message: string, readonly rpcCode = status === 400 ? -32600 : -32000, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const notAllowed = (allow: string, message: string) => new HttpError(405, message, undefined, { allow });

export async function serveHttp(opts: HttpServeOptions): Promise<HttpHandle> {
  const { log, maxBodyBytes = 1024 * 1024, maxSessions = 1000, idleTimeoutMs = 30 * 60_000 } = opts;
  const sessions = new Map<string, Session>();

  const closeSession = (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    void s.server.close().catch(() => undefined);
  };
  const touch = (id: string | undefined) => {
    const s = id ? sessions.get(id) : undefined;
    if (s) s.lastSeen = Date.now();
    return s;
  };
  const admit = () => {
    if (sessions.size >= maxSessions) throw new HttpError(503, `Too many sessions (limit ${maxSessions}); close one or retry later.`);
  };

  const handleMcp = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const sid = header(req, 'mcp-session-id');
    if (req.method === 'POST') {
      const body = await readJson(req, maxBodyBytes);
      let session = touch(sid);
      if (!session) {
        if (sid) throw new HttpError(404, 'Session not found; start a new one with initialize.');
        if (!isInitializeRequest(body)) throw new HttpError(400, 'No session: the first request must be initialize.');
        admit();
        const server = opts.newServer();
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (id) => {
            sessions.set(id, { transport, server, lastSeen: Date.now() });
          },
          onsessionclosed: (id) => closeSession(id),
        });
        transport.onclose = () => transport.sessionId && closeSession(transport.sessionId);
        await server.connect(transport);
        session = { transport, server, lastSeen: Date.now() };
      }
      if (!(session.transport instanceof StreamableHTTPServerTransport)) throw new HttpError(400, 'This session uses the SSE transport.');
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      const session = touch(sid);
      if (!sid) throw new HttpError(400, 'Missing Mcp-Session-Id header.');
      if (!session || !(session.transport instanceof StreamableHTTPServerTransport)) throw new HttpError(404, 'Session not found.');
      return session.transport.handleRequest(req, res);
    }
    throw notAllowed('GET, POST, DELETE', 'Use POST, GET or DELETE on /mcp.');
  };

  const handleSse = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    if (url.pathname === '/sse' && req.method === 'GET') {
      admit();
      const transport = new SSEServerTransport('/messages', res);
      const server = opts.newServer();
      sessions.set(transport.sessionId, { transport, server, lastSeen: Date.now() });
      res.on('close', () => closeSession(transport.sessionId));
      await server.connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const session = touch(url.searchParams.get('sessionId') ?? undefined);
      if (!session || !(session.transport instanceof SSEServerTransport)) throw new HttpError(404, 'Session not found.');
      const body = await readJson(req, maxBodyBytes);
      return session.transport.handlePostMessage(req, res, body);
    }
    throw notAllowed(url.pathname === '/sse' ? 'GET' : 'POST', 'Use GET /sse to open a stream and POST /messages to send.');
  };

  let hosts = new Set<string>();
  const digest = (v: string) => createHash('sha256').update(v).digest();
  const expectedAuth = opts.authToken ? digest(`Bearer ${opts.authToken}`) : undefined;
  /** Host and Origin first (a rebinding page must get nothing), then the bearer token, compared in constant time. */
  const admitRequest = (req: http.IncomingMessage) => {
    const host = (header(req, 'host') ?? '').toLowerCase();
    if (!hosts.has(host)) throw new HttpError(403, `Host ${host || '(none)'} is not allowed.`);
    const origin = header(req, 'origin');
    if (origin !== undefined) {
      let originHost = '';
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        /* an unparsable origin is refused below */
      }
      if (!hosts.has(originHost) && !opts.allowedOrigins?.includes(origin)) throw new HttpError(403, `Origin ${origin} is not allowed.`);
    }
    if (expectedAuth && !timingSafeEqual(digest(header(req, 'authorization') ?? ''), expectedAuth)) {
      throw new HttpError(401, 'Missing or wrong bearer token.');
    }
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = opts.routes?.[url.pathname];
    if (route) return void route(req, res);
    try {
      admitRequest(req);
      if (url.pathname === '/mcp') return await handleMcp(req, res);
      if (url.pathname === '/sse' || url.pathname === '/messages') return await handleSse(req, res, url);
      if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok', sessions: sessions.size });
      throw new HttpError(404, 'Not found. MCP is served at /mcp (Streamable HTTP) and /sse (legacy SSE).');
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error('HTTP request failed', { path: url.pathname, error: (err as Error).message });
      else if (status === 401 || status === 403) log.warn('HTTP request refused', { status, path: url.pathname, reason: (err as Error).message });
      if (!res.headersSent) {
        if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
        // A refused request may still be streaming its body; close rather than read it.
        if (status === 413 || status === 401 || status === 403) res.setHeader('Connection', 'close');
        if (err instanceof HttpError) for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
        const code = err instanceof HttpError ? err.rpcCode : -32603;
        sendJson(res, status, { jsonrpc: '2.0', error: { code, message: (err as Error).message }, id: null });
      } else res.end();
    }
  });

  const sweep = setInterval(() => {
    const cutoff = Date.now() - idleTimeoutMs;
    for (const [id, s] of sessions) if (s.lastSeen < cutoff) closeSession(id);
  }, Math.min(idleTimeoutMs, 60_000));
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const names = ['localhost', '127.0.0.1', '[::1]', opts.host.includes(':') ? `[${opts.host}]` : opts.host, ...(opts.allowedHosts ?? [])];
  hosts = new Set(names.flatMap((n) => [n.toLowerCase(), `${n.toLowerCase()}:${port}`]));
  log.info('serving MCP over HTTP', { streamableHttp: `${url}/mcp`, sse: `${url}/sse` });

  return {
    url,
    sessions: () => sessions.size,
    close: async () => {
      clearInterval(sweep);
      for (const id of [...sessions.keys()]) closeSession(id);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

async function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `Request body exceeds ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `Request body exceeds ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.', -32700);
  }
}
