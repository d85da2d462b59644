// The legacy era (protocol revisions up to 2025-11-25, the initialize handshake) on the v1 SDK: one MCP server per
// client session. Each request is answered by the core of the identity that sent it (over HTTP the edge names it in
// the request's authInfo; over stdio it is the operator). Consent asks through a pushed elicitation; logs follow the
// session's logging/setLevel.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema, GetPromptRequestSchema, ListPromptsRequestSchema, ListResourcesRequestSchema, ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema, ReadResourceRequestSchema, SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { serveEventSubscriptions } from '../events/subscriptions.js';
import { atLeast, protocolError, SERVER_INFO, type Cores, type LogLevel } from './core.js';
import { LEGACY_CAPABILITIES } from './instructions.js';
import { OPERATOR, type Identity } from '../guardrails/identity.js';
import { canFillForms } from '../guardrails/consent.js';
import { rendersApps } from './console.js';
import { ElicitationSchemaValidator } from './elicit-validator.js';
import type { CallExtra, ServerContext } from './pipeline.js';
import { telemetry } from '../telemetry/index.js';

const elicitationValidator = new ElicitationSchemaValidator();

/** Who sent a request: the identity the HTTP edge put in its authInfo, else (stdio) the operator. */
export const identityOf = (extra: { authInfo?: { extra?: Record<string, unknown> } }): Identity => (extra.authInfo?.extra?.identity as Identity | undefined) ?? OPERATOR;

/** @param first the identity that opened the session, whose permissions the instructions describe */
export function createMcpServer(ctx: ServerContext, cores: Cores, first: Identity = OPERATOR): Server {
  // Clients may subscribe to event resources for the session's lifetime (2026-07-28 has no resources/subscribe).
  const server = new Server(SERVER_INFO, { capabilities: LEGACY_CAPABILITIES, instructions: cores(first).instructions, jsonSchemaValidator: elicitationValidator });

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => (await cores(identityOf(extra)).listTools(rendersApps(server.getClientCapabilities()))) as never);
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const identity = identityOf(extra);
    const { name, arguments: args } = request.params;
    const token = request.params._meta?.progressToken;
    const callExtra: CallExtra = {
      signal: extra.signal,
      identity,
      ui: rendersApps(server.getClientCapabilities()),
      // A client that can show its user a form is asked there, and only there.
      consent: canFillForms(server.getClientCapabilities())
        ? { kind: 'elicitation', ask: (params) => server.elicitInput(params, { timeout: ctx.config.confirmTtl * 1000 }) }
        : { kind: 'token' },
      progress: token === undefined
        ? undefined
        : (done, total, message) =>
            void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: done, total, message } }).catch(() => undefined),
    };
    return cores(identity).callTool(name, args, callExtra, async (at, data) => {
      if (level && atLeast(at, level)) await extra.sendNotification({ method: 'notifications/message', params: { level: at, logger: 'trtc-mcp', data } }).catch(() => undefined);
    });
  });

  server.setRequestHandler(ListResourcesRequestSchema, async (_request, extra) => cores(identityOf(extra)).listResources());
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_request, extra) => cores(identityOf(extra)).listResourceTemplates());
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => cores(identityOf(extra)).readResource(request.params.uri));
  serveEventSubscriptions(server, (extra) => cores(identityOf(extra)).context, protocolError);
  server.setRequestHandler(ListPromptsRequestSchema, async (_request, extra) => cores(identityOf(extra)).listPrompts());
  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => cores(identityOf(extra)).getPrompt(request.params.name, request.params.arguments));

  // Log notifications are opt-in: sent only once the client has chosen a level for the session.
  let level: LogLevel | undefined;
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    level = request.params.level;
    return {};
  });
  return telemetry.server(server);
}
