// The tool list as clients see it, computed from the catalog. The build writes it to dist/manifest.json,
// so a running server never converts schemas.
import { z } from 'zod';
import type { ToolDef } from '../../tools/define.js';
import { CATALOG } from '../../tools/index.js';
import { annotationsOf, metaOf, toolInputSchema, type ToolAnnotations } from './catalog.js';

export type JsonSchema = Record<string, unknown>;

export interface ManifestTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  annotations: ToolAnnotations;
  _meta: Record<string, unknown>;
}

export function manifestEntry(def: ToolDef): ManifestTool {
  return {
    name: def.name,
    description: def.description,
    inputSchema: portable(z.toJSONSchema(toolInputSchema(def), { io: 'input', unrepresentable: 'any' })),
    outputSchema: portable(z.toJSONSchema(def.output, { io: 'output', unrepresentable: 'any' })),
    annotations: annotationsOf(def),
    _meta: metaOf(def),
  };
}

export function computeManifest(catalog: readonly ToolDef[] = CATALOG): ManifestTool[] {
  return catalog.map(manifestEntry);
}

/**
 * Strips what the strictest client validators reject or what only costs tokens: $schema,
 * additionalProperties (the server validates strictly itself) and the implicit safe-integer bounds.
 */
export function portable(schema: JsonSchema): JsonSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$schema' || k === 'additionalProperties') continue;
      if ((k === 'minimum' && v === Number.MIN_SAFE_INTEGER) || (k === 'maximum' && v === Number.MAX_SAFE_INTEGER)) continue;
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, walk(s)])) : walk(v);
    }
    return out;
  };
  return walk(schema) as JsonSchema;
}
