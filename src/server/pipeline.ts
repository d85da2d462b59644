// One tools/call, step by step: resolve, validate, fill defaults, call, shape. Every tool goes through here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ArgumentError, type Presented, type ToolDef, type WireEnv } from '../../tools/define.js';
import { ALL_APPS, ALL_PAGES, RAW_SERIES } from '../../tools/fields.js';
import { roomIdProblem, type RoomKind } from '../../tools/room-id.js';
import type { ApiCaller, InvokeOptions } from '../api/caller.js';
import type { HttpRequest } from '../api/http.js';
import { ApiError, hintFor, PreflightError, TransportError } from '../api/errors.js';
import type { AccessConfig } from '../guardrails/access.js';
import type { Logger } from '../log.js';
import { clipText, redact, redactText } from '../redact.js';
import { describeIssues, fieldPath, MAX_ARG_DEPTH, tooDeep } from '../validation.js';
import { StoreUnavailableError, type Store } from '../store/index.js';
import type { EventFeed } from '../events/feed.js';
import type { AuditLog } from '../guardrails/audit.js';
import { agentSchema, appIdField, toolInputSchema } from './catalog.js';
import { grantRefusal, rateShareOf } from '../guardrails/access.js';
import { OPERATOR, whoRecord, whoText, type Identity } from '../guardrails/identity.js';
import type { Approvals } from '../guardrails/approvals.js';
import {
  AskThroughResult, consentBinding, consentNeeded, decideConsent, describeIntent, quote, type ApproverRoute, type ConfirmationTokens, type ConsentChannel, type ConsentDecision,
} from '../guardrails/consent.js';
import { effectOfCall, type CallEffect } from '../guardrails/effect.js';
import { Ledger } from '../guardrails/ledger.js';
import { checkScope, filterRows, kindsOf, leftOutNote, roomsIn, scopeIsSet, type Lookup } from '../guardrails/scope.js';
import { modeRefusal } from '../guardrails/exposure.js';
import { loadCatalog } from './registry.js';
import { roomKindNote } from './room-kind.js';
import { SANDBOX_NOTE } from './instructions.js';
import { conform, toolOutputSchema, type Dropped } from './output.js';
import { telemetry } from '../telemetry/index.js';
import { answerSize } from './budget.js';
import { fetchAnswer, firstRequest, shapeAnswer, type Progress } from './paging.js';

export interface ServerContext {
  /** The server's settings, narrowed to the permissions of the identity served (see guardrails/access.ts). */
  config: AccessConfig;
  log: Logger;
  /** One caller per API family; a family without one (no configuration for it) cannot be called. */
  callers: Partial<Record<ToolDef['api']['kind'], ApiCaller>>;
  /** Builds the per-call environment that definition hooks may use. */
  wireEnv(sdkAppId: number | undefined): WireEnv;
  tokens: ConfirmationTokens;
  /** Seals the requestState of consent asked through an input_required result (2026-07-28). */
  requestStateKey: Uint8Array;
  audit: AuditLog;
  /** Durable state shared with the other processes that use the same store. */
  store: Store;
  /** Pending approvals, when approvers are configured (consent through the approval page). */
  approvals?: Approvals;
  /** Wakes readers of the event log when callbacks arrive. */
  events?: EventFeed;
  /** Set when answers come from the local sandbox: every result says so. */
  sandbox?: {
    reason: string;
    world?: () => unknown;
    sendCallbacksTo?: (url: string, key: string) => void;
    /** How many users are in a room of the in-process sandbox (0 when it does not exist). */
    people?: (app: number, kind: RoomKind, room: string) => number;
  };
}

