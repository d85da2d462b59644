// Scope: the apps and rooms this server may touch (--allow-apps, --allow-rooms), for every way a call can name its
// target. Rooms named in the arguments are checked as they are; a TaskId, CallId, BattleId, CommId or SessionId is
// first resolved to its app and rooms, from the ledger of what this server started, else by a read the API offers.
// A target that cannot be resolved is refused. Lists are cut down to the rooms in scope.
import type { Placement, TargetRef, ToolDef } from '../../tools/define.js';
import type { Config } from '../config.js';
import { appIdField } from '../server/catalog.js';
import type { Ledger } from './ledger.js';

/** An identity's own apps and rooms (from the policy file): a call must be inside both these and the server's. */
export interface PersonScope {
  apps: readonly number[];
  rooms: readonly string[];
}

export type ScopeConfig = Pick<Config, 'allowApps' | 'allowRooms'> & { person?: PersonScope };

const globToRegExp = (glob: string) => new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
const patterns = new WeakMap<readonly string[], RegExp[]>();
const compiled = (globs: readonly string[]) => {
  let res = patterns.get(globs);
  if (!res) patterns.set(globs, (res = globs.map(globToRegExp)));
  return res;
};

const appAllowed = (apps: readonly number[], app: number | undefined) => !apps.length || (app !== undefined && apps.includes(app));
const roomAllowed = (rooms: readonly string[], room: string | number) => !rooms.length || compiled(rooms).some((p) => p.test(String(room)));

/** Whether the server, and the identity that calls, may touch this app. */
export function appInScope(config: ScopeConfig, app: number | undefined): boolean {
  return appAllowed(config.allowApps, app) && appAllowed(config.person?.apps ?? [], app);
}

/** Whether the server, and the identity that calls, may touch this room (a numeric room ID is matched as its decimal text). */
export function roomInScope(config: ScopeConfig, room: string | number): boolean {
  return roomAllowed(config.allowRooms, room) && roomAllowed(config.person?.rooms ?? [], room);
}

/** Whether any room scope applies (the server's or the identity's). */
const roomsScoped = (config: ScopeConfig) => config.allowRooms.length > 0 || (config.person?.rooms.length ?? 0) > 0;
const appsScoped = (config: ScopeConfig) => config.allowApps.length > 0 || (config.person?.apps.length ?? 0) > 0;

/** Is this app, and this room if one is given, in scope? The one test for anything that shows or touches a target. */
export function inScope(config: ScopeConfig, where: { app?: number; room?: string | number }): boolean {
  return appInScope(config, where.app) && (where.room === undefined || roomInScope(config, where.room));
}

export const scopeIsSet = (config: ScopeConfig) => appsScoped(config) || roomsScoped(config);

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

/** An agent-chosen ID as refusals show it: quoted, and shortened when long. */
const shown = (id: string) => JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
/** The limits that apply, in words: the server's, the identity's, or both. */
const limitsText = (kind: 'apps' | 'rooms', server: readonly unknown[], person: readonly unknown[] | undefined) =>
  [server.length && `the ${kind} this server may touch (${server.join(', ')})`, person?.length && `the ${kind} your access policy allows (${person.join(', ')})`]
    .filter(Boolean)
    .join(' and ');
const appsText = (config: ScopeConfig) => limitsText('apps', config.allowApps, config.person?.apps);
const roomsText = (config: ScopeConfig) => limitsText('rooms', config.allowRooms, config.person?.rooms);
const NAMES: Record<TargetRef['kind'], string> = {
  task: 'TaskId', call: 'CallId', battle: 'BattleId', comm: 'CommId', 'conversation-session': 'SessionId', 'transcription-session': 'SessionId', bot: 'bot',
};


/** `app` is 'all' for a call about every app under the account (AllApps). */
function appRefusal(config: ScopeConfig, app: number | 'all' | undefined): string | undefined {
  if (app === 'all') {
    if (!appsScoped(config)) return undefined;
    const only = config.allowApps.length ? `this server may touch only ${config.allowApps.join(', ')}` : `your access policy allows only ${config.person!.apps.join(', ')}`;
    return `AllApps reaches every app under the account, and ${only}. Pass SdkAppId instead.`;
  }
  return appInScope(config, app) ? undefined : `SdkAppId ${app ?? '(none)'} is outside ${appsText(config)}.`;
}

function roomsRefusal(config: ScopeConfig, args: Record<string, unknown>): string | undefined {
  const outside = roomIdsIn(args).filter((id) => !roomInScope(config, id));
  return outside.length ? `room ${outside.map(shown).join(', ')} is outside ${roomsText(config)}.` : undefined;
}

/** Why a call to this app naming these rooms in its arguments falls outside the scope, or undefined when it is inside. */
export const scopeRefusal = (config: ScopeConfig, app: number | 'all' | undefined, args: Record<string, unknown>) => appRefusal(config, app) ?? roomsRefusal(config, args);

/** Reads the API to find where a target lives: one request of a locating tool. Absent when nothing may be sent (dry run). */
export type Lookup = (def: ToolDef, args: Record<string, unknown>, app: number | undefined) => Promise<Record<string, any>>;

