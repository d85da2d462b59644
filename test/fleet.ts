// A replica set for the tests: a real redis-server, several server processes sharing it (and one consent secret)
// in front of one sandbox, and a small load balancer on loopback that spreads requests round-robin, as a deployment
// would. Each replica is a real `trtc-mcp --transport http` process.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../src/sandbox/index.js';
import { sandboxEnv, spawnHttp, type SpawnedHttp } from './helpers.js';
import { startRedis, type RedisServer } from './redis.js';

export interface Balancer {
  url: string;
  /** Host header clients send through it, which the replicas must accept (--allowed-hosts). */
  host: string;
  /** Where requests go, in turn; replaced when the replicas are known. */
  upstreams: string[];
  /** Requests each upstream was given. */
  served: Map<string, number>;
  close(): Promise<void>;
}

/** A replica that refused a connection is skipped for this long, as a load balancer's health check would. */
const DOWN_FOR_MS = 2_000;

/**
 * Round-robin over the upstreams, with stickiness for legacy sessions (the Mcp-Session-Id a replica answered with
 * routes that session's later requests back to it). A replica that cannot be connected to is skipped and the
 * request goes to the next one, since it never reached a server; a replica that fails once connected answers 502,
 * since the request may have been acted on, and repeating it could act twice.
 */
export async function startBalancer(): Promise<Balancer> {
  const served = new Map<string, number>();
  const sticky = new Map<string, string>();
  const down = new Map<string, number>();
  let turn = 0;
  const balancer: Balancer = { url: '', host: '', upstreams: [], served, close: async () => undefined };

  const pick = (session: string | undefined, tried: Set<string>): string | undefined => {
    const bound = session && sticky.get(session);
    if (bound) return tried.has(bound) ? undefined : bound;
    const { upstreams } = balancer;
    for (let i = 0; i < upstreams.length; i++) {
      const u = upstreams[turn++ % upstreams.length]!;
      if (!tried.has(u) && (down.get(u) ?? 0) < Date.now()) return u;
    }
    return undefined;
  };

  const forward = (upstream: string, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) =>
    new Promise<'refused' | 'done'>((resolve) => {
      const target = new URL(req.url ?? '/', upstream);
      // A connection per request: a kept-alive one that the replica closes as it is reused would fail a request
      // that may or may not have reached it.
      const out = http.request(target, { method: req.method, headers: endToEnd(req.headers), agent: false }, (answer) => {
        served.set(upstream, (served.get(upstream) ?? 0) + 1);
        const session = answer.headers['mcp-session-id'];
        if (typeof session === 'string') sticky.set(session, upstream);
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
        answer.once('error', () => res.destroy());
        answer.once('end', () => resolve('done'));
        answer.once('close', () => resolve('done'));
      });
      let connected = false;
      out.once('socket', (socket) => socket.once('connect', () => (connected = true)));
      out.once('error', (err: NodeJS.ErrnoException) => {
        // No connection was made: nothing reached a server, so another may take it.
        if (!connected) {
          down.set(upstream, Date.now() + DOWN_FOR_MS);
          return resolve('refused');
        }
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `the replica failed once connected: ${err.message}` }));
        } else res.destroy();
        resolve('done');
      });
      out.end(body);
    });

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const session = req.headers['mcp-session-id'] as string | undefined;
    const tried = new Set<string>();
    for (let upstream = pick(session, tried); upstream; upstream = pick(session, tried)) {
      tried.add(upstream);
      if ((await forward(upstream, req, body, res)) === 'done') return;
    }
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'no replica is reachable' }));
  });
  // Longer than clients keep an idle connection, so that the balancer never closes one a client is about to reuse.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  balancer.url = `http://127.0.0.1:${port}`;
  balancer.host = `127.0.0.1:${port}`;
  balancer.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return balancer;
}

/** Headers without the hop-by-hop ones, which belong to each connection and are not passed on. */
function endToEnd(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, 'proxy-connection': _p, upgrade: _u, ...rest } = headers;
  return rest;
}

export interface Replica extends SpawnedHttp {
  name: string;
}

export interface Fleet {
  redis: RedisServer;
  replicas: Replica[];
  balancer: Balancer;
  stop(): Promise<void>;
}

export interface FleetOptions {
  replicas?: number;
  /** Settings of every replica (toolsets, scope...), or a function of the balancer for settings that name it (the OAuth resource). */
  args?: string[] | ((balancer: Balancer) => string[]);
  env?: Record<string, string>;
  /** Keep Redis's data across its restarts, as a production Redis would. */
  persist?: boolean;
}

/** Redis, the replicas (named replica-a, replica-b...) sharing it and one consent secret, and the balancer. */
export async function startFleet(sb: Sandbox, opts: FleetOptions = {}): Promise<Fleet> {
  const redis = await startRedis({ persist: opts.persist });
  const balancer = await startBalancer();
  // What every replica must share: the store and the secret that token and requestState keys derive from.
  const env = sandboxEnv(sb, { TRTC_MCP_CONFIRM_SECRET: randomBytes(24).toString('base64url'), TRTC_MCP_STORE: redis.url, ...opts.env });
  const names = Array.from({ length: opts.replicas ?? 3 }, (_, i) => `replica-${String.fromCharCode(97 + i)}`);
  const replicas = await Promise.all(
    names.map(async (name) => {
      const args = typeof opts.args === 'function' ? opts.args(balancer) : (opts.args ?? []);
      const r = await spawnHttp([...args, '--replica-id', name, '--allowed-hosts', balancer.host], env);
      return Object.assign(r, { name });
    }),
  );
  balancer.upstreams = replicas.map((r) => r.url);
  return {
    redis,
    replicas,
    balancer,
    stop: async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await balancer.close();
      await redis.stop();
    },
  };
}

/** A probe's answer: /healthz or /readyz. */
export async function probe(url: string, path: '/healthz' | '/readyz', headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  return { status: res.status, body: (await res.json()) as { status: string; replica?: string; store?: { kind: string; reachable: boolean; location?: string; error?: string } } };
}