export interface CallExtra {
  signal?: AbortSignal;
  /** How this session reaches its human for consent; without one, the token channel. */
  consent?: ConsentChannel;
  /** Set when the client asked for progress notifications (long multi-page fetches send them). */
  progress?: Progress;
  /** Who asked, as the edge admitted them; the operator when unset. */
  identity?: Identity;
  /**
   * For consent through approvers: the approval this call continues (wait_for_approval runs the approved call with
   * it), and how long the call may wait for the decision (0 or unset: it answers at once that approval is pending).
   */
  approval?: { id?: string; waitMs?: number };
  /**
   * Set when the caller follows what a call starts to its end (an MCP task): told, before the call returns, of a
   * job that outlives it (src/jobs makes the job). Calls that start nothing never call it.
   */
  follow?(start: FollowedStart): Promise<void>;
  /** The most JSON the answer may carry, for a reader inside the server that shapes it itself (the console); agents cannot set it. */
  answerBytes?: number;
  /** The client renders MCP Apps views: the console's data tool is offered to it. */
  ui?: boolean;
}

/** Something a call started that outlives it: `kind` names the kind of job that follows it, the rest is its own. */
export interface FollowedStart {
  kind: string;
  [detail: string]: unknown;
}

const invalid = (def: ToolDef, lines: string[]) =>
  failure(`Invalid arguments for ${def.name}; nothing was sent:\n${lines.map((l) => `- ${l}`).join('\n')}`);

/**
 * Runs one call. Whatever happens inside, the agent gets a result and an attempted write gets its audit record:
 * an unexpected failure is reported, never thrown.
 */
export function runTool(ctx: ServerContext, def: ToolDef, args: unknown, extra: CallExtra = {}): Promise<CallToolResult> {
  return telemetry.tool(def.name, () => runGuarded(ctx, def, args, extra));
}

async function runGuarded(ctx: ServerContext, def: ToolDef, args: unknown, extra: CallExtra): Promise<CallToolResult> {
  const started = Date.now();
  try {
    return await runSteps(ctx, def, args, extra);
  } catch (err) {
    // Not a failure: the call ends to ask for consent in its result (2026-07-28), and runs again with the answer.
    if (err instanceof AskThroughResult) throw err;
    const message = (err as Error)?.message ?? String(err);
    ctx.log.error('tool call failed unexpectedly', { tool: def.name, error: message });
    telemetry.toolOutcome(def.name, { outcome: 'internal', effect: def.effect, consent: 'unknown', args: {} });
    if (def.effect !== 'read') {
      const raw = args && typeof args === 'object' ? (args as Record<string, unknown>) : {};
      ctx.audit.record({ tool: def.name, api: apiName(def), effect: def.effect, args: raw, outcome: 'internal', consent: 'unknown', ms: Date.now() - started, by: whoRecord(extra.identity ?? OPERATOR) });
    }
    return withSandboxNote(ctx, failure(explainFailure(def, err)));
  }
}