export interface ScopeIO {
  config: ScopeConfig;
  ledger: Ledger;
  /** Every catalog entry, to find the read that locates a kind of target. */
  catalog: Iterable<ToolDef>;
  lookup?: Lookup;
}

export interface ScopeVerdict {
  /** Why the call is refused. */
  refusal?: string;
  /** The app the call's targets belong to, when they resolved to one. */
  app?: number;
  /** Targets resolved by the ledger and by lookups (for the log). */
  resolved: { ledger: number; lookup: number };
}

/**
 * Checks a call against the scope: its app, the rooms its arguments name, and the app and rooms of every target it
 * names by ID. `app` is the app the call addresses (undefined for a Cloud API tool that takes none).
 */
export async function checkScope(io: ScopeIO, def: ToolDef, params: Record<string, unknown>, wire: Record<string, unknown>, app: number | undefined): Promise<ScopeVerdict> {
  const { config } = io;
  const resolved = { ledger: 0, lookup: 0 };
  if (!scopeIsSet(config)) return { resolved };
  // The app the call names (REST tools always address the configured app) must be in scope. When the SdkAppId is
  // absent or optional on the wire, the service finds a task by its ID alone, so the target's app decides too.
  const field = appIdField(def);
  const direct = (def.api.kind === 'rest' || field ? appRefusal(config, app) : undefined) ?? roomsRefusal(config, params);
  if (direct) return { refusal: direct, resolved };
  const appFromTarget = def.api.kind === 'cloud' && (!field || def.input.shape[field]?.safeParse(undefined).success === true);
  const named = def.roomArgument;
  if (named && roomsScoped(config) && named.split('.').reduce<any>((v, k) => v?.[k], params) === undefined) {
    return { refusal: `${def.name} without ${named} lets the service pick the room, which could fall outside ${roomsText(config)}. Pass ${named}.`, resolved };
  }

  let targetApp: number | undefined;
  for (const ref of def.targets?.(params) ?? []) {
    // Without room scope, a target only matters for its app, and only when the call does not name the app itself.
    if (!roomsScoped(config) && !appFromTarget) continue;
    let place: Placement | undefined = await io.ledger.find(ref, app);
    if (place) resolved.ledger++;
    let why = 'this server did not start it';
    if (!place) {
      const found = await locate(io, ref, app, wire);
      if ('rooms' in found) {
        place = found;
        resolved.lookup++;
        await io.ledger.put(ref, app, place);
      } else why = found.why;
    }
    const label = `${NAMES[ref.kind]} ${shown(ref.id)}`;
    if (!place) {
      return {
        refusal:
          `this server cannot tell which app and room ${label} belongs to (${why}), and it may only touch ` +
          `${[appsText(config), roomsText(config)].filter(Boolean).join(' and ')}. ` +
          'Use a target this server started, or ask the operator to widen --allow-apps/--allow-rooms.',
        resolved,
      };
    }
    // Refusals do not name the app or room outside the scope: the agent learns only that it is outside.
    if (!appInScope(config, place.app)) return { refusal: `${label} belongs to an app outside ${appsText(config)}.`, resolved };
    if (!appFromTarget && app !== undefined && place.app !== app) return { refusal: `${label} belongs to app ${place.app}, not to SdkAppId ${app}.`, resolved };
    if (place.rooms.some((room) => !roomInScope(config, room))) return { refusal: `${label} acts in a room outside ${roomsText(config)}.`, resolved };
    targetApp = place.app;
  }
  return { app: targetApp, resolved };
}

/** Asks the API where a target lives, through the read that locates its kind. */
async function locate(io: ScopeIO, ref: TargetRef, app: number | undefined, wire: Record<string, unknown>): Promise<Placement | { why: string }> {
  const def = [...io.catalog].find((d) => d.locates?.kind === ref.kind);
  if (!def?.locates) return { why: 'this server did not start it, and the API offers no lookup for it' };
  if (!io.lookup) return { why: 'this server did not start it, and a dry run sends no lookup' };
  const steps = def.locates.requests(ref.id, { app, wire });
  try {
    for (let step = steps.next(); !step.done; ) {
      const response = await io.lookup(def, step.value, app);
      const rooms = def.locates.rooms(response, ref.id);
      if (rooms) return { app: app!, rooms };
      step = steps.next(response);
    }
  } catch (err) {
    return { why: `this server did not start it, and ${def.name} could not find it: ${(err as Error).message}` };
  }
  return { why: `this server did not start it, and ${def.name} did not find it${ref.kind === 'comm' ? ' in the calls of the StartTime-EndTime window' : ''}` };
}

/** Keeps the rows of an answer that belong to rooms in scope; says how many were left out. */
export function filterRows(config: ScopeConfig, def: ToolDef, response: Record<string, any>): { response: Record<string, any>; leftOut: number } {
  if (!roomsScoped(config) || !def.roomRows) return { response, leftOut: 0 };
  return def.roomRows.filter(response, (room) => roomInScope(config, room));
}

export const leftOutNote = (config: ScopeConfig, leftOut: number) =>
  `Scope: ${leftOut} ${leftOut === 1 ? 'row' : 'rows'} of rooms outside ${roomsText(config)} ${leftOut === 1 ? 'was' : 'were'} left out.`;
