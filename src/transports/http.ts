// MCP over HTTP: Streamable HTTP at /mcp in both protocol eras, and the legacy SSE transport at /sse + /messages.
// At /mcp each request's era is decided from its body: a 2026-07-28 request (the _meta envelope) is answered on its
// own by a fresh server (v2 SDK), so any replica can answer any request; a legacy request belongs to a session
// (v1 SDK) that keeps in-band elicitation, logs and progress. Every path is behind the same admission, which names
// the identity that sent each request (src/auth/edge.ts); the era adapters read it from the request's authInfo.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { classifyInboundRequest, createMcpHandler, type Server as ModernServer } from '@modelcontextprotocol/server';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Challenge, Authenticator } from '../auth/edge.js';
import { normalizeOrigin } from '../config.js';
import type { Scope } from '../guardrails/access.js';
import type { Identity } from '../guardrails/identity.js';
import type { Logger } from '../log.js';

export interface HttpServeOptions {
  host: string;
  port: number;
  log: Logger;
  /** A server for one legacy session, opened by this identity. */
  newServer: (identity: Identity) => Server;
  /** A server for one 2026-07-28 request; `caller` identifies who sent it, for binding consent to them. */
  newModernServer: (caller: string, identity: Identity) => ModernServer;
  maxBodyBytes?: number;
  maxSessions?: number;
  idleTimeoutMs?: number;
  /** Who sent each request, or the challenge to refuse it with (none, the shared token, or OAuth). */
  auth: Authenticator;
  /** The scope a JSON-RPC message needs (by what it asks for), checked before it runs so that a weak token gets a step-up challenge. */
  scopeOf?: (message: unknown) => Promise<{ scope: Scope; why: string }>;
  /** Host header values accepted besides the loopback names (DNS-rebinding protection). */
  allowedHosts?: readonly string[];
  /** Browser origins accepted besides the server's own, normalised (see normalizeOrigin). */
  allowedOrigins?: readonly string[];
  /** Names this process among the replicas, in /healthz. */
  replica?: string;
  /** The state store, whose reachability /healthz reports and /readyz requires. */
  store?: ProbedStore;
  /**
   * Paths served ahead of MCP and of its checks (Host, Origin, bearer token), by handlers that authenticate their
   * own requests: the TRTC callback receiver checks each callback's signature.
   */
  routes?: Readonly<Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>>>;
}

/** What the probes need of the state store (see src/store/store.ts). */
export interface ProbedStore {
  kind: string;
  /** Where it lives, credentials masked. */
  location: string;
  ping(): Promise<void>;
}

/** How long a client may take to send its headers, and its whole request (the largest body at 1 MB/s). */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 60_000;

/** A probe waits this long for the store; orchestrators give a probe about a second. */
const PROBE_TIMEOUT_MS = 800;

export interface HttpHandle {
  url: string;
  sessions(): number;
  close(): Promise<void>;
}

interface Session {
  transport: StreamableHTTPServerTransport | SSEServerTransport;
  server: Server;
  lastSeen: number;
  /** Who opened it: only they may use it. */
  owner: string;
}

