// Scope: the apps and rooms this server may touch (--allow-apps, --allow-rooms), for every way a call can name its
// target. A room is its ID and its kind (numeric 1234 and string "1234" are two rooms). Rooms named in the
// arguments are checked with the kind their field says; a TaskId, CallId, BattleId, CommId or SessionId is first
// resolved to its app and rooms, from the ledger of what this server started, else by a read the API offers.
// A target that cannot be resolved is refused, and so is one that belongs to the whole account, unless the operator
// allows those. Lists are cut down to the rooms in scope.
import type { z } from 'zod';
import type { Placement, TargetRef, ToolDef } from '../../tools/define.js';
import { declaredRoomKind, roomKindIn, type RoomKind } from '../../tools/room-id.js';
import type { Config } from '../config.js';
import { agentSchema, appIdField } from '../server/catalog.js';
import type { Identity } from './identity.js';
import type { Ledger } from './ledger.js';
import { isNumericText, parseRoomPattern, type RoomPattern } from './room-pattern.js';
import { appsScoped, roomsScoped, scopeIsSet } from './scope-set.js';

export { scopeIsSet };

/** An identity's own apps and rooms (from the policy file): a call must be inside both these and the server's. */
export interface PersonScope {
  apps: readonly number[];
  rooms: readonly string[];
}

export type ScopeConfig = Pick<Config, 'allowApps' | 'allowRooms'> & Partial<Pick<Config, 'allowAccountWide'>> & { person?: PersonScope };

/**
 * A room as scope sees it: its ID as text and its kind. TRTC keeps numeric room 1234 and string room "1234" apart;
 * `kind` is absent where the API keys rooms by their text alone (the quality and usage reads), so that the text may
 * name either.
 */
export interface RoomRef {
  id: string;
  kind?: RoomKind;
}

/** A numeric room as a RoomRef; a string is a room of the given kind, or of unknown kind. */
export const room = (id: string | number, kind?: RoomKind): RoomRef => (typeof id === 'number' ? { id: String(id), kind: 'int' } : { id, kind });

const patterns = new WeakMap<readonly string[], RoomPattern[]>();
/** The patterns of a setting; config.ts refused any that does not parse, so none is dropped here but a test's. */
const compiled = (globs: readonly string[]) => {
  let res = patterns.get(globs);
  if (!res) patterns.set(globs, (res = globs.map(parseRoomPattern).filter((p): p is RoomPattern => typeof p !== 'string')));
  return res;
};

const appAllowed = (apps: readonly number[], app: number | undefined) => !apps.length || (app !== undefined && apps.includes(app));
const roomAllowed = (rooms: readonly string[], r: RoomRef) =>
  !rooms.length || compiled(rooms).some((p) => (r.kind ?? p.kind) === p.kind && (p.kind === 'str' || isNumericText(r.id)) && p.re.test(r.id));

/** Whether the server, and the identity that calls, may touch this app. */
export function appInScope(config: ScopeConfig, app: number | undefined): boolean {
  return appAllowed(config.allowApps, app) && appAllowed(config.person?.apps ?? [], app);
}

/**
 * Whether the server, and the identity that calls, may touch this room: a pattern of its kind matches its ID. A room
 * of unknown kind is in scope when a pattern of either kind it could be matches (its text names a numeric room only
 * if it is one's digits).
 */
export function roomInScope(config: ScopeConfig, r: RoomRef): boolean {
  return roomAllowed(config.allowRooms, r) && roomAllowed(config.person?.rooms ?? [], r);
}


/** Is this app, and this room if one is given, in scope? The one test for anything that shows or touches a target. */
export function inScope(config: ScopeConfig, where: { app?: number; room?: RoomRef }): boolean {
  return appInScope(config, where.app) && (where.room === undefined || roomInScope(config, where.room));
}


/**
 * Why this caller may not see or move a job (a task a call started), or undefined when they may: it must be theirs
 * (the identity that started it), and its app and every room it acts in must be in scope. The caller is told only
 * that no such task exists, whichever it is, so that nobody learns whose tasks exist.
 */
