// Discovery tools, always listed: they give an agent the whole catalog without listing every tool.
// search_tools finds tools by intent, describe_tool returns one tool's full schema, and call_tool runs any
// catalog tool by name through the same pipeline as a direct call (validation, mode, scope, consent, audit).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { SITES, TOOLSET_ABOUT, TOOLSET_ABOUT_ZH } from '../../tools/define.js';
import { own } from '../../tools/own.js';
import type { Config } from '../config.js';
import { grantRefusal, type AccessConfig } from '../guardrails/access.js';
import { effectOfTool, modeRefusal, offSite, usualEffect } from '../guardrails/exposure.js';
import { ANSWER_BUDGET_CHARS } from './budget.js';
import { hasHan, searchTools } from './search.js';
import { APPROVALS_TOOLSET, DISCOVERY_TOOLSET, onSite, type ManifestTool } from './tool-list.js';

export { DISCOVERY_TOOLSET };

// Strict, like every catalog tool: a misspelt key ("args" for "arguments") is reported, not dropped, which for
// call_tool would run the tool without the arguments the agent meant to pass.
export const discoveryInputs = {
  search_tools: z.strictObject({
    query: z.string().min(1).max(200).describe('What you want to do, e.g. "stop a recording" or "who is in a room"'),
    limit: z.int().min(1).max(20).optional().describe('Most results (default 8)'),
  }),
  describe_tool: z.strictObject({
    name: z.string().min(1).max(64),
    field: z.string().min(1).max(64).optional().describe('A parameter (or "outputSchema") an earlier answer left out to save space: its whole schema'),
  }),
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
  noGoodMatch: z.string().optional(),
  toolsets: z.array(z.object({ toolset: z.string(), about: z.string(), listed: z.boolean() })).optional(),
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

export const effectOf = effectOfTool;

/**
 * describe_tool's answer: the tool as listed, with its effect and whether it is listed. When that is longer than a
 * default answer, the output schema and then the largest nested parameters are left out, largest first, each
 * named with the describe_tool call that gives it; `field` asks for one of them.
 */
export function describeAnswer(tool: ManifestTool, extra: Record<string, unknown>, field?: string): CallToolResult {
  const { aliases: _aliases, ...shown } = tool;
  if (field !== undefined) {
    const props = (tool.inputSchema.properties ?? {}) as Record<string, unknown>;
    const schema = field === 'outputSchema' ? tool.outputSchema : Object.hasOwn(props, field) ? props[field] : undefined;
    if (schema === undefined) {
      const text = `Invalid arguments for describe_tool:\n- field: ${tool.name} has no parameter ${JSON.stringify(field)} (parameters: ${Object.keys(props).join(', ')}, or "outputSchema")`;
      return { isError: true, content: [{ type: 'text', text }] };
    }
    return jsonResult({ name: tool.name, field, schema }, false);
  }
  const doc: Record<string, any> = { ...shown, ...extra };
  const fits = () => JSON.stringify(doc).length <= ANSWER_BUDGET_CHARS - 300;
  const leftOut: string[] = [];
  const ask = (f: string) => `describe_tool with {"name": ${JSON.stringify(tool.name)}, "field": ${JSON.stringify(f)}}`;
  if (!fits() && doc.outputSchema) {
    delete doc.outputSchema;
    leftOut.push('outputSchema');
  }
  const props = { ...(doc.inputSchema.properties ?? {}) } as Record<string, Record<string, unknown>>;
  doc.inputSchema = { ...doc.inputSchema, properties: props };
  const nested = Object.keys(props).filter((k) => JSON.stringify(props[k]).length > 200).sort((a, b) => JSON.stringify(props[b]).length - JSON.stringify(props[a]).length);
  for (const key of nested) {
    if (fits()) break;
    const { type, description } = props[key]!;
    props[key] = { type, description: `${description ? `${description}. ` : ''}Schema left out to save space: ${ask(key)} gives it` };
    leftOut.push(key);
  }
  const note = leftOut.length ? [`Left out to save space: ${leftOut.map((f) => `${f} (${ask(f)})`).join(', ')}.`] : [];
  return { content: [{ type: 'text', text: JSON.stringify(doc) }, ...note.map((text) => ({ type: 'text' as const, text }))] };
}

export function jsonResult(structured: Record<string, unknown>, withStructured: boolean): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], ...(withStructured ? { structuredContent: structured } : {}) };
}

