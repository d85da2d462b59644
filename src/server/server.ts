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
  const env = ctx.wireEnv(ctx.config.sdkAppId);
  if (env.mintUserSig) lines.push('Bot UserSigs (recorder, relay, ingest and AI bots) may be left out: the server mints them.');
  if (env.profiles) {
    const names = (kind: 'llm' | 'tts') => Object.keys(env.profiles![kind]).join(', ') || 'none';
    lines.push(`LLMConfig and TTSConfig take {"profile":"<name>"} so keys stay out of the conversation. LLM profiles: ${names('llm')}. TTS profiles: ${names('tts')}.`);
  }
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
    return runTool(ctx, def, args, { signal: extra.signal });
  });
  return server;
}