export function jobRefusal(config: ScopeConfig, job: { app?: number; rooms: readonly RoomRef[]; owner: { subject: string; via: Identity['via'] } }, by: Identity): string | undefined {
  // The operator is one person however admitted (stdio, the shared token); an OAuth subject is another namespace,
  // so a token whose subject happens to be "operator" is not the operator.
  if (job.owner.subject !== by.subject || (job.owner.via === 'oauth') !== (by.via === 'oauth')) return "another caller's";
  return inScope(config, { app: job.app }) && job.rooms.every((r) => inScope(config, { app: job.app, room: r })) ? undefined : 'outside the scope';
}

/** Member names that hold room IDs: RoomId, StrRoomId, FromRoomId, RoomIds, ToRoomIdList... */
const ROOM_MEMBER = /RoomIds?$|RoomIdList$/;

/**
 * Every room the arguments of a call name, at any depth, each with its kind: StrRoomId and the fields declared as
 * string rooms name string rooms, integer IDs numeric ones, a RoomIdType beside a RoomId says which, and the REST
 * APIs (live, conference and PK rooms) address string rooms. Anything else is of unknown kind.
 */
export function roomsIn(def: ToolDef, params: Record<string, unknown>): RoomRef[] {
  const out: RoomRef[] = [];
  walk(agentSchema(def), params, def.api.kind === 'rest' ? 'str' : undefined, out);
  return out;
}

/** Rooms anywhere in a value no schema describes (the sandbox's records), of unknown kind unless numeric. */
export function roomsInValue(value: unknown): RoomRef[] {
  const out: RoomRef[] = [];
  walk(undefined, value, undefined, out);
  return out;
}

