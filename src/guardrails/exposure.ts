// Which tools, and which data, the server offers at all: toolsets, the deny list, read-only mode and the site. A
// denial covers every surface that reaches the same data (direct calls, call_tool, resources, subscriptions,
// prompts, both eras). Which targets the server may touch is scope.ts.
import { SITE_NAMES, TOOLSETS, type Effect, type Site } from '../../tools/define.js';
import { ConfigError, type Config } from '../config.js';
import { DISCOVERY_TOOLSET, onSite, type ManifestTool } from '../server/tool-list.js';
import { grantLists, type AccessConfig } from './access.js';

/** A listed tool's effect at worst, from its annotations. */
export const effectOfTool = (t: Pick<ManifestTool, 'annotations'>): Effect =>
  t.annotations.readOnlyHint ? 'read' : t.annotations.destructiveHint ? 'destructive' : 'write';
/** What most calls of a tool do: an identity allowed that much sees it listed, and is refused the worse calls by their arguments. */
export const usualEffect = (t: Pick<ManifestTool, 'annotations' | 'usually'>): Effect => t.usually ?? effectOfTool(t);

/** Why a tool is not offered on this site, or undefined when it is. */
export function offSite(t: Pick<ManifestTool, 'name' | 'sites'>, site: Site): string | undefined {
  if (onSite(t, site)) return undefined;
  const theirs = t.sites![0] as Site;
  return `${t.name} is documented for ${SITE_NAMES[theirs]} only, and this server works with ${SITE_NAMES[site]}. Start it with --site ${theirs} to use it.`;
}

/**
 * The tools to list: the chosen toolsets plus named tools, minus the deny list, only reads in read-only mode, and
 * only what the configured site offers.
 */
export function selectTools(all: readonly ManifestTool[], config: Pick<AccessConfig, 'toolsets' | 'tools' | 'denyTools' | 'readOnly' | 'site' | 'grant'>): ManifestTool[] {
  const names = new Set(all.map((t) => t.name));
  const unknownSets = config.toolsets.filter((s) => s !== 'all' && !(TOOLSETS as readonly string[]).includes(s));
  if (unknownSets.length) throw new ConfigError(`Invalid setting --toolsets: unknown ${unknownSets.join(', ')}; choose from all, ${TOOLSETS.join(', ')}.`);
  for (const [flag, list] of [['--tools', config.tools], ['--deny-tools', config.denyTools]] as const) {
    const unknown = list.filter((n) => !names.has(n));
    if (unknown.length) throw new ConfigError(`Invalid setting ${flag}: no tool named ${unknown.join(', ')}.`);
  }
  const elsewhere = config.tools.flatMap((n) => offSite(all.find((t) => t.name === n)!, config.site) ?? []);
  if (elsewhere.length) throw new ConfigError(`Invalid setting --tools: ${elsewhere.join(' ')}`);
  const all_ = config.toolsets.includes('all');
  const listed = all.filter(
    (t) =>
      onSite(t, config.site) &&
      (all_ || t.toolset === DISCOVERY_TOOLSET || config.toolsets.includes(t.toolset) || config.tools.includes(t.name)) &&
      !config.denyTools.includes(t.name) &&
      (!config.readOnly || t.annotations.readOnlyHint || t.toolset === DISCOVERY_TOOLSET) &&
      (t.toolset === DISCOVERY_TOOLSET || grantLists(config, usualEffect(t))),
  );
  // In read-only mode, or for an identity allowed only reads, call_tool can reach read tools only, so it is read-only too.
  return config.readOnly || config.grant?.max === 'read'
    ? listed.map((t) => (t.annotations.readOnlyHint ? t : { ...t, annotations: { ...t.annotations, readOnlyHint: true, destructiveHint: false } }))
    : listed;
}

/** Why the server's mode refuses a tool on every path, whichever way it is named: the deny list, then read-only mode. */
export function modeRefusal(config: Pick<AccessConfig, 'readOnly' | 'denyTools' | 'person' | 'grant'>, tool: { name: string; effect: Effect }): { outcome: string; why: string } | undefined {
  if (config.denyTools.includes(tool.name)) {
    return { outcome: 'refused:denied', why: `${tool.name} is on ${config.person || config.grant ? 'the deny list of this server or of your access policy' : "this server's deny list"}.` };
  }
  if (config.readOnly && tool.effect !== 'read') return { outcome: 'refused:read-only', why: `${tool.name} changes state, and this server runs read-only (--read-only).` };
  return undefined;
}

/**
 * The tools that read TRTC's events (the event log): the event resources and their subscriptions show the same data,
 * so they are offered only while every one of these tools may be called.
 */
export const EVENT_TOOLS = ['list_events', 'wait_for_events'] as const;

/** Whether the event log may be read through any surface: a denial of either event tool closes them all. */
export const eventsOffered = (config: Pick<Config, 'denyTools'>) => !EVENT_TOOLS.some((t) => config.denyTools.includes(t));
