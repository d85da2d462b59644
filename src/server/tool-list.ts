// The shape of a listed tool and the schema clean-up applied to every JSON Schema clients see. Kept apart from
// the manifest builder so that the running server can use them without loading the catalog.
import type { ToolAnnotations } from './catalog.js';

export type JsonSchema = Record<string, unknown>;

/** The toolset of search_tools, describe_tool and call_tool: always listed. */
export const DISCOVERY_TOOLSET = 'discovery';

/** A tool as listed, plus its toolset (which the server uses and strips before listing). */
export interface ManifestTool {
  name: string;
  toolset: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations: ToolAnnotations;
  _meta?: { api: string };
  /** The sites that document the tool, when only one does (the server uses it and strips it before listing). */
  sites?: string[];
  /** Plain words search_tools matches (stripped before listing). */
  aliases?: string[];
  /** What most calls do, when some arguments make a call worse than that (stripped before listing). */
  usually?: 'write' | 'read';
}

/** The Tool object clients see. */
export const listed = ({ toolset: _toolset, sites: _sites, aliases: _aliases, usually: _usually, ...tool }: ManifestTool) => tool;

/** Whether the tool is offered on this site. */
export const onSite = (t: Pick<ManifestTool, 'sites'>, site: string) => !t.sites || t.sites.includes(site);

/**
 * Strips what the strictest client validators reject or what only costs tokens: $schema,
 * additionalProperties (the server validates strictly itself), the implicit safe-integer bounds and
 * "not empty" string minimums.
 */
export function portable(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$schema' || k === 'additionalProperties') continue;
      if ((k === 'minimum' && v === Number.MIN_SAFE_INTEGER) || (k === 'maximum' && v === Number.MAX_SAFE_INTEGER)) continue;
      if (k === 'minLength' && v === 1) continue; // "not empty" goes without saying; the server still checks it
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, walk(s)])) : walk(v);
    }
    return out;
  };
  return walk(schema) as JsonSchema;
}
