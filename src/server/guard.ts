// Which tools are exposed. Which targets the server may touch is scope.ts.
import { TOOLSETS } from '../../tools/define.js';
import { ConfigError, type Config } from '../config.js';
import { DISCOVERY_TOOLSET } from './discovery.js';
import type { ManifestTool } from './tool-list.js';

/** The tools to list: the chosen toolsets plus named tools, minus the deny list, and only reads in read-only mode. */
export function selectTools(all: readonly ManifestTool[], config: Pick<Config, 'toolsets' | 'tools' | 'denyTools' | 'readOnly'>): ManifestTool[] {
  const names = new Set(all.map((t) => t.name));
  const unknownSets = config.toolsets.filter((s) => s !== 'all' && !(TOOLSETS as readonly string[]).includes(s));
  if (unknownSets.length) throw new ConfigError(`Invalid setting --toolsets: unknown ${unknownSets.join(', ')}; choose from all, ${TOOLSETS.join(', ')}.`);
  for (const [flag, list] of [['--tools', config.tools], ['--deny-tools', config.denyTools]] as const) {
    const unknown = list.filter((n) => !names.has(n));
    if (unknown.length) throw new ConfigError(`Invalid setting ${flag}: no tool named ${unknown.join(', ')}.`);
  }
  const all_ = config.toolsets.includes('all');
  const listed = all.filter(
    (t) =>
      (all_ || t.toolset === DISCOVERY_TOOLSET || config.toolsets.includes(t.toolset) || config.tools.includes(t.name)) &&
      !config.denyTools.includes(t.name) &&
      (!config.readOnly || t.annotations.readOnlyHint || t.toolset === DISCOVERY_TOOLSET),
  );
  // In read-only mode call_tool can reach read tools only, so it is read-only too.
  return config.readOnly
    ? listed.map((t) => (t.annotations.readOnlyHint ? t : { ...t, annotations: { ...t.annotations, readOnlyHint: true, destructiveHint: false } }))
    : listed;
}