async function runSteps(ctx: ServerContext, def: ToolDef, args: unknown, extra: CallExtra): Promise<CallToolResult> {
  const started = Date.now();
  const { config } = ctx;
  const identity = extra.identity ?? OPERATOR;
  const by = whoRecord(identity);
  let effect = def.effect;
  let consent = 'not-required';
  let approval: { id: string; decidedBy?: ReturnType<typeof whoRecord> } | undefined;
  let app: number | undefined;
  // The arguments as given until they are validated: an invalid attempt is recorded with what it tried.
  let auditArgs: Record<string, unknown> = args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  const finish = (result: CallToolResult, outcome: string, requestId?: string) => {
    const ms = Date.now() - started;
    ctx.log.info('tool call', { tool: def.name, outcome, ms, requestId, by: by.subject });
    telemetry.toolOutcome(def.name, { outcome, effect, consent, app, args: auditArgs, requestId });
    if (def.effect !== 'read') ctx.audit.record({ tool: def.name, api: apiName(def), effect, app, args: auditArgs, outcome, requestId, consent, ms, by, ...(approval && { approval }) });
    return withSandboxNote(ctx, result);
  };
  const refuse = (why: string, outcome: string) => finish(failure(`Refused: ${why} Nothing was sent.`), outcome);

  // Mode: the access token's scopes, the deny list and read-only mode hold on every path into the pipeline. A tool
  // whose arguments decide its effect is judged by them below.
  const weak = grantRefusal(config, def.name, def.effectOf?.otherwise ?? def.effect);
  if (weak) return refuse(weak, 'refused:grant');
  const mode = modeRefusal(config, def);
  if (mode) return refuse(mode.why, mode.outcome);

  // Validate: nothing is sent unless every field passes. Nesting is bounded first, so that no later step recurses
  // through thousands of levels.
  const deep = tooDeep(args);
  if (deep) return finish(invalid(def, [`${fieldPath(deep)}: is nested more than ${MAX_ARG_DEPTH} levels deep`]), 'invalid');
  const parsed = toolInputSchema(def).safeParse(args ?? {});
  if (!parsed.success) return finish(invalid(def, describeIssues(parsed.error.issues, args ?? {})), 'invalid');
  // A RoomId must be of the kind its RoomIdType names, or TRTC would act in another room of the same name.
  const misfit = roomIdProblem(toolInputSchema(def), parsed.data);
  if (misfit) return finish(invalid(def, [`${fieldPath(misfit.path)}: ${misfit.rule}`]), 'invalid');
  const { confirmationToken, [ALL_APPS]: allApps, [RAW_SERIES]: rawSeries, ...params } = parsed.data as Record<string, unknown> & { confirmationToken?: string };
  auditArgs = allApps === undefined ? params : { ...params, [ALL_APPS]: allApps };

  // Fill defaults: the configured app, unless the agent asked for every app under the account.
  const field = appIdField(def);
  if (allApps === true) {
    if (field && params[field] !== undefined) return finish(invalid(def, [`${ALL_APPS}: cannot be combined with ${field}; leave ${field} out to cover every app`]), 'invalid');
  } else if (field && params[field] === undefined) {
    if (config.sdkAppId === undefined) {
      return finish(invalid(def, [`${field}: is required (no default app is configured; set TRTC_SDK_APP_ID)`]), 'invalid');
    }
    params[field] = agentSchema(def).shape[field]!.type === 'string' ? String(config.sdkAppId) : config.sdkAppId;
  }
  app = allApps === true ? undefined : field ? Number(params[field]) : config.sdkAppId;

  // Turn agent arguments into wire parameters.
  let wire: Record<string, unknown>;
  try {
    wire = def.toWire ? def.toWire(params, ctx.wireEnv(app)) : params;
  } catch (err) {
    if (err instanceof ArgumentError) return finish(invalid(def, [err.message]), 'invalid');
    throw err;
  }
  const caller = ctx.callers[def.api.kind];
  if (!caller) return finish(failure(`${def.name} cannot be called: this server has no ${def.api.kind === 'rest' ? 'REST API' : 'Cloud API'} configuration.`), 'unavailable');

  // Scope, then the effect of these arguments: both may read the ledger and, outside dry runs, the API.
  const catalog = await loadCatalog();
  const ledger = new Ledger(ctx.store);
  const share = rateShareOf(config, identity);
  const lookup = config.dryRun ? undefined : lookupThrough(ctx, { signal: extra.signal, share });
  let called: CallEffect;
  try {
    const scope = await telemetry.scope(() => checkScope({ config, ledger, catalog: catalog.values(), lookup }, def, params, wire, allApps === true ? 'all' : app));
    if (scope.resolved.ledger || scope.resolved.lookup) ctx.log.info('scope resolved', { tool: def.name, ...scope.resolved });
    if (scope.refusal) return refuse(scope.refusal, 'refused:scope');
    if (scope.app !== undefined && !field) app = scope.app;
    called = await effectOfCall(def, params, app, ledger, catalog, lookup);
  } catch (err) {
    if (err instanceof StoreUnavailableError) return refuse(`${err.message}, so this call's targets and consent cannot be checked. Retry once it is back.`, 'refused:store');
    throw err;
  }
  // Under scope, what a call starts must go into the ledger, or no call through this server could reach it later.
  if (def.started && scopeIsSet(config) && !config.dryRun) {
    try {
      await ctx.store.ping();
    } catch (err) {
      if (err instanceof StoreUnavailableError) return refuse(`${err.message}, so what this call starts could not be recorded for the scope. Retry once it is back.`, 'refused:store');
      throw err;
    }
  }
  effect = called.effect;
  const tooWeak = grantRefusal(config, def.name, effect);
  if (tooWeak) return refuse(`${tooWeak}${called.why ? ` (${called.why})` : ''}`, 'refused:grant');
  consent = consentNeeded(config.confirm, effect);

  if (config.dryRun) {
    const request = caller.preview(def, firstRequest(def, wire));
    return finish(failure(`Dry run: nothing was sent. The server would send this request first (secrets redacted):\n${httpMessage(request)}`), 'dry-run');
  }

  // Consent.
  if (consent === 'pending') {
    const request = {
      tool: def.name, app, args: params, effect, reason: called.why,
      // The human sees the arguments, and who asked when it is a person; a key the agent passed inline is masked there too.
      intent: redactText(describeIntent(def, app, params, effect, called.why) + (identity.via === 'oauth' ? `\nRequested by: ${quote(whoText(identity))}` : '')),
      by: identity.via === 'oauth' ? identity.subject : undefined,
      typed: def.confirmField !== undefined ? String(params[def.confirmField]) : undefined,
    };
    const approver: ApproverRoute | undefined = ctx.approvals && {
      approvals: ctx.approvals,
      requester: identity,
      record: { api: apiName(def), description: def.description, confirmField: def.confirmField, call: args },
      id: extra.approval?.id,
      waitMs: extra.approval?.waitMs,
      signal: extra.signal,
      progress: extra.progress && ((ms, id) => extra.progress!(Math.floor(ms / 1000), undefined, `Waiting for a human approver to decide approval ${id}`)),
    };
    let decision: ConsentDecision;
    try {
      const channel = extra.consent ?? { kind: 'token' };
      decision = await telemetry.consent(def.name, channel.kind, confirmationToken !== undefined, () => decideConsent(ctx.tokens, config.consentChannel, request, channel, confirmationToken, approver));
      // A human who was asked, or an approver waited for, in this call took time to answer: what the call does is
      // judged again, and consent given to something else does not count. (A token, a requestState or an approval
      // continued by wait_for_approval was judged against this call already.)
      const waited = decision.granted && (decision.how === 'elicitation' || (decision.how === 'approver' && (extra.approval?.waitMs ?? 0) > 0));
      if (waited) {
        const now = await effectOfCall(def, params, app, ledger, catalog, lookup);
        if (consentBinding(request) !== consentBinding({ ...request, effect: now.effect, reason: now.why })) {
          const who = decision.how === 'approver' ? 'the approver' : 'the user';
          consent = decision.how === 'approver' ? 'approval-stale' : 'elicitation-stale';
          effect = now.effect;
          return refuse(
            `what ${def.name} would do changed while ${who} was deciding (now: ${now.effect}${now.why ? `: ${now.why}` : ''}), so their answer was about another action. Call again to ask them about this one.`,
            'refused:consent',
          );
        }
      }
    } catch (err) {
      if (err instanceof AskThroughResult) {
        // The question goes out in the result; the attempt is on record now, its answer when the call comes back.
        consent = 'asked-in-result';
        finish(failure('Consent is asked through an input_required result.'), 'input-required');
      }
      if (err instanceof StoreUnavailableError) return refuse(`${err.message}, so consent cannot be checked (a confirmation token, requestState or approval is single use). Retry once it is back.`, 'refused:store');
      throw err;
    }
    consent = decision.how;
    if (decision.approval) approval = { id: decision.approval.id, ...(decision.granted && { decidedBy: decision.approval.decidedBy }) };
    if (!decision.granted) {
      const result = failure(decision.message);
      const meta = { ...(decision.confirmation && { confirmation: decision.confirmation }), ...(decision.approval && { approval: decision.approval }) };
      return finish(Object.keys(meta).length ? { ...result, _meta: meta } : result, decision.outcome);
    }
  }

  // Call, then shape the answer.
  try {
    const send = (w: Record<string, unknown>) => caller.invoke(def, w, { signal: extra.signal, share });
    const { response, requestId, pages } = await fetchAnswer(def, wire, send, extra.progress);
    const { Error: _error, ...body } = response;
    await remember(ctx, ledger, def, body, params, app, catalog);
    const scoped = filterRows(config, def, body);
    // A default answer fits a model's context; one the agent asked to be longer (every page, every point) the larger limit.
    const expanded = wire[ALL_PAGES] === true || rawSeries === true;
    const presented: Presented = def.present
      ? def.present(scoped.response, params, { ...ctx.wireEnv(app), answerBytes: answerSize(expanded, [], extra.answerBytes).json })
      : { structured: scoped.response };
    // Redacted before anything is cut to size: a cut secret no longer looks like one.
    const wrongRoom = await roomKindNote(ctx, def, params, body, app, ledger, catalog);
    const notes = [...(presented.notes ?? []), ...(scoped.leftOut ? [leftOutNote(config, scoped.leftOut)] : []), ...(wrongRoom ? [wrongRoom] : [])].map(redactText);
    const shaped = shapeAnswer(def, redact(presented.structured), notes, pages, { expanded, thin: rawSeries !== true, bytes: extra.answerBytes });
    // structuredContent always matches the published output schema, checked as it will be sent: what does not is
    // moved to the notes.
    const { value: structured, dropped } = conform(toolOutputSchema(def), shaped.structured);
    if (dropped.length) ctx.log.warn('response does not match the documented output', { tool: def.name, fields: dropped.map((d) => `${d.field}: ${d.rule}`) });
    const result = success(structured, dropped.length ? [...shaped.notes, droppedNote(dropped)] : shaped.notes);
    const done = finish(scoped.leftOut ? { ...result, _meta: { scope: { leftOut: scoped.leftOut } } } : result, 'ok', requestId);
    // A job that outlives the call, for a caller who follows it: after the audit record, before the answer.
    if (extra.follow && def.job && app !== undefined) await extra.follow({ kind: 'trtc', tool: def.name, app, params, answer: structured, result: done });
    return done;
  } catch (err) {
    return finish(failure(explainFailure(def, err, describeCounterpart(def, catalog), ctx.sandbox !== undefined)), errorCode(err), (err as { requestId?: string }).requestId);
  }
}

