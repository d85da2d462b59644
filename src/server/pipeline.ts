// One tools/call, step by step: resolve, validate, fill defaults, call, shape. Every tool goes through here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDef } from '../../tools/define.js';
import type { CloudApiCaller } from '../api/cloud-api.js';
import { ApiError, hintFor, TransportError } from '../api/errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { redact, redactText } from '../redact.js';
import { describeIssues } from '../validation.js';
import { appIdField, toolInputSchema } from './catalog.js';

export interface ServerContext {
  config: Config;
  log: Logger;
  cloud: CloudApiCaller;
  /** Set when answers come from the local sandbox: every result says so. */
  sandbox?: { reason: string };
}

export interface CallExtra {
  signal?: AbortSignal;
}

export const SANDBOX_NOTE = 'Sandbox: this answer comes from the local TRTC emulator, not from Tencent Cloud.';

export async function runTool(ctx: ServerContext, def: ToolDef, args: unknown, extra: CallExtra = {}): Promise<CallToolResult> {
  const started = Date.now();
  const finish = (result: CallToolResult, outcome: string, requestId?: string) => {
    ctx.log.info('tool call', { tool: def.name, outcome, ms: Date.now() - started, requestId });
    return withSandboxNote(ctx, result);
  };

  // Validate: nothing is sent unless every field passes.
  const parsed = toolInputSchema(def).safeParse(args ?? {});
  if (!parsed.success) {
    const lines = describeIssues(parsed.error.issues, args ?? {});
    return finish(failure(`Invalid arguments for ${def.name}; nothing was sent:\n${lines.map((l) => `- ${l}`).join('\n')}`), 'invalid');
  }

  // Fill defaults.
  const params: Record<string, unknown> = { ...parsed.data };
  const field = appIdField(def);
  if (field && params[field] === undefined) {
    if (ctx.config.sdkAppId === undefined) {
      return finish(failure(`Invalid arguments for ${def.name}; nothing was sent:\n- ${field}: is required (no default app is configured; set TRTC_SDK_APP_ID)`), 'invalid');
    }
    params[field] = def.input.shape[field]!.type === 'string' ? String(ctx.config.sdkAppId) : ctx.config.sdkAppId;
  }

  if (def.api.kind !== 'cloud') return finish(failure(`${def.name} is not available in this build.`), 'unavailable');
  const regions = def.api.regions;
  if (regions && !regions.includes(ctx.config.region)) {
    return finish(
      failure(`${def.name} is served only in ${regions.join(', ')}, and this server is configured for ${ctx.config.region}. Nothing was sent; restart with --region set to one of those.`),
      'region',
    );
  }

  // Call.
  try {
    const { response, requestId } = await ctx.cloud.call({
      action: def.api.action,
      version: def.api.version,
      params,
      readOnly: def.effect === 'read',
      signal: extra.signal,
    });
    const { Error: _error, ...structured } = response;
    const check = def.output.safeParse(structured);
    if (!check.success) ctx.log.warn('response does not match the documented output', { tool: def.name, issues: describeIssues(check.error.issues, structured) });
    return finish(success(redact(structured)), 'ok', requestId);
  } catch (err) {
    return finish(failure(explainFailure(def, err)), errorCode(err), (err as { requestId?: string }).requestId);
  }
}

function success(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: redactText(text) }] };
}

function withSandboxNote(ctx: ServerContext, result: CallToolResult): CallToolResult {
  if (!ctx.sandbox) return result;
  return { ...result, content: [...result.content, { type: 'text', text: SANDBOX_NOTE }], _meta: { ...result._meta, sandbox: true } };
}

function errorCode(err: unknown): string {
  if (err instanceof ApiError) return err.code;
  if (err instanceof TransportError) return `transport:${err.kind}`;
  return 'internal';
}

/** An error an agent can act on: what failed, what it means, what to do, and the RequestId. */
export function explainFailure(def: ToolDef, err: unknown): string {
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
