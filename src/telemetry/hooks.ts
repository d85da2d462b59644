// What each telemetry hook emits, once the SDK is on (sdk.ts). Names follow the OpenTelemetry semantic conventions
// for MCP where they have one (spans `{mcp.method.name} {target}`, `mcp.server.operation.duration`, trace context in
// params._meta); the rest is under `trtc.`. No argument and no secret is recorded; room and user IDs only when the
// operator opts in (--otel-record-ids).
import { createHash } from 'node:crypto';
import {
  context, createContextKey, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Link, type Meter, type Span, type TextMapGetter, type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ApiError, PreflightError, TransportError } from '../api/errors.js';
import { EVENT_RESOURCE_TEMPLATES, parseEventUri } from '../events/resources.js';
import { AskThroughResult } from '../guardrails/consent.js';
import { roomsInValue } from '../guardrails/scope.js';
import { RateLimitedError } from '../rate-limit.js';
import { redactText } from '../redact.js';
import { StoreUnavailableError, type ReadOptions, type Store } from '../store/store.js';
import type { ApiCallInfo, CallbackNote, Connectable, ScopeVerdictLike, Telemetry, ToolOutcome } from './index.js';

/** Bucket boundaries (s) the MCP conventions give for operation durations. */
const MCP_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** Finer ones for what takes milliseconds: API requests, store operations, rate-limit waits. */
const FINE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** At most this many room or user IDs per span, when they are recorded at all. */
const MAX_IDS = 20;
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** A name as MCP allows tools and prompts to be named; anything else a client sends is not recorded. */
const NAME = /^[\w.-]{1,128}$/;

export interface HooksOptions {
  tracer: Tracer;
  meter: Meter;
  transport: 'stdio' | 'http';
  recordIds: boolean;
  shutdown(): Promise<void>;
}

/** A JSON-RPC message as a transport carries it. */
interface Message {
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown> & { _meta?: Record<string, unknown> };
  result?: Record<string, unknown>;
  error?: { code: number; message?: string };
}

/** What every transport of both SDK lines has. */
interface Transport {
  start(): Promise<void>;
  send(message: Message, options?: unknown): Promise<void>;
  onmessage?: (message: Message, extra?: unknown) => void;
  onclose?: () => void;
  sessionId?: string;
}

/** The API call in progress, for the HTTP attempts it makes. */
const API_CALL = createContextKey('trtc api call');
interface ApiCallState {
  attempts: number;
  status?: number;
}

const propagator = new W3CTraceContextPropagator();
/** Reads `traceparent` and `tracestate` from params._meta or from HTTP headers (a Headers object or Node's record). */
const carrierGetter: TextMapGetter<unknown> = {
  keys: (carrier) => (carrier && typeof carrier === 'object' ? Object.keys(carrier) : []),
  get(carrier, key) {
    if (!carrier || typeof carrier !== 'object') return undefined;
    const value = typeof (carrier as Headers).get === 'function' ? (carrier as Headers).get(key) : (carrier as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
  },
};

/** The trace context a carrier holds, if it holds a valid one. */
function remoteContext(carrier: unknown): Context | undefined {
  if (!carrier || typeof carrier !== 'object') return undefined;
  const ctx = propagator.extract(ROOT_CONTEXT, carrier, carrierGetter);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

/** A class of failure, low in cardinality: Tencent's error code, the transport failure, or the error's kind. */
export function errorType(err: unknown): string {
  if (err instanceof ApiError) return err.code;
  if (err instanceof TransportError) return `transport:${err.kind}`;
  if (err instanceof PreflightError || err instanceof RateLimitedError) return 'refused';
  if (err instanceof StoreUnavailableError) return 'store_unavailable';
  return (err as Error)?.name || '_OTHER';
}

/** Outcomes of a tool call that are not failures of it: a success, a question for the human, a dry run, a human's no. */
const NOT_FAILED = new Set(['ok', 'confirmation-required', 'dry-run', 'declined']);

/** User IDs anywhere in the arguments: members named like UserId, TargetUserId, UserIds or UserIdList. */
/** IDs (strings and numbers, alone or in a list) anywhere in a value, under members whose names match `member`. */
function idsIn(value: unknown, member: RegExp, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) idsIn(v, member, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (member.test(k)) {
        for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'string' || typeof id === 'number') out.push(String(id));
      } else idsIn(v, member, out);
    }
  }
  return out;
}