/**
 * Records a write attempt refused before it reached runTool: a tool the server does not offer (denied, read-only,
 * unlisted, of the other site), or a requestState that does not fit its call. Every write attempt is audited,
 * whichever path refused it.
 */
export async function auditRefused(ctx: ServerContext, name: string, args: unknown, outcome: string, consent: string, extra: CallExtra): Promise<void> {
  const def = (await loadCatalog()).get(name);
  if (!def || def.effect === 'read') return;
  const raw = args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  ctx.audit.record({ tool: def.name, api: apiName(def), effect: def.effect, args: raw, outcome, consent, ms: 0, by: whoRecord(extra.identity ?? OPERATOR) });
}

/** Puts what a successful call started into the ledger; the call went through, so a failure here is only logged. */
async function remember(ctx: ServerContext, ledger: Ledger, def: ToolDef, body: Record<string, unknown>, params: Record<string, unknown>, app: number | undefined, catalog: ReadonlyMap<string, ToolDef>) {
  const started = app !== undefined ? def.started?.(body, params) : undefined;
  if (!started?.length) return;
  try {
    const named = roomsIn(def, params);
    await ledger.recordStarted(started, app!, describeCounterpart(def, catalog), (rooms) => kindsOf(rooms, named));
  } catch (err) {
    ctx.log.warn('could not record what this call started in the ledger', { tool: def.name, error: (err as Error).message });
  }
}

