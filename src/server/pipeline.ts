// One tools/call, step by step: resolve, validate, fill defaults, call, shape. Every tool goes through here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ArgumentError, type ToolDef, type WireEnv } from '../../tools/define.js';
import type { ApiCaller } from '../api/caller.js';
import { ApiError, hintFor, PreflightError, TransportError } from '../api/errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { redact, redactText } from '../redact.js';
import { describeIssues } from '../validation.js';
import { agentSchema, appIdField, toolInputSchema } from './catalog.js';
import { fetchAnswer, shapeAnswer, type Progress } from './paging.js';

export interface ServerContext {
  config: Config;
  log: Logger;
  /** One caller per API family; a family without one (no configuration for it) cannot be called. */
  callers: Partial<Record<ToolDef['api']['kind'], ApiCaller>>;
  /** Builds the per-call environment that definition hooks may use. */
  wireEnv(sdkAppId: number | undefined): WireEnv;
  /** Set when answers come from the local sandbox: every result says so. */
  sandbox?: { reason: string };
}

export interface CallExtra {
  signal?: AbortSignal;
  /** Set when the client asked for progress notifications (long multi-page fetches send them). */
  progress?: Progress;
}

export const SANDBOX_NOTE = 'Sandbox: this answer comes from the local TRTC emulator, not from Tencent Cloud.';

const invalid = (def: ToolDef, lines: string[]) =>
  failure(`Invalid arguments for ${def.name}; nothing was sent:\n${lines.map((l) => `- ${l}`).join('\n')}`);

export async function runTool(ctx: ServerContext, def: ToolDef, args: unknown, extra: CallExtra = {}): Promise<CallToolResult> {
  const started = Date.now();
  const finish = (result: CallToolResult, outcome: string, requestId?: string) => {
    ctx.log.info('tool call', { tool: def.name, outcome, ms: Date.now() - started, requestId });
    return withSandboxNote(ctx, result);
  };

  // Validate: nothing is sent unless every field passes.
  const parsed = toolInputSchema(def).safeParse(args ?? {});
  if (!parsed.success) return finish(invalid(def, describeIssues(parsed.error.issues, args ?? {})), 'invalid');

  // Fill defaults, then turn agent arguments into wire parameters.
  const params: Record<string, unknown> = { ...parsed.data };
  const field = appIdField(def);
  if (field && params[field] === undefined) {
    if (ctx.config.sdkAppId === undefined) {
      return finish(invalid(def, [`${field}: is required (no default app is configured; set TRTC_SDK_APP_ID)`]), 'invalid');
    }
    params[field] = agentSchema(def).shape[field]!.type === 'string' ? String(ctx.config.sdkAppId) : ctx.config.sdkAppId;
  }
  const env = ctx.wireEnv(field ? Number(params[field]) : ctx.config.sdkAppId);
  let wire: Record<string, unknown>;
  try {
    wire = def.toWire ? def.toWire(params, env) : params;
  } catch (err) {
    if (err instanceof ArgumentError) return finish(invalid(def, [err.message]), 'invalid');
    throw err;
  }

  const caller = ctx.callers[def.api.kind];
  if (!caller) return finish(failure(`${def.name} cannot be called: this server has no ${def.api.kind === 'rest' ? 'REST API' : 'Cloud API'} configuration.`), 'unavailable');

  // Call, then shape the answer.
  try {
    const send = (w: Record<string, unknown>) => caller.invoke(def, w, { signal: extra.signal });
    const { response, requestId, pages } = await fetchAnswer(def, wire, send, extra.progress);
    const { Error: _error, ...body } = response;
    const presented = def.present ? def.present(body, params, env) : { structured: body };
    const { structured, notes } = shapeAnswer(def, presented.structured, presented.notes ?? [], pages);
    const check = def.output.safeParse(structured);
    if (!check.success) ctx.log.warn('response does not match the documented output', { tool: def.name, issues: describeIssues(check.error.issues, structured) });
    return finish(success(redact(structured), notes), 'ok', requestId);
  } catch (err) {
    return finish(failure(explainFailure(def, err)), errorCode(err), (err as { requestId?: string }).requestId);
  }
}

function success(structured: Record<string, unknown>, notes: string[]): CallToolResult {
  const content = [JSON.stringify(structured), ...notes].map((text) => ({ type: 'text' as const, text: redactText(text) }));
  return { content, structuredContent: structured };
}

export function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: redactText(text) }] };
}

function withSandboxNote(ctx: ServerContext, result: CallToolResult): CallToolResult {
  if (!ctx.sandbox) return result;
  return { ...result, content: [...result.content, { type: 'text', text: SANDBOX_NOTE }], _meta: { ...result._meta, sandbox: true } };
}

function errorCode(err: unknown): string {
  if (err instanceof PreflightError) return 'refused';
  if (err instanceof ApiError) return err.code;
  if (err instanceof TransportError) return `transport:${err.kind}`;
  return 'internal';
}

/** An error an agent can act on: what failed, what it means, what to do, and the RequestId. */
export function explainFailure(def: ToolDef, err: unknown): string {
  if (err instanceof PreflightError) return `${def.name} was not sent: ${err.message}`;
  if (err instanceof ApiError) {
    const hint = hintFor(err.code);
    return [
      `${def.name} failed: ${err.code}: ${err.message}`,
      hint && `What to do: ${hint}`,
      err.requestId && `RequestId: ${err.requestId}`,
    ].filter(Boolean).join('\n');
  }
  if (err instanceof TransportError) {
    const unknownOutcome = err.sent === 'maybe' && def.effect !== 'read';
    return [
      `${def.name} failed: ${err.message}.`,
      unknownOutcome
        ? 'The outcome is unknown: the request may have been applied. Check the current state before retrying, and do not repeat it blindly.'
        : err.sent === 'no'
          ? 'The request never reached TRTC; nothing was changed. Check the network or endpoint and retry.'
          : 'Retries did not help. Check the network or endpoint and retry later.',
      err.requestId && `RequestId: ${err.requestId}`,
    ].filter(Boolean).join('\n');
  }
  return `${def.name} failed unexpectedly: ${(err as Error)?.message ?? String(err)}`;
}