/** What each toolset is for, the catalog's and the server's own (approvals), in English and in Chinese search words. */
const ABOUT: Record<string, string> = { ...TOOLSET_ABOUT, [APPROVALS_TOOLSET]: 'Waiting for a person to approve a destructive call on the approval page' };
export const ABOUT_ZH: Record<string, string> = { ...TOOLSET_ABOUT_ZH, [APPROVALS_TOOLSET]: '等待审批、人工审批' };

/** The search_tools answer: the best matches, or, when none matches well, the toolsets to look in instead. */
export async function searchAnswer(
  query: string,
  limit: number | undefined,
  searchable: readonly ManifestTool[],
  exposed: ReadonlySet<string>,
  site: Config['site'],
): Promise<CallToolResult> {
  const { hits, confident } = await searchTools(query, searchable, limit);
  if (!confident) {
    // A request in Chinese gets its advice in Chinese too, with each toolset's Chinese search words.
    const chinese = hasHan(query);
    const sets = [...new Set(searchable.map((t) => t.toolset))];
    const toolsets = sets.map((toolset) => {
      const about = own(ABOUT, toolset) ?? '';
      const zh = own(ABOUT_ZH, toolset);
      return { toolset, about: chinese && zh ? `${zh} (${about})` : about, listed: searchable.some((t) => t.toolset === toolset && exposed.has(t.name)) };
    });
    const english = `No tool matches ${JSON.stringify(query)} well. These are the toolsets: search again with words from the one you need, in plain terms (for example "mute a user" or "minutes used yesterday").`;
    const noGoodMatch = chinese
      ? `没有工具与“${query}”匹配得足够好。以下是各个工具集：请用所需工具集里的词语重新搜索（例如“静音用户”或“昨天的用量”）。 ${english}`
      : english;
    return jsonResult({ results: [], noGoodMatch, toolsets }, true);
  }
  const results = hits.map(({ tool }) => ({
    name: tool.name,
    toolset: tool.toolset,
    effect: effectOf(tool),
    description: tool.description,
    listed: exposed.has(tool.name),
    ...(!onSite(tool, site) && { unavailable: offSite(tool, site) }),
  }));
  return jsonResult({ results }, true);
}

/** Why a tool of this server cannot be called here, when the reason may be told: read-only mode, or an access token too weak for it (the deny list hides). */
export function readOnlyRefusal(name: string, manifest: readonly ManifestTool[], config: Pick<AccessConfig, 'readOnly' | 'denyTools' | 'grant'>): string | undefined {
  const tool = manifest.find((t) => t.name === name);
  const refused = tool && modeRefusal(config, { name, effect: effectOfTool(tool) });
  if (!tool || refused?.outcome === 'refused:denied') return undefined;
  const weak = grantRefusal(config, name, usualEffect(tool));
  if (weak) return `Refused: ${weak} Nothing was sent.`;
  return refused ? `Refused: ${refused.why} Nothing was sent.` : undefined;
}

/**
 * What a direct call of a tool that is not listed answers. A tool the server can call points to call_tool and to
 * describe_tool for its schema; a write in read-only mode and a tool of the other site say why; names the deny list
 * hides, and names of no tool, are unknown.
 */
export function unlistedToolMessage(
  name: string,
  callable: readonly ManifestTool[],
  manifest: readonly ManifestTool[],
  config: Pick<AccessConfig, 'readOnly' | 'denyTools' | 'site' | 'grant'>,
): string {
  if (callable.some((t) => t.name === name)) {
    return `${name} is not in this server's tool list, but it can be called: use call_tool with {"name": ${JSON.stringify(name)}, "arguments": {...}}. ` +
      `describe_tool with {"name": ${JSON.stringify(name)}} shows its input schema.`;
  }
  const readOnly = readOnlyRefusal(name, manifest, config);
  if (readOnly) return readOnly;
  const tool = manifest.find((t) => t.name === name && modeRefusal(config, { name, effect: effectOf(t) })?.outcome !== 'refused:denied');
  const elsewhere = tool && SITES.some((s) => s !== config.site) ? offSite(tool, config.site) : undefined;
  return elsewhere ?? `Unknown tool: ${name}`;
}