function walk(schema: z.ZodType | undefined, value: unknown, fallback: RoomKind | undefined, out: RoomRef[]): void {
  let def = schema?._zod.def as { type: string; innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; in?: z.ZodType; catchall?: z.ZodType } | undefined;
  while (def?.innerType || (def?.type === 'pipe' && def.in)) {
    schema = def.innerType ?? def.in;
    def = schema!._zod.def as typeof def;
  }
  if (Array.isArray(value)) {
    for (const v of value) walk(def?.type === 'array' ? def.element : undefined, v, fallback, out);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const object = value as Record<string, unknown>;
  const shape = def?.type === 'object' ? def.shape : undefined;
  for (const [k, v] of Object.entries(object)) {
    const field = shape?.[k] ?? def?.catchall;
    if (!ROOM_MEMBER.test(k)) {
      walk(field, v, fallback, out);
      continue;
    }
    const declared = k === 'StrRoomId' ? 'str' : field && declaredRoomKind(field);
    const sibling = k === 'RoomId' && shape?.RoomIdType ? roomKindIn(shape, object) : undefined;
    const kind = declared ?? sibling ?? (shape?.RoomIdType ? undefined : fallback);
    for (const id of Array.isArray(v) ? v : [v]) {
      if (typeof id === 'number') out.push(room(id));
      else if (typeof id === 'string') out.push({ id, kind });
      else if (id && typeof id === 'object') walk(undefined, id, fallback, out);
    }
  }
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
const roomShown = (r: RoomRef) => (r.kind === 'int' ? `room ${r.id}` : r.kind === 'str' ? `string room ${shown(r.id)}` : `room ${shown(r.id)}`);
const NAMES: Record<TargetRef['kind'], string> = {
  task: 'TaskId', call: 'CallId', battle: 'BattleId', comm: 'CommId', 'conversation-session': 'SessionId', 'transcription-session': 'SessionId', bot: 'bot',
};


/**
 * `app` is 'all' for a call about every app under the account (AllApps), 'account' for a target that belongs to the
 * account rather than to an app (a voiceprint): under app scope both need --allow-account-wide, and an identity's
 * own app scope never allows them.
 */
function appRefusal(config: ScopeConfig, app: number | 'all' | 'account' | undefined): string | undefined {
  if (app === 'all' || app === 'account') {
    if (!appsScoped(config) || (config.allowAccountWide && !config.person?.apps.length)) return undefined;
    const only = config.allowApps.length ? `this server may touch only ${config.allowApps.join(', ')}` : `your access policy allows only ${config.person!.apps.join(', ')}`;
    const what = app === 'all' ? 'AllApps reaches every app under the account' : 'This reaches what belongs to the whole account, not to one app';
    const allow = config.allowApps.length && !config.person?.apps.length ? ' The operator can allow it with --allow-account-wide.' : '';
    return `${what}, and ${only}.${app === 'all' ? ' Pass SdkAppId instead.' : ''}${allow}`;
  }
  return appInScope(config, app) ? undefined : `SdkAppId ${app ?? '(none)'} is outside ${appsText(config)}.`;
}

function roomsRefusal(config: ScopeConfig, rooms: readonly RoomRef[]): string | undefined {
  const outside = rooms.filter((r) => !roomInScope(config, r));
  return outside.length ? `${outside.map(roomShown).join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside ${roomsText(config)}.` : undefined;
}

/** Why a call to this app naming these rooms falls outside the scope, or undefined when it is inside. */
export const scopeRefusal = (config: ScopeConfig, app: number | 'all' | 'account' | undefined, rooms: readonly RoomRef[] = []) =>
  appRefusal(config, app) ?? roomsRefusal(config, rooms);

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
export async function checkScope(io: ScopeIO, def: ToolDef, params: Record<string, unknown>, wire: Record<string, unknown>, app: number | 'all' | undefined): Promise<ScopeVerdict> {
  const { config } = io;
  const resolved = { ledger: 0, lookup: 0 };
  if (!scopeIsSet(config)) return { resolved };
  // The app the call names (REST tools always address the configured app) must be in scope. When the SdkAppId is
  // absent or optional on the wire, the service finds a task by its ID alone, so the target's app decides too.
  const field = appIdField(def);
  const named = roomsIn(def, params);
  const direct = (def.ownedByAccount ? appRefusal(config, 'account') : def.api.kind === 'rest' || field || app === 'all' ? appRefusal(config, app) : undefined) ?? roomsRefusal(config, named);
  if (app === 'all') return direct ? { refusal: direct, resolved } : { resolved };
  if (direct) return { refusal: direct, resolved };
  const appFromTarget = def.api.kind === 'cloud' && (!field || def.input.shape[field]?.safeParse(undefined).success === true);
  const picked = def.roomArgument;
  if (picked && roomsScoped(config) && picked.split('.').reduce<any>((v, k) => v?.[k], params) === undefined) {
    return { refusal: `${def.name} without ${picked} lets the service pick the room, which could fall outside ${roomsText(config)}. Pass ${picked}.`, resolved };
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
    if (placedRooms(place).some((r) => !roomInScope(config, r))) return { refusal: `${label} acts in a room outside ${roomsText(config)}.`, resolved };
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
      const kind = def.locates.roomKind?.(response);
      if (rooms) return { app: app!, rooms, ...(kind && { kinds: Object.fromEntries(rooms.map((r) => [r, kind])) }) };
      step = steps.next(response);
    }
  } catch (err) {
    return { why: `this server did not start it, and ${def.name} could not find it: ${(err as Error).message}` };
  }
  return { why: `this server did not start it, and ${def.name} did not find it${ref.kind === 'comm' ? ' in the calls of the StartTime-EndTime window' : ''}` };
}

/** The rooms of a placement with their kinds (an entry written before kinds were kept has rooms of unknown kind). */
export const placedRooms = (place: Placement): RoomRef[] => place.rooms.map((id) => ({ id, kind: place.kinds?.[id] }));

/**
 * The kinds of the rooms a call started something in, as its arguments named them: a text named as one kind only.
 * Kept in the ledger, so that a later call naming the target by ID is checked against the right kind of room.
 */
export function kindsOf(rooms: readonly string[], named: readonly RoomRef[]): Placement['kinds'] {
  const kinds: NonNullable<Placement['kinds']> = {};
  for (const id of rooms) {
    const seen = new Set(named.filter((r) => r.id === id).map((r) => r.kind));
    const [only] = seen;
    if (seen.size === 1 && only) kinds[id] = only;
  }
  return Object.keys(kinds).length ? kinds : undefined;
}

/** Keeps the rows of an answer that belong to rooms in scope; says how many were left out. */
export function filterRows(config: ScopeConfig, def: ToolDef, response: Record<string, any>): { response: Record<string, any>; leftOut: number } {
  if (!roomsScoped(config) || !def.roomRows) return { response, leftOut: 0 };
  return def.roomRows.filter(response, (id, kind) => roomInScope(config, { id, kind }));
}

export const leftOutNote = (config: ScopeConfig, leftOut: number) =>
  `Scope: ${leftOut} ${leftOut === 1 ? 'row' : 'rows'} of rooms outside ${roomsText(config)} ${leftOut === 1 ? 'was' : 'were'} left out.`;
