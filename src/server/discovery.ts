// Discovery tools, always listed: they give an agent the whole catalog without listing every tool.
// search_tools finds tools by intent, describe_tool returns one tool's full schema, and call_tool runs any
// catalog tool by name through the same pipeline as a direct call (validation, mode, scope, consent, audit).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ManifestTool } from './tool-list.js';

export const DISCOVERY_TOOLSET = 'discovery';

// Strict, like every catalog tool: a misspelt key ("args" for "arguments") is reported, not dropped, which for
// call_tool would run the tool without the arguments the agent meant to pass.
export const discoveryInputs = {
  search_tools: z.strictObject({
    query: z.string().min(1).max(200).describe('What you want to do, e.g. "stop a recording" or "who is in a room"'),
    limit: z.int().min(1).max(20).optional().describe('Most results (default 8)'),
  }),
  describe_tool: z.strictObject({ name: z.string().min(1).max(64) }),
  call_tool: z.strictObject({
    name: z.string().min(1).max(64),
    arguments: z.looseObject({}).optional().describe("The tool's arguments, as describe_tool shows them"),
  }),
};

const searchOutput = z.object({
  results: z.array(
    z.object({
      name: z.string(),
      toolset: z.string(),
      effect: z.enum(['read', 'write', 'destructive']),
      description: z.string(),
      listed: z.boolean().describe('Whether it can also be called directly'),
      unavailable: z.string().optional().describe('Why it cannot be called on this site'),
    }),
  ),
});

export const discoveryDefs = {
  search_tools: {
    description: 'Search every TRTC tool, including ones not listed here, by what you want to do. Then use describe_tool and call_tool.',
    output: searchOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  describe_tool: {
    description: "Full description, input schema and output schema of any TRTC tool, by name.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  call_tool: {
    description: 'Call any TRTC tool by name with its arguments. The same validation, limits and consent apply as when calling it directly.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
} as const;

export type DiscoveryName = keyof typeof discoveryInputs;
export const isDiscovery = (name: string): name is DiscoveryName => Object.hasOwn(discoveryInputs, name);

// Words agents use for what the TRTC names call otherwise. A Map, since the words come from agents.
const SYNONYMS = new Map<string, string[]>(Object.entries({
  stop: ['stop', 'delete', 'end', 'dismiss', 'destroy'],
  end: ['stop', 'end', 'dismiss', 'destroy'],
  start: ['start', 'create', 'begin'],
  begin: ['start', 'create'],
  kick: ['remove', 'kick'],
  remove: ['remove', 'kick', 'delete'],
  ban: ['ban', 'blocked', 'remove'],
  mute: ['blocked', 'mute', 'ban'],
  unmute: ['blocked', 'mute'],
  block: ['blocked', 'ban'],
  silence: ['blocked', 'mute'],
  close: ['dismiss', 'destroy', 'stop'],
  record: ['recording', 'record'],
  recording: ['recording', 'record'],
  relay: ['cdn', 'publish', 'relay'],
  cdn: ['cdn', 'publish'],
  mix: ['mix', 'transcoding', 'cdn', 'publish'],
  mixing: ['mix', 'transcoding', 'cdn', 'publish'],
  pull: ['ingest'],
  ingest: ['ingest'],
  bot: ['ai', 'robot', 'agent', 'conversation'],
  agent: ['ai', 'agent', 'conversation'],
  ai: ['ai', 'conversation', 'transcription'],
  transcribe: ['transcription'],
  subtitle: ['transcription'],
  caption: ['transcription'],
  quality: ['quality', 'call', 'detail', 'unusual'],
  lag: ['quality', 'unusual', 'detail'],
  bad: ['quality', 'unusual'],
  usage: ['usage'],
  minutes: ['usage'],
  bill: ['usage'],
  billing: ['usage'],
  cost: ['usage'],
  who: ['user', 'member', 'info'],
  list: ['describe', 'list', 'get', 'info'],
  show: ['describe', 'get', 'info'],
  find: ['describe', 'get', 'list'],
  users: ['user', 'member'],
  members: ['member', 'user'],
  seat: ['seat', 'mic'],
  mic: ['seat', 'mic'],
  battle: ['battle', 'pk'],
  pk: ['battle', 'pk'],
  call: ['call'],
  phone: ['call'],
  meeting: ['conference'],
  conference: ['conference'],
  live: ['live'],
  stream: ['stream', 'live', 'cdn', 'ingest'],
  message: ['msg', 'message'],
  say: ['control', 'msg', 'text'],
  speak: ['control', 'text'],
}));

const stem = (w: string) => w.replace(/(ings?|ed|es|s)$/, '') || w;
const words = (text: string) =>
  text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1)
    .map(stem);

/** Ranks tools by how well their name, toolset, description and parameters match the query. */
export function searchTools(query: string, tools: readonly ManifestTool[], limit = 8): Array<{ tool: ManifestTool; score: number }> {
  const terms = [...new Set(words(query).flatMap((w) => [w, ...(SYNONYMS.get(w) ?? []).map(stem)]))];
  const ranked = tools.map((tool) => {
    const toolset = tool.toolset;
    const fields: Array<[Set<string>, number]> = [
      [new Set(words(tool.name)), 3],
      [new Set(words(toolset)), 2],
      [new Set(words(tool.description)), 1],
      [new Set(words(Object.keys((tool.inputSchema.properties as object | undefined) ?? {}).join(' '))), 0.5],
    ];
    const score = terms.reduce((sum, t) => sum + fields.reduce((s, [set, weight]) => s + (set.has(t) ? weight : 0), 0), 0);
    return { tool, score };
  });
  return ranked.filter((r) => r.score > 0).sort((a, b) => b.score - a.score || a.tool.name.localeCompare(b.tool.name)).slice(0, limit);
}

export const effectOf = (t: ManifestTool): 'read' | 'write' | 'destructive' =>
  t.annotations.readOnlyHint ? 'read' : t.annotations.destructiveHint ? 'destructive' : 'write';

export function jsonResult(structured: Record<string, unknown>, withStructured: boolean): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], ...(withStructured ? { structuredContent: structured } : {}) };
}