/** The identity as the SDKs pass it to request handlers (their authInfo): never the credential itself. */
export interface IdentityAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  extra: { identity: Identity };
}
const authInfoOf = (identity: Identity): IdentityAuthInfo => ({ token: '', clientId: '', scopes: [...(identity.scopes ?? [])], extra: { identity } });
const ownerOf = (identity: Identity) => `${identity.via}\n${identity.subject}`;

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
  /** The session of this id, if the identity opened it; another identity's session is as unknown as a made-up one. */
  const touch = (id: string | undefined, identity: Identity) => {
    const s = id ? sessions.get(id) : undefined;
    if (!s || s.owner !== ownerOf(identity)) return undefined;
    s.lastSeen = Date.now();
    return s;
  };
  const admit = () => {
    if (sessions.size >= maxSessions) throw new HttpError(503, `Too many sessions (limit ${maxSessions}); close one or retry later.`);
  };

  // The SDK's stateless entry, strict: legacy requests never reach it (they keep their sessions below).
  const modern = createMcpHandler(({ requestInfo, authInfo }) => {
    const identity = (authInfo as IdentityAuthInfo).extra.identity;
    return opts.newModernServer(callerOf(identity, requestInfo?.headers.get('authorization')), identity);
  }, {
    legacy: 'reject',
    onerror: (err) => log.debug('2026-07-28 request not served', { error: err.message }),
  });
  const serveModern = toNodeHandler(modern, { onerror: (err) => log.error('2026-07-28 request failed', { error: err.message }) });

  /** Refuses a message the identity's token is too weak for, with a step-up challenge the client can act on. */
  const authorize = async (identity: Identity, body: unknown) => {
    if (!opts.scopeOf) return;
    const { scope, why } = await opts.scopeOf(body);
    const weak = opts.auth.require(identity, scope, why);
    if (weak) throw challenged(weak);
  };

  const handleMcp = async (req: http.IncomingMessage, res: http.ServerResponse, identity: Identity) => {
    const sid = header(req, 'mcp-session-id');
    if (req.method === 'POST') {
      const body = await readJson(req, maxBodyBytes);
      await authorize(identity, body);
      if (sid === undefined && !isLegacy(req, body)) return serveModern(req, res, body);
      let session = touch(sid, identity);
      if (!session) {
        if (sid) throw new HttpError(404, 'Session not found; start a new one with initialize.');
        if (!isInitializeRequest(body)) throw new HttpError(400, 'No session: the first request must be initialize.');
        admit();
        const server = opts.newServer(identity);
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (id) => {
            sessions.set(id, { transport, server, lastSeen: Date.now(), owner: ownerOf(identity) });
          },
          onsessionclosed: (id) => closeSession(id),
        });
        transport.onclose = () => transport.sessionId && closeSession(transport.sessionId);
        await server.connect(transport);
        session = { transport, server, lastSeen: Date.now(), owner: ownerOf(identity) };
      }
      if (!(session.transport instanceof StreamableHTTPServerTransport)) throw new HttpError(400, 'This session uses the SSE transport.');
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      const session = touch(sid, identity);
      if (!sid) throw new HttpError(400, 'Missing Mcp-Session-Id header.');
      if (!session || !(session.transport instanceof StreamableHTTPServerTransport)) throw new HttpError(404, 'Session not found.');
      return session.transport.handleRequest(req, res);
    }
    throw notAllowed('GET, POST, DELETE', 'Use POST, GET or DELETE on /mcp.');
  };

  const handleSse = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, identity: Identity) => {
    if (url.pathname === '/sse' && req.method === 'GET') {
      admit();
      const transport = new SSEServerTransport('/messages', res);
      const server = opts.newServer(identity);
      sessions.set(transport.sessionId, { transport, server, lastSeen: Date.now(), owner: ownerOf(identity) });
      res.on('close', () => closeSession(transport.sessionId));
      await server.connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const session = touch(url.searchParams.get('sessionId') ?? undefined, identity);
      if (!session || !(session.transport instanceof SSEServerTransport)) throw new HttpError(404, 'Session not found.');
      const body = await readJson(req, maxBodyBytes);
      await authorize(identity, body);
      return session.transport.handlePostMessage(req, res, body);
    }
    throw notAllowed(url.pathname === '/sse' ? 'GET' : 'POST', 'Use GET /sse to open a stream and POST /messages to send.');
  };

  let hosts = new Set<string>();
  let origins = new Set<string>();
  const admitHost = (req: http.IncomingMessage) => {
    const host = (header(req, 'host') ?? '').toLowerCase();
    if (!hosts.has(host)) throw new HttpError(403, `Host ${host || '(none)'} is not allowed.`);
  };
  /**
   * Host and Origin first (a rebinding page must get nothing), then who sent it (src/auth/edge.ts), whose identity
   * travels with the request to the SDK as its authInfo. Probes skip the credential: orchestrators and load
   * balancers probe without one.
   */
  const admitRequest = async (req: http.IncomingMessage): Promise<Identity> => {
    admitOrigin(req);
    const admission = await opts.auth.authenticate(req);
    if (admission.challenge) throw challenged(admission.challenge);
    (req as http.IncomingMessage & { auth?: IdentityAuthInfo }).auth = authInfoOf(admission.identity);
    return admission.identity;
  };
  const admitOrigin = (req: http.IncomingMessage) => {
    admitHost(req);
    // A browser names the page that sent the request: only the server's own origins (same scheme, host and port)
    // and those the operator listed may talk to it.
    const origin = header(req, 'origin');
    if (origin !== undefined) {
      const normal = normalizeOrigin(origin);
      if (!normal || !origins.has(normal)) throw new HttpError(403, `Origin ${origin} is not allowed.`);
    }
  };

  /** RFC 9728 metadata: public, so any origin may read it (a browser-based client discovers the authorization server with it). */
  const serveMetadata = (req: http.IncomingMessage, res: http.ServerResponse, document: Record<string, unknown>) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notAllowed('GET, HEAD', 'Use GET to read the protected resource metadata.');
    admitHost(req);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600', 'access-control-allow-origin': '*' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(document));
  };

  /**
   * /healthz: the process answers (200), and says whether the store is reachable. /readyz: 200 only while it is,
   * else 503. Without the bearer token they say no more than that: where the store lives is shown only with it.
   */
  const probe = async (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notAllowed('GET, HEAD', `Use GET on ${path}.`);
    admitOrigin(req);
    const store = opts.store && (await probeStore(opts.store));
    const ready = !store || store.reachable;
    // The store's location and error name hosts of the operator's network: for authenticated callers only.
    const detailed = (await opts.auth.authenticate(req)).identity !== undefined;
    const storeReport = store && {
      kind: opts.store!.kind,
      reachable: store.reachable,
      ms: store.ms,
      ...(detailed && { location: opts.store!.location, ...(store.error && { error: store.error }) }),
    };
    if (path === '/readyz') {
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...(opts.replica && { replica: opts.replica }), ...(storeReport && { store: storeReport }) });
    }
    sendJson(res, 200, { status: ready ? 'ok' : 'degraded', ...(opts.replica && { replica: opts.replica }), sessions: sessions.size, ...(storeReport && { store: storeReport }) });
  };

  const server = http.createServer({ connectionsCheckingInterval: 5_000 }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = opts.routes?.[url.pathname];
    if (route) return void route(req, res);
    try {
      if (url.pathname === '/healthz' || url.pathname === '/readyz') return await probe(req, res, url.pathname);
      if (opts.auth.metadata?.paths.has(url.pathname)) return serveMetadata(req, res, opts.auth.metadata.document);
      const identity = await admitRequest(req);
      if (url.pathname === '/mcp') return await handleMcp(req, res, identity);
      if (url.pathname === '/sse' || url.pathname === '/messages') return await handleSse(req, res, url, identity);
      throw new HttpError(404, 'Not found. MCP is served at /mcp (Streamable HTTP) and /sse (legacy SSE).');
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.error('HTTP request failed', { path: url.pathname, error: (err as Error).message });
      else if (status === 401 || status === 403) log.warn('HTTP request refused', { status, path: url.pathname, reason: (err as Error).message });
      if (!res.headersSent) {
        if (status === 401 && !(err instanceof HttpError && err.headers['www-authenticate'])) res.setHeader('WWW-Authenticate', 'Bearer');
        // A refused request may still be streaming its body; close rather than read it.
        if (status === 413 || status === 401 || status === 403) res.setHeader('Connection', 'close');
        if (err instanceof HttpError) for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
        const code = err instanceof HttpError ? err.rpcCode : -32603;
        sendJson(res, status, { jsonrpc: '2.0', error: { code, message: (err as Error).message }, id: null });
      } else res.end();
    }
  });

  // Node's defaults let a sender take 60 s over its headers and 300 s over its body; a client that is still sending
  // gets a 408 sooner. (The callback receiver has a deadline of its own, TRTC's.)
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;

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
  const own = ['localhost', '127.0.0.1', '[::1]', opts.host.includes(':') ? `[${opts.host}]` : opts.host].map((n) => normalizeOrigin(`http://${n}:${port}`));
  origins = new Set([...own, ...(opts.allowedOrigins ?? [])].filter((o): o is string => o !== undefined));
  log.info('serving MCP over HTTP', { streamableHttp: `${url}/mcp`, sse: `${url}/sse`, ...(opts.replica && { replica: opts.replica }) });

  return {
    url,
    sessions: () => sessions.size,
    close: async () => {
      clearInterval(sweep);
      for (const id of [...sessions.keys()]) closeSession(id);
      await modern.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Whether a POST to /mcp belongs to the legacy era, by the SDK's own rules: no per-request _meta envelope and no
 * 2026-07-28 MCP-Protocol-Version header. What the modern path must refuse (a malformed envelope, headers that
 * contradict the body) goes there too, so that it is refused with the spec's error.
 */
function isLegacy(req: http.IncomingMessage, body: unknown): boolean {
  return classifyInboundRequest({
    httpMethod: 'POST',
    protocolVersionHeader: header(req, 'mcp-protocol-version'),
    mcpMethodHeader: header(req, 'mcp-method'),
    mcpNameHeader: header(req, 'mcp-name'),
    body,
  }).kind === 'legacy';
}

/** Whether the store answers a ping within the probe's time, and if not, why (its message masks credentials). */
async function probeStore(store: ProbedStore): Promise<{ reachable: boolean; ms: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { reachable: true, ms: Date.now() - started };
  } catch (err) {
    return { reachable: false, ms: Date.now() - started, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Who sent a stateless request, for binding consent to it: an OAuth identity by its subject (its token changes as it
 * is refreshed or stepped up), otherwise a digest of the bearer credential, never the credential.
 */
function callerOf(identity: Identity, authorization: string | null | undefined): string {
  const digest = (v: string) => createHash('sha256').update(v).digest('base64url').slice(0, 22);
  if (identity.via === 'oauth') return `oauth:${digest(identity.subject)}`;
  return authorization ? `bearer:${digest(authorization)}` : 'anonymous';
}

/** A refusal of the authentication layer as an HTTP error, with its WWW-Authenticate header. */
const challenged = (c: Challenge) => new HttpError(c.status, c.message, undefined, c.wwwAuthenticate ? { 'www-authenticate': c.wwwAuthenticate } : {});

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