const userIdsIn = (value: unknown) => idsIn(value, /UserIds?$|UserIdList$/);

const ids = (list: string[]) => [...new Set(list)].slice(0, MAX_IDS).map(redactText);

export class Hooks implements Telemetry {
  private readonly tracer: Tracer;
  private readonly network: Attributes;
  private readonly recordIds: boolean;
  private readonly operations;
  private readonly sessions;
  private readonly toolCalls;
  private readonly refusals;
  private readonly consents;
  private readonly scopeTargets;
  private readonly apiDurations;
  private readonly rateWaits;
  private readonly storeDurations;
  private readonly callbacks;
  private readonly taskChanges;
  private readonly tasks;
  /** Whether the store answered its last operation, by kind of store. */
  private readonly storeUp = new Map<string, number>();
  readonly shutdown: () => Promise<void>;

  constructor(opts: HooksOptions) {
    this.tracer = opts.tracer;
    this.recordIds = opts.recordIds;
    this.shutdown = opts.shutdown;
    this.network = opts.transport === 'stdio' ? { 'network.transport': 'pipe' } : { 'network.transport': 'tcp', 'network.protocol.name': 'http' };
    const m = opts.meter;
    const histogram = (name: string, description: string, buckets: number[]) =>
      m.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });
    this.operations = histogram('mcp.server.operation.duration', 'MCP request duration as observed on the server, from receipt until the result or error is sent', MCP_BUCKETS);
    this.sessions = histogram('mcp.server.session.duration', 'Duration of a legacy MCP session (initialize until close)', MCP_BUCKETS);
    this.toolCalls = m.createCounter('trtc.tool.calls', { unit: '{call}', description: 'Catalog tool calls through the pipeline, by tool, outcome and effect' });
    this.refusals = m.createCounter('trtc.refusals', { unit: '{call}', description: 'Tool calls refused before anything was sent, by reason' });
    this.consents = m.createCounter('trtc.consent.decisions', { unit: '{decision}', description: 'Consent questions and answers, by channel and outcome' });
    this.scopeTargets = m.createCounter('trtc.scope.resolutions', { unit: '{target}', description: 'Targets named by ID that scope placed, by where their place came from (ledger or lookup)' });
    this.apiDurations = histogram('trtc.api.request.duration', 'Tencent API calls (retries included), by action and error code', FINE_BUCKETS);
    this.rateWaits = histogram('trtc.rate_limit.wait.duration', 'Waits for a slot under an action\'s documented rate limit', FINE_BUCKETS);
    this.storeDurations = histogram('trtc.store.operation.duration', 'State store operations, by operation and outcome', FINE_BUCKETS);
    this.callbacks = m.createCounter('trtc.callbacks', { unit: '{callback}', description: 'TRTC callbacks received: stored, duplicate, out of scope, or refused and why' });
    this.taskChanges = m.createCounter('trtc.task.status_changes', { unit: '{change}', description: 'Task status changes, by the status entered' });
    this.tasks = m.createUpDownCounter('trtc.tasks', { unit: '{task}', description: 'Tasks by current status' });
    m.createObservableGauge('trtc.store.available', { unit: '1', description: '1 when the state store answered its last operation, 0 when it could not be reached' })
      .addCallback((result) => {
        for (const [kind, up] of this.storeUp) result.observe(up, { 'trtc.store.kind': kind });
      });
  }

  // --- MCP requests ---

  server<S extends Connectable>(server: S): S {
    const connect = server.connect.bind(server) as unknown as (transport: Transport) => Promise<void>;
    (server as { connect: unknown }).connect = (transport: Transport) => connect(this.traceTransport(transport));
    return server;
  }

  /**
   * Puts a span around every request the transport delivers, from receipt until its answer is sent, and a client
   * span around every request the server sends (elicitation). The wrapping is installed when the SDK starts the
   * transport, once it has set its own handlers, and before any message can arrive.
   */
  private traceTransport(t: Transport): Transport {
    const served = new Map<unknown, { method: string; target?: string; span: Span; started: number; attrs: Attributes }>();
    const asked = new Map<unknown, Span>();
    let negotiated: string | undefined;
    let opened: number | undefined;
    let session: string | undefined;
    const sessionId = () => (session ??= t.sessionId ? createHash('sha256').update(t.sessionId).digest('hex').slice(0, 32) : undefined);

    const finish = (id: unknown, answer: Message | { cancelled: true }) => {
      const open = served.get(id);
      if (!open) return;
      served.delete(id);
      // The version an initialize settled on is known once it is answered.
      if (negotiated && open.attrs['mcp.protocol.version'] === undefined) open.span.setAttribute('mcp.protocol.version', (open.attrs['mcp.protocol.version'] = negotiated));
      const code = 'error' in answer && answer.error ? String(answer.error.code) : undefined;
      const failure = 'cancelled' in answer ? 'cancelled' : code ?? ((answer as Message).result?.isError === true ? 'tool_error' : undefined);
      if (code) open.span.setAttribute('rpc.response.status_code', code);
      // A name the server refused (no such tool or prompt) is the client's choice: it stays out of the span's name
      // and of the metrics, which must not grow with whatever clients send.
      if (code && open.target) {
        open.span.updateName(open.method);
        delete open.attrs['gen_ai.tool.name'];
        delete open.attrs['gen_ai.prompt.name'];
      }
      if (failure) {
        open.span.setAttribute('error.type', failure);
        open.span.setStatus({ code: SpanStatusCode.ERROR });
      }
      open.span.end();
      this.operations.record((performance.now() - open.started) / 1000, { ...open.attrs, ...(failure && { 'error.type': failure }), ...(code && { 'rpc.response.status_code': code }) });
    };

    const receive = (message: Message, extra: unknown, deliver: (message: Message, extra?: unknown) => void) => {
      opened ??= performance.now();
      if (message.method && message.id !== undefined && message.id !== null) {
        const params = message.params ?? {};
        const meta = params._meta;
        const version = typeof meta?.[PROTOCOL_VERSION_META_KEY] === 'string' ? (meta[PROTOCOL_VERSION_META_KEY] as string) : negotiated;
        const attrs: Attributes = { 'mcp.method.name': message.method, ...this.network, ...(version && { 'mcp.protocol.version': version }) };
        const target = typeof params.name === 'string' && NAME.test(params.name) ? params.name : undefined;
        if (message.method === 'tools/call') Object.assign(attrs, { 'gen_ai.operation.name': 'execute_tool', ...(target && { 'gen_ai.tool.name': target }) });
        else if (message.method === 'prompts/get' && target) attrs['gen_ai.prompt.name'] = target;
        const named = message.method === 'tools/call' || message.method === 'prompts/get' ? target : undefined;
        const uri = typeof params.uri === 'string' ? this.resourceUri(params.uri) : undefined;
        const sid = sessionId();
        // The caller's context rides in params._meta; an HTTP request's traceparent is the transport's context, a
        // link when both are there and the parent when only it is.
        const http = extra as { requestInfo?: { headers?: unknown }; request?: { headers?: unknown } } | undefined;
        const fromHttp = remoteContext(http?.requestInfo?.headers ?? http?.request?.headers);
        const fromMeta = remoteContext(meta);
        const parent = fromMeta ?? fromHttp ?? ROOT_CONTEXT;
        const links: Link[] = fromMeta && fromHttp ? [{ context: trace.getSpanContext(fromHttp)! }] : [];
        const span = this.tracer.startSpan(named ? `${message.method} ${named}` : message.method, {
          kind: SpanKind.SERVER,
          links,
          attributes: { ...attrs, 'jsonrpc.request.id': redactText(String(message.id).slice(0, 64)), ...(sid && { 'mcp.session.id': sid }), ...(uri && { 'mcp.resource.uri': uri }) },
        }, parent);
        served.set(message.id, { method: message.method, target: named, span, started: performance.now(), attrs });
        return context.with(trace.setSpan(parent, span), () => deliver(message, extra));
      }
      if (message.method === undefined && message.id !== undefined) {
        const span = asked.get(message.id);
        if (span) {
          asked.delete(message.id);
          if (message.error) {
            span.setAttributes({ 'error.type': String(message.error.code), 'rpc.response.status_code': String(message.error.code) });
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        }
      } else if (message.method === 'notifications/cancelled') {
        finish(message.params?.requestId, { cancelled: true });
      }
      return deliver(message, extra);
    };

    const start = t.start.bind(t);
    const send = t.send.bind(t);
    t.start = () => {
      const deliver = t.onmessage;
      const closed = t.onclose;
      if (deliver) t.onmessage = (message, extra) => receive(message, extra, deliver);
      t.onclose = () => {
        for (const id of [...served.keys()]) finish(id, { cancelled: true });
        for (const span of asked.values()) span.end();
        asked.clear();
        // A legacy session: from its first message until it closed.
        if (negotiated && opened !== undefined) this.sessions.record((performance.now() - opened) / 1000, { 'mcp.protocol.version': negotiated, ...this.network });
        closed?.();
      };
      return start();
    };
    t.send = (message, options) => {
      if (message.method === undefined && message.id !== undefined && served.has(message.id)) {
        const version = message.result?.protocolVersion;
        if (served.get(message.id)!.method === 'initialize' && typeof version === 'string') negotiated = version;
        finish(message.id, message);
      } else if (message.method && message.id !== undefined && message.id !== null) {
        asked.set(message.id, this.tracer.startSpan(message.method, {
          kind: SpanKind.CLIENT,
          attributes: { 'mcp.method.name': message.method, 'jsonrpc.request.id': String(message.id), ...this.network, ...(negotiated && { 'mcp.protocol.version': negotiated }) },
        }));
      }
      return send(message, options);
    };
    return t;
  }

  /** An event resource's URI names a room or task: without the operator's opt-in, its template stands in for it. */
  private resourceUri(uri: string): string {
    const event = parseEventUri(uri);
    if (!event || this.recordIds) return redactText(uri);
    return EVENT_RESOURCE_TEMPLATES['RoomId' in event.filter ? 0 : 1]!.uriTemplate.replace('{SdkAppId}', String(event.app));
  }

  // --- The pipeline ---

  tool<T>(name: string, run: () => Promise<T>): Promise<T> {
    const attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name };
    return this.tracer.startActiveSpan(`execute_tool ${name}`, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
      try {
        return await run();
      } catch (err) {
        // Consent asked through the result (2026-07-28) ends the call without failing it; the retry brings the answer.
        if (err instanceof AskThroughResult) {
          span.setAttribute('trtc.outcome', 'input-required');
          this.toolCalls.add(1, { 'gen_ai.tool.name': name, 'trtc.outcome': 'input-required' });
        } else this.failed(span, errorType(err));
        throw err;
      } finally {
        span.end();
      }
    });
  }

  toolOutcome(tool: string, o: ToolOutcome): void {
    const span = trace.getActiveSpan();
    span?.setAttributes({
      'trtc.outcome': o.outcome,
      'trtc.effect': o.effect,
      'trtc.consent': o.consent,
      ...(o.app !== undefined && { 'trtc.app': o.app }),
      ...(o.requestId && { 'trtc.request_id': o.requestId }),
      ...this.identifiers(o.args),
    });
    if (span && !NOT_FAILED.has(o.outcome)) this.failed(span, o.outcome);
    this.toolCalls.add(1, { 'gen_ai.tool.name': tool, 'trtc.outcome': o.outcome, 'trtc.effect': o.effect });
    if (o.outcome.startsWith('refused')) {
      this.refusals.add(1, { 'gen_ai.tool.name': tool, 'trtc.refusal.reason': o.outcome === 'refused' ? 'preflight' : o.outcome.slice('refused:'.length) });
    }
  }

  scope<T extends ScopeVerdictLike>(check: () => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan('trtc.scope', { kind: SpanKind.INTERNAL }, async (span) => {
      try {
        const verdict = await check();
        const { ledger, lookup } = verdict.resolved;
        span.setAttributes({ 'trtc.scope.decision': verdict.refusal ? 'refused' : 'allowed', 'trtc.scope.resolved.ledger': ledger, 'trtc.scope.resolved.lookup': lookup });
        if (ledger) this.scopeTargets.add(ledger, { 'trtc.scope.resolved_by': 'ledger' });
        if (lookup) this.scopeTargets.add(lookup, { 'trtc.scope.resolved_by': 'lookup' });
        return verdict;
      } catch (err) {
        this.failed(span, errorType(err));
        throw err;
      } finally {
        span.end();
      }
    });
  }

  consent<T extends { granted: boolean; how: string }>(tool: string, channel: string, tokenPresented: boolean, decide: () => Promise<T>): Promise<T> {
    const attributes = { 'trtc.consent.channel': channel, 'gen_ai.tool.name': tool };
    return this.tracer.startActiveSpan('trtc.consent', { kind: SpanKind.INTERNAL, attributes }, async (span) => {
      let outcome = 'error';
      try {
        const decision = await decide();
        outcome = decision.granted ? 'granted' : consentOutcome(decision.how, tokenPresented);
        return decision;
      } catch (err) {
        // On 2026-07-28 the question leaves in the call's result; the answer comes with the retry.
        outcome = err instanceof AskThroughResult ? 'asked' : errorType(err);
        throw err;
      } finally {
        span.setAttribute('trtc.consent.outcome', outcome);
        span.end();
        this.consents.add(1, { ...attributes, 'trtc.consent.outcome': outcome });
      }
    });
  }

  // --- Tencent's APIs ---

  apiCall<T>(info: ApiCallInfo, send: () => Promise<T>): Promise<T> {
    const attributes: Attributes = {
      'trtc.api.family': info.family,
      'trtc.api.action': info.action,
      'server.address': info.host,
      ...(info.site && { 'trtc.site': info.site }),
      ...(info.region && { 'cloud.region': info.region }),
    };
    const state: ApiCallState = { attempts: 0 };
    return this.tracer.startActiveSpan(`TRTC ${info.action}`, { kind: SpanKind.CLIENT, attributes }, context.active().setValue(API_CALL, state), async (span) => {
      const started = performance.now();
      let failure: string | undefined;
      let requestId: unknown;
      try {
        const result = await send();
        requestId = (result as { requestId?: unknown })?.requestId;
        return result;
      } catch (err) {
        failure = errorType(err);
        requestId = (err as { requestId?: unknown })?.requestId;
        if (err instanceof ApiError) span.setAttribute('trtc.error.code', err.code);
        this.failed(span, failure);
        throw err;
      } finally {
        span.setAttributes({
          'trtc.api.retries': Math.max(0, state.attempts - 1),
          ...(state.status !== undefined && { 'http.response.status_code': state.status }),
          ...(typeof requestId === 'string' && requestId && { 'trtc.request_id': requestId }),
        });
        span.end();
        this.apiDurations.record((performance.now() - started) / 1000, {
          'trtc.api.family': info.family, 'trtc.api.action': info.action, ...(failure && { 'error.type': failure }),
        });
      }
    });
  }

  httpAttempt(): (status: number | undefined) => void {
    const state = context.active().getValue(API_CALL) as ApiCallState | undefined;
    if (!state) return () => undefined;
    state.attempts++;
    return (status) => {
      if (status !== undefined) state.status = status;
    };
  }

  async rateLimit<T>(key: string, wait: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'granted';
    try {
      return await wait();
    } catch (err) {
      outcome = err instanceof RateLimitedError ? 'refused' : errorType(err);
      throw err;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.rateWaits.record(seconds, { 'trtc.api.action': key, 'trtc.rate_limit.outcome': outcome });
      trace.getActiveSpan()?.addEvent('trtc.rate_limit', { 'trtc.rate_limit.outcome': outcome, 'trtc.rate_limit.wait_ms': Math.round(seconds * 1000) });
    }
  }

  // --- The store ---

  store(store: Store): Store {
    const op = <T>(name: string, ns: string | undefined, run: () => Promise<T>) => this.storeOp(store.kind, name, ns, run);
    // Typed as a Store, not cast to one, so that a member the interface gains cannot go missing here.
    const wrapped: Store = {
      get kind() {
        return store.kind;
      },
      get location() {
        return store.location;
      },
      get shared() {
        return store.shared;
      },
      claim: (ns, key, expiresAt) => op('claim', ns, () => store.claim(ns, key, expiresAt)),
      put: (ns, key, value, expiresAt) => op('put', ns, () => store.put(ns, key, value, expiresAt)),
      get: <T>(ns: string, key: string) => op('get', ns, () => store.get<T>(ns, key)),
      getRevised: <T>(ns: string, key: string) => op('getRevised', ns, () => store.getRevised<T>(ns, key)),
      putRevised: (ns, key, rev, value, expiresAt) => op('putRevised', ns, () => store.putRevised(ns, key, rev, value, expiresAt)),
      append: (log, entry, opts) => op('append', undefined, () => store.append(log, entry, opts)),
      read: <T>(log: string, opts: ReadOptions) => op('read', undefined, () => store.read<T>(log, opts)),
      reserve: (key, limit, windowMs, maxWaitMs) => op('reserve', undefined, () => store.reserve(key, limit, windowMs, maxWaitMs)),
      ping: () => op('ping', undefined, () => store.ping()),
      close: () => store.close(),
    };
    return wrapped;
  }

  /** Times one store operation; inside a traced request it gets a span (a probe's ping does not start a trace). */
  private async storeOp<T>(kind: string, operation: string, ns: string | undefined, run: () => Promise<T>): Promise<T> {
    const attributes: Attributes = { 'trtc.store.kind': kind, 'trtc.store.operation': operation, ...(ns && { 'trtc.store.namespace': ns }) };
    const span = trace.getActiveSpan()?.isRecording()
      ? this.tracer.startSpan(`trtc.store ${operation}`, { kind: kind === 'redis' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes })
      : undefined;
    const started = performance.now();
    let failure: string | undefined;
    try {
      const value = await run();
      this.storeUp.set(kind, 1);
      return value;
    } catch (err) {
      failure = errorType(err);
      if (err instanceof StoreUnavailableError) this.storeUp.set(kind, 0);
      if (span) this.failed(span, failure);
      throw err;
    } finally {
      span?.end();
      this.storeDurations.record((performance.now() - started) / 1000, { 'trtc.store.kind': kind, 'trtc.store.operation': operation, ...(failure && { 'error.type': failure }) });
    }
  }

  // --- Callbacks and tasks ---

  async callback(receive: (note: CallbackNote) => Promise<void>): Promise<void> {
    const note: CallbackNote = {};
    const span = this.tracer.startSpan('trtc.callback', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    try {
      await context.with(trace.setSpan(ROOT_CONTEXT, span), () => receive(note));
    } finally {
      const outcome = note.outcome ?? 'error';
      const attrs: Attributes = {
        'trtc.callback.outcome': outcome,
        ...(note.reason && { 'trtc.callback.refusal': note.reason }),
        ...(note.group !== undefined && { 'trtc.callback.event_group': note.group }),
      };
      span.setAttributes({
        ...attrs,
        ...(note.app !== undefined && { 'trtc.app': note.app }),
        ...(note.type !== undefined && { 'trtc.callback.event_type': note.type }),
        ...(this.recordIds && (typeof note.room === 'string' || typeof note.room === 'number') && { 'trtc.room.id': redactText(String(note.room)) }),
        ...(this.recordIds && typeof note.user === 'string' && { 'trtc.user.id': redactText(note.user) }),
      });
      if (outcome === 'refused' || outcome === 'error') this.failed(span, note.reason ?? outcome);
      span.end();
      this.callbacks.add(1, attrs);
    }
  }

  taskStatus(status: string, detail: { tool?: string; previous?: string } = {}): void {
    const tool = detail.tool ? { 'gen_ai.tool.name': detail.tool } : {};
    this.tracer.startSpan('trtc.task.status', {
      kind: SpanKind.INTERNAL,
      attributes: { 'trtc.task.status': status, ...(detail.previous && { 'trtc.task.previous_status': detail.previous }), ...tool },
    }).end();
    this.taskChanges.add(1, { 'trtc.task.status': status, ...tool });
    this.tasks.add(1, { 'trtc.task.status': status });
    if (detail.previous) this.tasks.add(-1, { 'trtc.task.status': detail.previous });
  }

  // --- Shared ---

  private failed(span: Span, type: string): void {
    span.setAttribute('error.type', type);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }

  /** Room and user IDs the arguments name, only when the operator opted in. */
  private identifiers(args: Record<string, unknown>): Attributes {
    if (!this.recordIds) return {};
    const rooms = ids(roomsInValue(args).map((r) => String(r.id)));
    const users = ids(userIdsIn(args));
    return { ...(rooms.length && { 'trtc.room.ids': rooms }), ...(users.length && { 'trtc.user.ids': users }) };
  }
}

/** How consent stopped, in a word: the human's answer, a token asked for or refused, or no channel at all. */
function consentOutcome(how: string, tokenPresented: boolean): string {
  if (how === 'awaiting-token') return tokenPresented ? 'token-rejected' : 'asked';
  return how.startsWith('elicitation-') ? how.slice('elicitation-'.length) : how;
}
