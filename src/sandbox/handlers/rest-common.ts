// What REST command handlers receive, and the behaviour that live and conference rooms share.
import type { AppRest, EngineRoom, EngineRoomType, RestState } from '../rest-state.js';
import type { App, World } from '../world.js';
import { SandboxError } from './types.js';

export interface RestContext {
  world: World;
  app: App;
  rest: RestState;
  state: AppRest;
  /** The admin account that signed the request. */
  admin: string;
  /** Parameters already checked against the catalog's wire schema. */
  params: Record<string, any>;
}

/** Returns the body members besides the envelope: usually `{ Response: {...} }`, `{}` when there is no data. */
export type RestHandler = (ctx: RestContext) => Record<string, unknown>;

/** The room-engine product codes (live, seat, pk and conference commands). */
export const ROOM = { invalid: '100002', exists: '100003', noRoom: '100004', notMember: '100005', denied: '100006' } as const;

/** The sandbox's package: how many seats a room may have and how many members by default. */
export const PACKAGE = { maxSeats: 16, maxMembers: 1000 } as const;

export const invalid = (message: string) => new SandboxError(ROOM.invalid, message);

/** The engine room with this ID, of the given type when one is named. */
export function engineRoom({ state }: RestContext, id: string, type?: EngineRoomType): EngineRoom {
  const room = state.rooms.get(id);
  if (!room) throw new SandboxError(ROOM.noRoom, `Room ${id} does not exist or has been destroyed.`);
  if (type && room.type !== type) throw new SandboxError(ROOM.denied, `Room ${id} is a ${room.type} room; this command serves ${type} rooms.`);
  return room;
}

export const nowS = (ctx: RestContext) => Math.floor(ctx.world.now() / 1000);

/** Reads an offset cursor ("" or absent is the start), answering a bad one with the invalid-parameter code. */
export function cursor(next: string | undefined): number {
  if (!next) return 0;
  if (!/^\d+$/.test(next)) throw invalid(`Next ${JSON.stringify(next)} is not a cursor this room returned.`);
  return Number(next);
}

/** One page of items and the cursor of the next, "" on the last page. */
export function page<T>(items: readonly T[], from: number, size: number): { items: T[]; next: string } {
  return { items: items.slice(from, from + size), next: from + size < items.length ? String(from + size) : '' };
}

/** update_room_info of either room type: the given settings replace the old ones, the rest stay. */
export const updateInfo = (type: EngineRoomType): RestHandler => (ctx) => {
  const { RoomId, ...changes } = ctx.params.RoomInfo as Record<string, unknown>;
  Object.assign(engineRoom(ctx, RoomId as string, type).info, changes);
  return {};
};

export function createRoom(ctx: RestContext, type: EngineRoomType, id: string, owner: string, info: Record<string, any>, seats: number): EngineRoom {
  const { state, world, rest, app } = ctx;
  const now = world.now();
  const last = state.lastCreated.get(id);
  if (last !== undefined && now - last < 1000) throw new SandboxError('100012', `Room ${id} was created less than a second ago.`);
  const room: EngineRoom = {
    type, id, owner, createdAt: now, info,
    seats: Array.from({ length: seats }, () => ({ locked: false, videoOff: false, audioOff: false })),
    admins: new Set(), bans: new Map(), mutes: new Map(), metadata: new Map(), robots: new Set(), details: new Map(),
    viewers: new Set(rest.members(app, id)),
    messages: 0,
    invitees: [],
  };
  state.rooms.set(id, room);
  state.lastCreated.set(id, now);
  return room;
}

/** Destroying a room ends its battles and empties its TRTC room. */
export function destroyRoom(ctx: RestContext, room: EngineRoom): void {
  const { state, rest, world, app } = ctx;
  for (const b of state.battles.values()) {
    if (rest.battleActive(b) && (b.fromRoom === room.id || b.toRooms.includes(room.id))) b.endedAt = world.now();
  }
  const trtc = rest.trtcRoom(app, room.id);
  if (trtc) world.dismiss(app, trtc);
  state.rooms.delete(room.id);
}

export function ban(ctx: RestContext, room: EngineRoom, users: readonly string[], seconds: number): void {
  const until = ctx.world.now() + seconds * 1000;
  for (const u of users) room.bans.set(u, until);
  ctx.rest.remove(ctx.app, room.id, users);
}

export function unban(room: EngineRoom, users: readonly string[]): void {
  for (const u of users) room.bans.delete(u);
}

/** Entries still in force, with their end in Unix seconds. */
export function inForce(ctx: RestContext, map: Map<string, number>, untilField: string): Array<Record<string, unknown>> {
  const now = ctx.world.now();
  return [...map].filter(([, until]) => until > now).map(([user, until]) => ({ Member_Account: user, [untilField]: Math.floor(until / 1000) }));
}

export function bannedPage(ctx: RestContext, room: EngineRoom): Record<string, unknown> {
  const { Offset = 0, Limit = 100 } = ctx.params;
  const all = inForce(ctx, room.bans, 'BannedUntil');
  const more = Offset + Limit < all.length;
  return { Response: { BannedAccountList: all.slice(Offset, Offset + Limit), NextOffset: more ? Offset + Limit : 0 } };
}

export function addRobots(ctx: RestContext, room: EngineRoom, robots: readonly string[]): void {
  for (const r of robots) {
    room.robots.add(r);
    ctx.world.join(ctx.app, 'str', room.id, r);
  }
}

export function removeRobots(ctx: RestContext, room: EngineRoom, robots: readonly string[]): void {
  for (const r of robots) room.robots.delete(r);
  ctx.rest.remove(ctx.app, room.id, robots);
}

/** Users of the list who are not in the room now. */
export function absent(ctx: RestContext, room: EngineRoom, users: readonly string[]): string[] {
  const present = new Set(ctx.rest.members(ctx.app, room.id));
  return users.filter((u) => !present.has(u));
}

export function requireMembers(ctx: RestContext, room: EngineRoom, users: readonly string[]): void {
  const missing = absent(ctx, room, users);
  if (missing.length) throw new SandboxError(ROOM.notMember, `Not in room ${room.id}: ${missing.join(', ')}.`);
}
