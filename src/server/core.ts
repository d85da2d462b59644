// What the server answers, whichever protocol era and SDK line carries the request: instructions, the tool list,
// tools/call through the pipeline, resources and prompts. The era adapters (server.ts for the legacy handshake, modern.ts for 2026-07-28) only map their
// SDK's requests onto these functions and their channels (logs, progress, consent) onto CallExtra.
import type { CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { EVENT_RESOURCE_TEMPLATES, EventResourceRefusal, parseEventUri, readEventResource } from '../events/resources.js';
import { isEventTool, runEventTool } from '../events/tools.js';
import { isApprovalTool, runApprovalTool } from './approval-tool.js';
import { describeIssues } from '../validation.js';
import {
  describeAnswer, DISCOVERY_TOOLSET, discoveryInputs, effectOf, isDiscovery, readOnlyRefusal, searchAnswer, unlistedToolMessage, type DiscoveryName,
} from './discovery.js';
import { similarNames } from './search.js';
import { SITES } from '../../tools/define.js';
import { accessConfig, accessKey, grantRefusal } from '../guardrails/access.js';
import { eventsOffered, modeRefusal, offSite, selectTools, usualEffect } from '../guardrails/exposure.js';
import type { Identity } from '../guardrails/identity.js';
import type { Policy } from '../guardrails/policy.js';
import { auditRefused, failure, runTool, type CallExtra, type ServerContext } from './pipeline.js';
import { getPrompt, listPrompts } from './prompts.js';
import { instructionsFor, offerOf, reachable } from './instructions.js';
import { Jobs } from '../jobs/jobs.js';
import { TRTC_JOB, TrtcJobs } from '../jobs/trtc.js';
import { WAIT_JOB, WaitJobs } from '../jobs/waits.js';
import { APPROVAL_JOB, ApprovalJobs } from '../jobs/approvals.js';
import { loadCatalog } from './registry.js';
import { CONSOLE_TOOL, consoleResource, readConsole, withConsole } from './console.js';
import { isLive, listResources, readResource } from './resources.js';
import { listed as toListed, onSite, type ManifestTool } from './tool-list.js';

export { CAPABILITIES, instructionsFor, SERVER_INFO } from './instructions.js';

/** MCP's log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Sends a log notification about the current request, if the client asked for that level; never fails. */
export type SendLog = (level: LogLevel, data: Record<string, unknown>) => Promise<void>;

/** JSON-RPC code for an unknown resource URI (the 2026-07-28 codec sends it as -32602, with the URI in data). */
const RESOURCE_NOT_FOUND = -32002;
const INVALID_PARAMS = -32602;

/** A JSON-RPC error with a plain message (the SDKs pass `code`, `message` and `data` through as they are). */
export const protocolError = (code: number, message: string, data?: unknown) => Object.assign(new Error(message), { code, data });

export interface ServerCore {
  /** Read when a server is built: whether events arrive is known only once the transports are up. */
  readonly instructions: string;
  /** The context it answers with: the server's, narrowed to one identity's permissions. */
  readonly context: ServerContext;
  /** `ui`: the client renders MCP Apps views (the console is linked, and its data tool listed). */
  listTools(ui?: boolean): { tools: Tool[] } | Promise<{ tools: Tool[] }>;
  callTool(name: string, args: unknown, extra: CallExtra, log: SendLog): Promise<CallToolResult>;
  /** Audits a write attempt that the edge refused before calling (a requestState that does not fit the call). */
  refusedCall(name: string, args: unknown, outcome: string, extra: CallExtra): Promise<void>;
  listResources(): { resources: Resource[] };
  listResourceTemplates(): { resourceTemplates: ResourceTemplate[] };
  readResource(uri: string): Promise<ReadResourceResult>;
  listPrompts(): { prompts: Prompt[] };
  getPrompt(name: string, args: Record<string, string> | undefined): GetPromptResult;
  /** What calls started and clients follow (MCP tasks). */
  readonly jobs: Jobs;
}

/**
 * Built once per set of permissions (createCores): every session (legacy) and every request (2026-07-28) of
 * identities with those permissions shares it.
 * @param listed the tools clients see in tools/list
 * @param manifest every tool the server has (discovery tools reach those that are not listed)
 */
export function createCore(ctx: ServerContext, listed: readonly ManifestTool[], manifest: readonly ManifestTool[], engine = createJobs(ctx)): ServerCore {
  const exposed = new Set(listed.map((t) => t.name));
  const { callable, unavailable } = reachable(manifest, ctx.config);
  // Our own list, not an SDK's: the schemas stay exactly as portable as the manifest made them (no $schema).
  const tools = { tools: listed.map(toListed) as Tool[] };
  const resources = { resources: [...listResources(ctx), consoleResource()] };
  let uiTools: Promise<{ tools: Tool[] }> | undefined;
  // What the instructions and prompts may name, and how: written for this list and this site.
  const offer = offerOf(listed, manifest, ctx.config);
  const prompts = { prompts: listPrompts(ctx, offer) };
  const jobs = engine.narrowed(ctx);

  return {
    jobs,
    get instructions() {
      return instructionsFor(ctx, offer);
    },
    context: ctx,
    listTools: (ui) => (ui ? (uiTools ??= withConsole(tools.tools, manifest).then((t) => ({ tools: t }))) : tools),
    async callTool(name, args, extra, log) {
      // The console's data tool is offered only to clients that render views.
      const forConsole = name === CONSOLE_TOOL && extra.ui === true;
      if (!exposed.has(name) && !forConsole) {
        await auditRefused(ctx, name, args, notOffered(ctx, manifest, name), 'not-required', extra);
        throw protocolError(INVALID_PARAMS, unlistedToolMessage(name, callable, manifest, ctx.config));
      }
      const result = forConsole
        ? await (await import('./console-data.js')).runConsoleTool(ctx, args, extra)
        : isDiscovery(name)
          ? await discover(ctx, name, args, callable, unavailable, exposed, manifest, extra)
          : isEventTool(name)
            ? await runEventTool(ctx, name, args, extra)
            : isApprovalTool(name)
              ? await runApprovalTool(ctx, args, extra)
              : await runTool(ctx, (await loadCatalog()).get(name)!, args, extra);
      // Sent as part of the call it is about, and before its result, so that over HTTP it travels on the call's own
      // response stream, even when the client opened no other stream, and in order.
      await log(result.isError ? 'warning' : 'info', { tool: name, ok: !result.isError });
      return result;
    },
    refusedCall: async (name, args, outcome, extra) => {
      const inner = name === 'call_tool' && args && typeof args === 'object' ? (args as { name?: unknown; arguments?: unknown }) : undefined;
      if (inner) await auditRefused(ctx, String(inner.name), inner.arguments, outcome, 'request-state-refused', extra);
      else await auditRefused(ctx, name, args, outcome, 'request-state-refused', extra);
    },
    listResources: () => resources,
    // The event resources show what the event tools show: denied with them.
    listResourceTemplates: () => ({ resourceTemplates: eventsOffered(ctx.config) ? EVENT_RESOURCE_TEMPLATES : [] }),
    async readResource(uri) {
      let result;
      try {
        result = readConsole(uri) ?? (await readResource(ctx, uri)) ?? (await readEventResource(ctx, uri));
      } catch (err) {
        if (err instanceof EventResourceRefusal) throw protocolError(INVALID_PARAMS, err.message);
        throw err;
      }
      if (!result) throw protocolError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
      return result;
    },
    listPrompts: () => prompts,
    getPrompt(name, args) {
      let result: GetPromptResult | undefined;
      try {
        result = getPrompt(ctx, offer, name, args);
      } catch (err) {
        throw protocolError(INVALID_PARAMS, (err as Error).message);
      }
      if (!result) throw protocolError(INVALID_PARAMS, `Unknown prompt: ${name}`);
      return result;
    },
  };
}

/** The audit outcome of a call to a tool the server does not offer to this caller directly: why not. */
function notOffered(ctx: ServerContext, manifest: readonly ManifestTool[], name: string): string {
  const tool = manifest.find((t) => t.name === name);
  if (!tool) return 'refused:unknown';
  if (grantRefusal(ctx.config, name, usualEffect(tool))) return 'refused:grant';
  return modeRefusal(ctx.config, { name, effect: effectOf(tool) })?.outcome ?? (onSite(tool, ctx.config.site) ? 'refused:not-listed' : 'refused:site');
}

/** The engine that moves what calls started (MCP tasks), with every kind of job the server has. */
export function createJobs(ctx: ServerContext): Jobs {
  const jobs = new Jobs(ctx, loadCatalog);
  jobs.register(TRTC_JOB, new TrtcJobs());
  jobs.register(WAIT_JOB, new WaitJobs());
  jobs.register(APPROVAL_JOB, new ApprovalJobs());
  return jobs;
}

/** What the server answers one identity: the core of its permissions. */
export type Cores = (identity: Identity) => ServerCore;

/**
 * One core per set of permissions (the server's settings narrowed by a token's scopes and a policy entry, see
 * guardrails/access.ts), made when first asked for: every identity with the same permissions shares it. There are
 * at most a few per policy entry, so none is ever dropped.
 */
export function createCores(ctx: ServerContext, manifest: readonly ManifestTool[], policy?: Policy): Cores {
  const cores = new Map<string, ServerCore>();
  // One engine hears the callbacks; each core sees its jobs through its own permissions.
  const jobs = createJobs(ctx);
  return (identity) => {
    const key = accessKey(identity);
    let core = cores.get(key);
    if (!core) {
      const config = accessConfig(ctx.config, identity, policy, ctx.config.identityRateShare);
      core = createCore(config === ctx.config ? ctx : { ...ctx, config }, selectTools(manifest, config), manifest, jobs);
      cores.set(key, core);
    }
    return core;
  };
}

/** Whether a level passes a client's chosen threshold. */
export const atLeast = (level: LogLevel, threshold: LogLevel) => LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);