/** A read sent to find out where a target lives or whether a task runs: straight to the API, never to the agent. */
export function lookupThrough(ctx: ServerContext, opts: InvokeOptions): Lookup {
  return async (def, args, app) => {
    const caller = ctx.callers[def.api.kind];
    if (!caller) throw new Error(`this server has no configuration for ${def.name}`);
    const wire = def.toWire ? def.toWire(args, ctx.wireEnv(app)) : args;
    ctx.log.info('lookup', { tool: def.name });
    return (await caller.invoke(def, wire, opts)).response as Record<string, any>;
  };
}

/** A request as an HTTP message, secrets redacted: the body is the exact bytes that would be sent, unless it holds a secret. */
function httpMessage(request: HttpRequest): string {
  const headers = Object.entries(redact(request.headers)).map(([k, v]) => `${k}: ${v}`);
  return [`${request.method} ${redactText(request.url)}`, ...headers, '', JSON.stringify(redact(JSON.parse(request.body) as unknown))].join('\n');
}

/** What left the structured answer, with the values as they came (long ones clipped), so that the agent still sees them. */
function droppedNote(dropped: readonly Dropped[]): string {
  const shown = (d: Dropped) => {
    const text = JSON.stringify(d.value) ?? String(d.value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  };
  const listed = dropped.slice(0, 20).map((d) => `- ${d.field} (${d.rule}): ${shown(d)}`);
  return [
    'These fields of the answer do not match the documented output, so they are left out of the structured answer; as they came:',
    ...listed,
    ...(dropped.length > listed.length ? [`- and ${dropped.length - listed.length} more`] : []),
  ].join('\n');
}

/** The read action that shows a write's effect (StartAIConversation -> DescribeAIConversation), if the catalog has one. */
function describeCounterpart(def: ToolDef, catalog: ReadonlyMap<string, ToolDef>): string | undefined {
  const name = def.name.replace(/^(Start|Create|Update|Modify|Control|Stop|Delete)/, 'Describe');
  return name !== def.name && catalog.has(name) ? name : undefined;
}

const apiName = (def: ToolDef) => (def.api.kind === 'cloud' ? def.api.action : `${def.api.service}/${def.api.command}`);

/** `structured` is already redacted, so its JSON mirror is too; the notes are free text and pass the redactor. */
export function success(structured: Record<string, unknown>, notes: string[]): CallToolResult {
  const content = [JSON.stringify(structured), ...notes.map(redactText)].map((text) => ({ type: 'text' as const, text }));
  return { content, structuredContent: structured };
}

export function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: redactText(text) }] };
}

