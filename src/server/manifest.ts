// The tool list as clients see it, computed from the catalog. The build writes it to dist/manifest.json,
// so a running server never converts schemas.
import { z } from 'zod';
import type { ToolDef } from '../../tools/define.js';
import { CATALOG } from '../../tools/index.js';
import { annotationsOf, metaOf, toolInputSchema } from './catalog.js';
import { DISCOVERY_TOOLSET, discoveryDefs, discoveryInputs } from './discovery.js';
import { EVENT_ANNOTATIONS, eventDefs, eventInputs, EVENTS_TOOLSET } from '../events/tools.js';
import { toolOutputSchema } from './output.js';
import { portable, type ManifestTool } from './tool-list.js';

export type { JsonSchema, ManifestTool } from './tool-list.js';

export function manifestEntry(def: ToolDef): ManifestTool {
  return {
    name: def.name,
    toolset: def.toolset,
    description: def.description,
    inputSchema: jsonSchema(toolInputSchema(def), 'input'),
    outputSchema: jsonSchema(toolOutputSchema(def), 'output'),
    annotations: annotationsOf(def),
    _meta: metaOf(def),
    ...(def.api.kind === 'cloud' && def.api.sites && { sites: [...def.api.sites] }),
    ...(def.aliases && { aliases: [...def.aliases] }),
    ...(def.effectOf && def.effectOf.otherwise !== def.effect && { usually: def.effectOf.otherwise as 'write' | 'read' }),
  };
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => portable(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));

/** The discovery tools first (they are always listed), then the catalog, then the event tools (they call no API). */
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
  const events = (Object.keys(eventInputs) as Array<keyof typeof eventInputs>).map((name): ManifestTool => ({
    name,
    toolset: EVENTS_TOOLSET,
    description: eventDefs[name].description,
    inputSchema: jsonSchema(eventInputs[name], 'input'),
    outputSchema: jsonSchema(eventDefs[name].output, 'output'),
    annotations: { ...EVENT_ANNOTATIONS },
    aliases: [...eventDefs[name].aliases],
  }));
  return [...discovery, ...catalog.map(manifestEntry), ...events];
}

