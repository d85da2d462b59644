// Which tools are exposed, and which targets the server may touch. Checked before anything is sent.
import { SITE_NAMES, TOOLSETS, type Site } from '../../tools/define.js';
import { ConfigError, type Config } from '../config.js';
import { DISCOVERY_TOOLSET } from './discovery.js';
import { onSite, type ManifestTool } from './tool-list.js';

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
export function selectTools(all: readonly ManifestTool[], config: Pick<Config, 'toolsets' | 'tools' | 'denyTools' | 'readOnly' | 'site'>): ManifestTool[] {
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
      (!config.readOnly || t.annotations.readOnlyHint || t.toolset === DISCOVERY_TOOLSET),
  );
  // In read-only mode call_tool can reach read tools only, so it is read-only too.
  return config.readOnly
    ? listed.map((t) => (t.annotations.readOnlyHint ? t : { ...t, annotations: { ...t.annotations, readOnlyHint: true, destructiveHint: false } }))
    : listed;
}

/** Room IDs anywhere in the arguments: every member named like RoomId, StrRoomId, FromRoomId, RoomIds or ToRoomIdList. */
export function roomIdsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) roomIdsIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/RoomIds?$|RoomIdList$/.test(k)) {
        for (const id of Array.isArray(v) ? v : [v]) if (typeof id === 'string' || typeof id === 'number') out.push(String(id));
      } else roomIdsIn(v, out);
    }
  }
  return out;
}

const globToRegExp = (glob: string) => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** Why the call falls outside the configured scope, or undefined when it is inside. `app` is 'all' for every app under the account. */
export function scopeRefusal(config: Pick<Config, 'allowApps' | 'allowRooms'>, app: number | 'all' | undefined, args: Record<string, unknown>): string | undefined {
  if (app === 'all' && config.allowApps.length) {
    return `AllApps reaches every app under the account, and this server may touch only ${config.allowApps.join(', ')}. Pass SdkAppId instead.`;
  }
  if (config.allowApps.length && app !== 'all' && (app === undefined || !config.allowApps.includes(app))) {
    return `SdkAppId ${app ?? '(none)'} is outside the apps this server may touch (${config.allowApps.join(', ')}).`;
  }
  if (config.allowRooms.length) {
    const patterns = config.allowRooms.map(globToRegExp);
    const outside = roomIdsIn(args).filter((id) => !patterns.some((p) => p.test(id)));
    if (outside.length) return `room ${outside.join(', ')} is outside the rooms this server may touch (${config.allowRooms.join(', ')}).`;
  }
  return undefined;
}