export function withSandboxNote(ctx: ServerContext, result: CallToolResult): CallToolResult {
  if (!ctx.sandbox) return result;
  return { ...result, content: [...result.content, { type: 'text', text: SANDBOX_NOTE }], _meta: { ...result._meta, sandbox: true } };
}

function errorCode(err: unknown): string {
  if (err instanceof PreflightError) return 'refused';
  if (err instanceof ApiError) return err.code;
  if (err instanceof TransportError) return `transport:${err.kind}`;
  return 'internal';
}

/** The most of a service's error message an agent is shown: messages may quote arguments, which can be huge. */
export const SERVICE_MESSAGE_CHARS = 1_000;

function clip(message: string): string {
  const { text, cut } = clipText(message, SERVICE_MESSAGE_CHARS);
  return cut ? `${text}… (${cut} more characters left out)` : text;
}

/** An error an agent can act on: what failed, what it means, what to do, and the RequestId. */
export function explainFailure(def: ToolDef, err: unknown, checkWith?: string, sandbox = false): string {
  if (err instanceof PreflightError) return `${def.name} was not sent: ${err.message}`;
  if (err instanceof ApiError) {
    const hint = hintFor(err.code, sandbox);
    return [
      `${def.name} failed: ${err.code}: ${clip(err.message)}`,
      hint && `What to do: ${hint}`,
      err.requestId && `RequestId: ${err.requestId}`,
    ].filter(Boolean).join('\n');
  }
  if (err instanceof TransportError) {
    const unknownOutcome = err.sent === 'maybe' && def.effect !== 'read';
    return [
      `${def.name} failed: ${err.message}.`,
      unknownOutcome
        ? `The outcome is unknown: the request may have been applied, so it was not re-sent. Check the current state${checkWith ? ` with ${checkWith}` : ''} before retrying, and do not repeat it blindly.`
        : err.sent === 'no'
          ? 'The request never reached TRTC; nothing was changed. Check the network or endpoint and retry.'
          : 'Retries did not help. Check the network or endpoint and retry later.',
      err.requestId && `RequestId: ${err.requestId}`,
    ].filter(Boolean).join('\n');
  }
  return `${def.name} failed unexpectedly: ${(err as Error)?.message ?? String(err)}`;
}
