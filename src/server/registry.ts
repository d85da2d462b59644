// Lazy access to the catalog and the tool list, so that start-up loads neither zod schemas nor converters.
import { readFileSync } from 'node:fs';
import type { ToolDef } from '../../tools/define.js';
import type { ManifestTool } from './tool-list.js';

let manifest: Promise<ManifestTool[]> | undefined;
let catalog: Promise<ReadonlyMap<string, ToolDef>> | undefined;

/** The prebuilt tool list next to the bundle, or (when running from source) one computed now. */
export function loadManifest(): Promise<ManifestTool[]> {
  return (manifest ??= (async () => {
    try {
      return JSON.parse(readFileSync(new URL('./manifest.json', import.meta.url), 'utf8')) as ManifestTool[];
    } catch {
      return (await import('./manifest.js')).computeManifest();
    }
  })());
}

export function loadCatalog(): Promise<ReadonlyMap<string, ToolDef>> {
  return (catalog ??= import('../../tools/index.js').then((m) => new Map(m.CATALOG.map((d) => [d.name, d]))));
}