async function discover(
  ctx: ServerContext,
  name: DiscoveryName,
  args: unknown,
  callable: readonly ManifestTool[],
  unavailable: readonly ManifestTool[],
  exposed: ReadonlySet<string>,
  manifest: readonly ManifestTool[],
  extra: CallExtra,
): Promise<CallToolResult> {
  const parsed = discoveryInputs[name].safeParse(args ?? {});
  if (!parsed.success) {
    return failure(`Invalid arguments for ${name}:\n${describeIssues(parsed.error.issues, args ?? {}).map((l) => `- ${l}`).join('\n')}`);
  }
  const input = parsed.data as { query?: string; limit?: number; name?: string; field?: string; arguments?: Record<string, unknown> };
  const find = (tool: string) => callable.find((t) => t.name === tool);
  const unknown = async (tool: string) => {
    const readOnly = readOnlyRefusal(tool, manifest, ctx.config);
    if (readOnly) return failure(readOnly);
    const like = await similarNames(tool, callable);
    return failure(`No callable tool named ${tool}. ${like.join(', ') || 'Use search_tools to find one'}.`);
  };

  if (name === 'search_tools') return searchAnswer(input.query!, input.limit, [...callable, ...unavailable], exposed, ctx.config.site);
  const elsewhere = unavailable.find((t) => t.name === input.name);
  if (elsewhere) {
    const why = offSite(elsewhere, ctx.config.site)!;
    if (name === 'describe_tool') return describeAnswer(elsewhere, { effect: effectOf(elsewhere), listed: false, unavailable: why }, input.field);
    await auditRefused(ctx, elsewhere.name, input.arguments, 'refused:site', 'not-required', extra);
    return failure(`${why} Nothing was sent.`);
  }
  const target = find(input.name!);
  if (!target) {
    if (name === 'call_tool') await auditRefused(ctx, input.name!, input.arguments, notOffered(ctx, manifest, input.name!), 'not-required', extra);
    return unknown(input.name!);
  }
  if (name === 'describe_tool') return describeAnswer(target, { effect: effectOf(target), listed: exposed.has(target.name) }, input.field);
  if (isEventTool(target.name)) return runEventTool(ctx, target.name, input.arguments ?? {}, extra);
  if (isApprovalTool(target.name)) return runApprovalTool(ctx, input.arguments ?? {}, extra);
  const def = (await loadCatalog()).get(target.name)!;
  return runTool(ctx, def, input.arguments ?? {}, extra);
}

/** Whether a resource's content changes as the server works: the sandbox world, and every event resource. */
export const isLiveResource = (uri: string) => isLive(uri) || parseEventUri(uri) !== undefined;
