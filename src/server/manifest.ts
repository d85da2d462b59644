// The tool list as clients see it, computed from the catalog. The build writes it to dist/manifest.json,
// so a running server never converts schemas.
import { z } from 'zod';
import type { ToolDef } from '../../tools/define.js';
import { CATALOG } from '../../tools/index.js';
import { annotationsOf, metaOf, toolInputSchema, type ToolAnnotations } from './catalog.js';
import { DISCOVERY_TOOLSET, discoveryDefs, discoveryInputs } from './discovery.js';

export type JsonSchema = Record<string, unknown>;

/** A tool as listed, plus its toolset (which the server uses and strips before listing). */
export interface ManifestTool {
  name: string;
  toolset: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations: ToolAnnotations;
  _meta?: { api: string };
}

/** The Tool object clients see. */
export const listed = ({ toolset: _toolset, ...tool }: ManifestTool) => tool;

export function manifestEntry(def: ToolDef): ManifestTool {
  return {
    name: def.name,
    toolset: def.toolset,
    description: def.description,
    inputSchema: jsonSchema(toolInputSchema(def), 'input'),
    outputSchema: jsonSchema(def.output, 'output'),
    annotations: annotationsOf(def),
    _meta: metaOf(def),
  };
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => portable(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));

/** The discovery tools first (they are always listed), then the catalog. */
export function computeManifest(catalog: readonly ToolDef[] = CATALOG): ManifestTool[] {
  const discovery = (Object.keys(discoveryInputs) as Array<keyof typeof discoveryInputs>).map((name): ManifestTool => {
    const def = discoveryDefs[name];
    return {
      name,
      toolset: DISCOVERY_TOOLSET,
      description: def.description,
      inputSchema: jsonSchema(discoveryInputs[name], 'input'),
      ...('output' in def ? { outputSchema: jsonSchema(def.output, 'output') } : {}),
      annotations: { ...def.annotations },
    };
  });
  return [...discovery, ...catalog.map(manifestEntry)];
}

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
