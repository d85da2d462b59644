// The sandbox: a local emulator of the TRTC server APIs on 127.0.0.1, run in-process or standalone.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Site } from '../../tools/define.js';
import { CATALOG } from '../../tools/index.js';
import { silentLogger, type Logger } from '../log.js';
import { hostRefusal } from '../transports/admission.js';
import { CallbackSender, type CallbackTarget } from './callbacks.js';
import { CloudProtocol, type Account } from './cloud.js';
import { Faults, serveFault, type FaultSpec } from './faults.js';
import { aiHandlers, hearSpeech } from './handlers/ai.js';
import { callHandlers } from './handlers/call.js';
import { conferenceHandlers } from './handlers/conference.js';
import { dashboardHandlers } from './handlers/dashboard.js';
import { giftHandlers } from './handlers/gift.js';
import { ingestHandlers } from './handlers/ingest.js';
import { liveHandlers, seedLiveRoom } from './handlers/live.js';
import { mixHandlers } from './handlers/mix.js';
import { pkHandlers } from './handlers/pk.js';
import { qualityHandlers } from './handlers/quality.js';
import { recordHandlers } from './handlers/record.js';
import { relayHandlers } from './handlers/relay.js';
import type { RestHandler } from './handlers/rest-common.js';
import { roomHandlers } from './handlers/room.js';
import { seatHandlers } from './handlers/seat.js';
import { slicingHandlers } from './handlers/slicing.js';
import { speechHandlers } from './handlers/speech.js';
import { transcriptionHandlers } from './handlers/transcription.js';
import type { Handler } from './handlers/types.js';
import { usageHandlers } from './handlers/usage.js';
import { webRecordHandlers } from './handlers/webrecord.js';
import { RestProtocol } from './rest.js';
import { RestState } from './rest-state.js';
import { World, type RoomKind, type WorldSeed } from './world.js';

const HANDLERS: Record<string, Handler> = {
  ...roomHandlers, ...qualityHandlers, ...dashboardHandlers, ...usageHandlers, ...recordHandlers, ...relayHandlers, ...ingestHandlers, ...aiHandlers,
  ...slicingHandlers, ...webRecordHandlers, ...transcriptionHandlers, ...speechHandlers, ...mixHandlers,
};
/** REST handlers, keyed by service/command. */
const REST_HANDLERS: Record<string, RestHandler> = { ...liveHandlers, ...giftHandlers, ...seatHandlers, ...pkHandlers, ...callHandlers, ...conferenceHandlers };

export interface SandboxOptions {
  host?: string;
  port?: number;
  world?: WorldSeed;
  /** Credentials the sandbox accepts; generated when omitted. */
  accounts?: Account[];
  /** SDK secret key of every seeded app that does not name its own. */
  sdkSecretKey?: string;
  /** App admin accounts the REST APIs accept besides "administrator". */
  admins?: string[];
  now?: () => number;
  /** Multiplies every documented rate limit (load tests). */
  rateLimitScale?: number;
  /** The Tencent Cloud site it plays (default intl): actions documented only for the other site are refused. */
  site?: Site;
  log?: Logger;
  /** Where to POST TRTC's event callbacks for what happens in the world (configurable later, too). */
  callbacks?: CallbackTarget;
  /** Host header values the control endpoints accept besides its loopback names and address (its host names). */
  allowedHosts?: readonly string[];
}

/** One request that reached the sandbox: tests count these to prove what was (not) sent. */
export interface SandboxRequestRecord {
  time: number;
  /** A Cloud API request's X-TC-Timestamp in ms: when its client signed and sent it, which rate limits count by. */
  sentAt?: number;
  api: 'cloud' | 'rest' | 'other';
  action?: string;
  code: string;
  requestId?: string;
}

