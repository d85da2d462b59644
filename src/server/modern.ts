// The 2026-07-28 era on the v2 SDK: no initialize and no session. A fresh server answers each HTTP request (or a
// stdio connection), built cheaply from the one shared core; each request brings its client's capabilities and
// the log level it wants in its _meta. Consent asks through an input_required result (input-required.ts) when the
// request's client can fill a form, else through the confirmation token, as in the legacy era. A client that declares
// the tasks extension gets a task for a call that starts a job (tasks.ts).
import { CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY, Server, type ServerContext as RequestContext } from '@modelcontextprotocol/server';
import { AskThroughResult, canFillForms, type ElicitationCapability } from '../guardrails/consent.js';
import { isLiveResource, LOG_LEVELS, atLeast, SERVER_INFO, type Cores, type LogLevel, type SendLog } from './core.js';
import { MODERN_CAPABILITIES, STABLE_CACHE } from './instructions.js';
import { rendersApps } from './console.js';
import { OPERATOR, type Identity } from '../guardrails/identity.js';
import { ElicitationSchemaValidator } from './elicit-validator.js';
import { InputRequiredConsent } from './input-required.js';
import type { CallExtra, ServerContext } from './pipeline.js';
import { telemetry } from '../telemetry/index.js';
import { following } from '../jobs/jobs.js';
import { createTaskResult, declaresTasks, serveTasks } from './tasks.js';

/**
 * Cache hints (2026-07-28) that are true: the tool, resource and prompt lists, the discovery answer and the
 * reference resources are fixed for a server's configuration and the same for every caller (public; an hour,
 * since a restart with other settings may change them). The sandbox world and the event resources change as the
 * server works: private, and stale at once.
 */
const STABLE = STABLE_CACHE;
const LIVE = { ttlMs: 0, cacheScope: 'private' } as const;
const hints = (stable: { ttlMs: number; cacheScope: 'public' | 'private' }) => ({
  'server/discover': stable,
  'tools/list': stable,
  'prompts/list': stable,
  'resources/list': stable,
  'resources/templates/list': stable,
  'resources/read': stable,
});
const CACHE_HINTS = hints(STABLE);
/** Under OAuth the lists and the instructions depend on who asks: no shared cache may hand one identity's to another. */
const PER_IDENTITY_HINTS = hints({ ...STABLE, cacheScope: 'private' });

const elicitationValidator = new ElicitationSchemaValidator();

/**
 * @returns a factory of per-request (HTTP) or per-connection (stdio) servers; `caller` names who calls, for the
 *   binding of consent (the identity or bearer credential over HTTP, the connection on stdio), and `identity` whose
 *   permissions answer.
 */
export function modernServers(ctx: ServerContext, cores: Cores): (caller: string, identity?: Identity) => Server {
  const consent = new InputRequiredConsent(ctx);
  return (caller, identity = OPERATOR) => {
    const core = cores(identity);
    const server = new Server(SERVER_INFO, {
      capabilities: MODERN_CAPABILITIES,
      instructions: core.instructions,
      cacheHints: identity.via === 'oauth' ? PER_IDENTITY_HINTS : CACHE_HINTS,
      jsonSchemaValidator: elicitationValidator as never,
    });
    // A client that renders views gets a list of its own, so no shared cache may hand it to another.
    server.setRequestHandler('tools/list', async (_request, rctx) => {
      const ui = rendersApps((rctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY]);
      const list = await core.listTools(ui);
      return (ui ? { ...list, ttlMs: STABLE.ttlMs, cacheScope: 'private' } : list) as never;
    });
    server.setRequestHandler('tools/call', async (request, rctx) => {
      const { name, arguments: args } = request.params;
      const envelope = rctx.mcpReq.envelope as Record<string, unknown> | undefined;
      let round;
      try {
        round = canFillForms(envelope?.[CLIENT_CAPABILITIES_META_KEY] as ElicitationCapability | undefined)
          ? await consent.open({ caller, tool: name, args }, rctx.mcpReq.requestState(), rctx.mcpReq.inputResponses)
          : undefined;
      } catch (err) {
        // A requestState that does not fit its call: refused before anything runs, and on record like any attempt.
        await core.refusedCall(name, args, 'refused:request-state', { identity });
        throw err;
      }
      const token = rctx.mcpReq._meta?.progressToken;
      // A client that follows tasks gets one for a call that starts a job (a recording, an AI bot, a wait).
      const follow = declaresTasks(envelope) ? following(core.jobs, identity) : undefined;
      const extra: CallExtra = {
        ...follow?.extra,
        signal: rctx.mcpReq.signal,
        identity,
        ui: rendersApps(envelope?.[CLIENT_CAPABILITIES_META_KEY]),
        // A client that can fill a form is asked in the result, and only there.
        consent: round ? { kind: 'elicitation', ask: round.elicit } : { kind: 'token' },
        progress: token === undefined
          ? undefined
          : (done, total, message) =>
              void rctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => undefined),
      };
      try {
        const result = await core.callTool(name, args, extra, logFor(rctx, envelope?.[LOG_LEVEL_META_KEY]));
        const job = await follow?.settle(result);
        if (job) return createTaskResult(job) as never;
        const problem = follow?.problem();
        return problem ? { ...result, content: [...result.content, { type: 'text', text: `Not followed as a task (${problem}): follow it with its Describe* read.` }] } : result;
      } catch (err) {
        if (err instanceof AskThroughResult && round) return round.ask(err.params, err.binding);
        throw err;
      }
    });
    serveTasks(server, core.jobs, identity);
    server.setRequestHandler('resources/list', () => core.listResources());
    server.setRequestHandler('resources/templates/list', () => core.listResourceTemplates());
    server.setRequestHandler('resources/read', async (request) => {
      const result = await core.readResource(request.params.uri);
      return isLiveResource(request.params.uri) ? { ...result, ...LIVE } : result;
    });
    server.setRequestHandler('prompts/list', () => core.listPrompts());
    server.setRequestHandler('prompts/get', (request) => core.getPrompt(request.params.name, request.params.arguments));
    return telemetry.server(server);
  };
}

/** Log notifications only when the request's _meta asks for a level, and only at or above it. */
function logFor(rctx: RequestContext, wanted: unknown): SendLog {
  const threshold = LOG_LEVELS.includes(wanted as LogLevel) ? (wanted as LogLevel) : undefined;
  return async (level, data) => {
    if (threshold && atLeast(level, threshold)) {
      await rctx.mcpReq.notify({ method: 'notifications/message', params: { level, logger: 'trtc-mcp', data } }).catch(() => undefined);
    }
  };
}
