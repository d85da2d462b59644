// The MCP server: one per client session, all sharing the context (callers, config, log) and the tool list.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../version.js';
import type { ManifestTool } from './manifest.js';
import { runTool, SANDBOX_NOTE, type ServerContext } from './pipeline.js';
import { loadCatalog } from './registry.js';

export function instructionsFor(ctx: ServerContext): string {
  const lines = [
    'Operate Tencent RTC (TRTC) through its server APIs. Tools named like DismissRoom are TRTC Cloud API 3.0 actions with the same parameters.',
    `SdkAppId may be omitted: it defaults to ${ctx.config.sdkAppId ?? 'the configured app (none is configured, so pass it)'}.`,
    'Numeric room IDs (RoomId integer) and string room IDs (the ...ByStrRoomId tools) are separate rooms.',
  ];
  if (ctx.config.confirm !== 'none') {
    lines.push(
      `${ctx.config.confirm === 'mutating' ? 'Every mutating' : 'Every destructive'} tool needs the user's consent: the server asks them directly when your client supports it; otherwise the call returns "Confirmation required" with a preview and a confirmationToken. Show the preview to the user, and only if they agree repeat the call with the same arguments plus that confirmationToken.`,
    );
  }
  if (ctx.config.readOnly) lines.push('This server is read-only: tools that change state are not available.');
  if (ctx.config.dryRun) lines.push('Dry-run mode: calls show the request they would send and send nothing.');
  if (ctx.sandbox) lines.push(`${SANDBOX_NOTE} (${ctx.sandbox.reason})`);
  return lines.join('\n');
}

export function createMcpServer(ctx: ServerContext, tools: readonly ManifestTool[]): Server {
  const server = new Server(
    { name: 'trtc-mcp', version: VERSION },
    { capabilities: { tools: {} }, instructions: instructionsFor(ctx) },
  );
  const exposed = new Set(tools.map((t) => t.name));

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools as never }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const def = exposed.has(name) ? (await loadCatalog()).get(name) : undefined;
    if (!def) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const elicit = server.getClientCapabilities()?.elicitation
      ? (params: Parameters<Server['elicitInput']>[0]) => server.elicitInput(params, { timeout: ctx.config.confirmTtl * 1000 })
      : undefined;
    return runTool(ctx, def, args, { signal: extra.signal, elicit });
  });
  return server;
}