export interface Sandbox {
  url: string;
  world: World;
  /** Live and conference rooms, battles and calls behind the REST APIs. */
  rest: RestState;
  accounts: Account[];
  requests: SandboxRequestRecord[];
  /** Misbehaviours to apply to upcoming requests. */
  faults: Faults;
  /** TRTC's event callbacks for what happens in the world, sent once given a URL and key. */
  callbacks: CallbackSender;
  close(): Promise<void>;
}

const MAX_RECORDS = 10_000;

/** What either protocol answers for one request. */
interface Outcome {
  action?: string;
  code: string;
  requestId: string;
  body: unknown;
  /** Events of a streamed answer, sent as server-sent events. */
  stream?: Array<Record<string, unknown>>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const log = opts.log ?? silentLogger;
  const world = new World(opts.world, opts.now);
  if (opts.sdkSecretKey) {
    for (const [id, app] of world.apps) {
      const seeded = opts.world?.apps.find((a) => a.sdkAppId === id)?.sdkSecretKey;
      if (!seeded) app.sdkSecretKey = opts.sdkSecretKey;
    }
  }
  const accounts = opts.accounts ?? [{ secretId: `sandbox-${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('base64url') }];
  const byId = new Map(accounts.map((a) => [a.secretId, a]));
  const cloud = new CloudProtocol(world, byId, new Map(CATALOG.map((d) => [d.name, d])), HANDLERS, opts.rateLimitScale, opts.site);
  const rest = new RestState(world, new Set(['administrator', ...(opts.admins ?? [])]));
  for (const seed of world.liveSeeds) seedLiveRoom(rest, seed);
  const restCommands = new Map(CATALOG.flatMap((d) => (d.api.kind === 'rest' ? [[`${d.api.service}/${d.api.command}`, d] as const] : [])));
  const restProtocol = new RestProtocol(world, rest, restCommands, REST_HANDLERS, opts.rateLimitScale);
  const requests: SandboxRequestRecord[] = [];
  const faults = new Faults();
  hearSpeech(world);
  const callbacks = new CallbackSender(world);
  if (opts.callbacks) callbacks.configure(opts.callbacks);
  const record = (r: SandboxRequestRecord) => {
    requests.push(r);
    if (requests.length > MAX_RECORDS) requests.splice(0, requests.length - MAX_RECORDS);
  };

  /**
   * Host header values the control endpoints accept: loopback names, its address and what the operator listed. Bound
   * to every address, it still answers only the names it was given, as the MCP port does.
   */
  let hosts = new Set<string>();
  const server = http.createServer({ connectionsCheckingInterval: 5_000 }, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    // The control endpoints are unsigned: only a client that names this server as its host may use them, and no web
    // page (a rebound DNS name, or a page that posts across origins) ever can.
    if (url.pathname.startsWith('/_sandbox/')) {
      const host = String(req.headers.host ?? '').toLowerCase();
      if (!hosts.has(host)) return reply(403, { error: hostRefusal(host, '--allowed-hosts') }, { connection: 'close' });
      if (req.headers.origin !== undefined) return reply(403, { error: 'Requests from web pages are not allowed.' }, { connection: 'close' });
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return reply(413, { error: `Request body over ${MAX_BODY_BYTES} bytes.` }, { connection: 'close' });
    }
    if (url.pathname === '/_sandbox/world' && req.method === 'GET') return reply(200, world.snapshot());
    if (url.pathname === '/_sandbox/faults') {
      if (req.method === 'POST') {
        try {
          faults.inject(JSON.parse(body.toString('utf8')) as FaultSpec);
        } catch (err) {
          return reply(400, { error: (err as Error).message });
        }
      }
      return reply(200, { pending: faults.list() });
    }
    if (url.pathname === '/_sandbox/act' && req.method === 'POST') {
      try {
        return reply(200, act(world, JSON.parse(body.toString('utf8'))));
      } catch (err) {
        return reply(400, { error: (err as Error).message });
      }
    }
    // Both API families answer through here, so injected faults hit either one.
    const signed = Number(req.headers['x-tc-timestamp']);
    const sentAt = Number.isFinite(signed) && signed > 0 ? { sentAt: signed * 1000 } : {};
    const serve = async (api: 'cloud' | 'rest', key: string | undefined, process: () => Outcome) => {
      const fault = faults.take(key);
      if (fault) {
        const { code, requestId } = await serveFault(fault, res, process, api);
        return record({ time: world.now(), ...sentAt, api, action: key, code, requestId });
      }
      const out = process();
      record({ time: world.now(), ...sentAt, api, action: out.action, code: out.code, requestId: out.requestId });
      log.debug(`sandbox ${api} request`, { action: out.action, code: out.code });
      if (!out.stream) return reply(200, out.body);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-tc-requestid': out.requestId });
      res.end(out.stream.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
    };
    if (url.pathname === '/' && req.method === 'POST') {
      const action = req.headers['x-tc-action'] as string | undefined;
      return serve('cloud', action, () => cloud.handle({ method: req.method!, headers: req.headers, body, path: url.pathname, query: url.search.slice(1) }));
    }
    if (url.pathname.startsWith('/v4/')) {
      return serve('rest', url.pathname.slice('/v4/'.length), () => restProtocol.handle({ method: req.method ?? '', path: url.pathname, query: url.searchParams, body }));
    }
    record({ time: world.now(), api: 'other', code: 'NotFound' });
    return reply(404, { error: `No sandbox endpoint at ${req.method} ${url.pathname}` });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const listed = (opts.allowedHosts ?? []).flatMap((h) => [h, `${h}:${port}`]);
  // A wildcard address names no one: bound to every address, only loopback names and the listed ones are its own.
  const own = ['localhost', '127.0.0.1', '[::1]', ...(address === '0.0.0.0' || address === '::' ? [] : [host])];
  hosts = new Set([...own.map((h) => `${h}:${port}`), ...listed].map((h) => h.toLowerCase()));

  return {
    url: `http://${host}:${port}/`,
    world,
    rest,
    accounts,
    requests,
    faults,
    callbacks,
    close: () =>
      new Promise<void>((resolve) => {
        world.stop();
        callbacks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * What the clients of a real app would do, for trying the event callbacks out: a user enters or leaves a room,
 * says a sentence (bots in the room hear it), or switches role. A numeric roomId names a numeric room.
 */
function act(world: World, a: { action?: string; sdkAppId?: number; roomId?: number | string; userId?: string; text?: string; role?: string }) {
  const app = a.sdkAppId === undefined ? [...world.apps.values()][0]! : world.apps.get(a.sdkAppId);
  if (!app) throw new Error(`No app ${a.sdkAppId} in the sandbox.`);
  if ((typeof a.roomId !== 'number' && typeof a.roomId !== 'string') || typeof a.userId !== 'string' || !a.userId) throw new Error('roomId (number or string) and userId are required.');
  const kind: RoomKind = typeof a.roomId === 'number' ? 'int' : 'str';
  if (a.action === 'enter') {
    world.join(app, kind, a.roomId, a.userId, world.now(), a.role === 'audience' ? 21 : 20);
    return { ok: true };
  }
  const room = world.room(app, kind, a.roomId);
  if (!room?.users.has(a.userId)) throw new Error(`${a.userId} is not in room ${a.roomId}.`);
  if (a.action === 'leave') world.leave(app, room, a.userId);
  else if (a.action === 'say' && typeof a.text === 'string' && a.text) world.say(app, room, a.userId, a.text);
  else if (a.action === 'role' && (a.role === 'anchor' || a.role === 'audience')) world.setRole(app, room, room.users.get(a.userId)!, a.role === 'anchor' ? 20 : 21);
  else throw new Error('action must be enter, leave, say (with text) or role (with role anchor or audience).');
  return { ok: true };
}

/** The largest request the emulator reads (TRTC's own limit for a request is 10 MB). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) return reject(new Error('too large'));
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
