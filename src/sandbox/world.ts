// The sandbox's state: apps, rooms (numeric and string IDs are separate namespaces) and their users,
// plus a history of what happened, from which monitoring answers are derived.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PLAIN_IDS } from '../../tools/fields.js';
import { MAX_NUMERIC_ROOM } from '../../tools/room-id.js';
import { ConfigError } from '../config.js';
import { describeIssues, readAt } from '../validation.js';
import { Registry } from './registry.js';
import { TaskBook } from './tasks.js';

export type RoomKind = 'int' | 'str';
/** SetUserBlocked's IsMute: 0 allowed, 1 audio+video blocked, 2 audio blocked, 3 video blocked. */
export type BlockMode = 0 | 1 | 2 | 3;
/** A user's role in a room, as TRTC's callbacks number it: 20 anchor (sends media), 21 audience. */
export type Role = 20 | 21;

export interface RoomUser {
  userId: string;
  joinedAt: number;
  block: BlockMode;
  role: Role;
}

export interface Room {
  kind: RoomKind;
  id: number | string;
  createdAt: number;
  closedAt?: number;
  users: Map<string, RoomUser>;
}

/** What happened in a room. `role` is a role switch and `speech` a sentence a user said (bots in the room hear it). */
export type RoomEventType = 'create' | 'join' | 'leave' | 'kicked' | 'blocked' | 'role' | 'speech' | 'dismissed' | 'closed';
export interface RoomEvent {
  time: number;
  kind: RoomKind;
  roomId: number | string;
  type: RoomEventType;
  userId?: string;
  detail?: Record<string, unknown>;
}

/** How good a user's connection is in monitoring answers; users without a seed get one hashed from their ID. */
export type QualityLevel = 'good' | 'poor';

export interface App {
  sdkAppId: number;
  /** SDK secret key: UserSigs for this app are signed with it. */
  sdkSecretKey: string;
  rooms: Map<string, Room>;
  closedRooms: Room[];
  events: RoomEvent[];
  /** Seeded call quality per user ID. */
  quality: Map<string, QualityLevel>;
  /** Lines users say once a bot that hears them starts in their room, by room key. */
  scripts: Map<string, ScriptLine[]>;
  /** What the seed says each room is there to try, by room key. */
  notes: Map<string, string>;
}

/** A live room the seed asks for; the REST state creates it (src/sandbox/handlers/live.ts). */
export interface LiveSeed {
  app: App;
  roomId: string;
  host: string;
  name?: string;
}

export interface ScriptLine {
  userId: string;
  says: string;
  afterSeconds: number;
}

const SeedUser = z.union([
  z.string().min(1),
  z.object({
    userId: z.string().min(1),
    block: z.literal([0, 1, 2, 3]).optional(),
    /** poor: a weak uplink (a mobile network): packet loss, latency and stutter in every quality answer. */
    quality: z.enum(['good', 'poor']).optional(),
    /** The user joined this long before the world started, so monitoring has history to show. */
    joinedSecondsAgo: z.int().min(0).optional(),
  }),
]);
export const WorldSeedSchema = z.object({
  apps: z.array(
    z.object({
      sdkAppId: z.int().min(1),
      sdkSecretKey: z.string().min(1).optional(),
      rooms: z.array(z.object({
        roomId: z.union([z.int().min(1), z.string().min(1)]),
        /** What the room is there to try, shown with the world. */
        about: z.string().optional(),
        users: z.array(SeedUser).default([]),
        /** What users say once an AI conversation or transcription bot that hears them starts in the room. */
        /** afterSeconds 0 (the default): the line is heard as the bot starts. */
        script: z.array(z.object({ userId: z.string().min(1), says: z.string().min(1), afterSeconds: z.number().min(0).max(3600).default(0) })).default([]),
        /** A TUILiveKit live room (string IDs only): its first user is the host on seat 0, the others watch as audience. */
        live: z.object({ name: z.string().min(1).optional() }).optional(),
      }).refine((r) => !r.live || (typeof r.roomId === 'string' && r.users.length > 0), { message: 'a live room needs a string roomId and a host among its users', path: ['live'] })).default([]),
    }),
  ).min(1),
});
export type WorldSeed = z.input<typeof WorldSeedSchema>;

/**
 * A world as an operator writes it: the seed's shape, with apps, rooms and users held to the rules the server holds
 * IDs to elsewhere (tests seed hostile IDs in code on purpose, to try how answers show them).
 */
const WorldFileSchema = WorldSeedSchema.superRefine((world, ctx) => {
  const check = (ok: boolean, rule: string, path: Array<string | number>) => ok || ctx.addIssue({ code: 'custom', message: rule, path });
  world.apps.forEach((app, a) => {
    check(app.sdkAppId < 2 ** 32, 'must be an SdkAppId: a whole number from 1 to 4294967295', ['apps', a, 'sdkAppId']);
    app.rooms.forEach((room, r) => {
      const at = ['apps', a, 'rooms', r];
      if (typeof room.roomId === 'number') check(room.roomId <= MAX_NUMERIC_ROOM, PLAIN_IDS.room.rule, [...at, 'roomId']);
      else check(PLAIN_IDS.room.test(room.roomId), PLAIN_IDS.room.rule, [...at, 'roomId']);
      room.users.forEach((u, i) => check(PLAIN_IDS.user.test(typeof u === 'string' ? u : u.userId), PLAIN_IDS.user.rule, [...at, 'users', i, ...(typeof u === 'string' ? [] : ['userId'])]));
      room.script.forEach((line, i) => check(PLAIN_IDS.user.test(line.userId), PLAIN_IDS.user.rule, [...at, 'script', i, 'userId']));
    });
  });
});

/** Reads a world file (--sandbox-world, or the standalone sandbox's --world), refusing what breaks a rule, by field. */
export function readWorldFile(path: string, setting: string): WorldSeed {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Invalid setting ${setting}: cannot read ${path} as JSON (${(err as Error).message}).`);
  }
  const parsed = WorldFileSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const value = readAt(doc, issue.path);
      const got = typeof value === 'string' ? ` (got ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)})` : typeof value === 'number' ? ` (got ${value})` : '';
      return `${describeIssues([issue], doc).join('; ')}${got}`;
    });
    throw new ConfigError(`Invalid setting ${setting}: ${path} is not a sandbox world: ${problems.join('; ')}.`);
  }
  return doc as WorldSeed;
}

/**
 * The world with `sdkAppId` among its apps: as it is when it has that app (or none is asked for), else with its
 * first app playing that ID, so that a sandbox started for an app the operator named answers for it.
 */
export function withApp(seed: WorldSeed, sdkAppId: number | undefined): WorldSeed {
  if (sdkAppId === undefined || seed.apps.some((a) => a.sdkAppId === sdkAppId)) return seed;
  return { apps: [{ ...seed.apps[0]!, sdkAppId }, ...seed.apps.slice(1)] };
}

export const DEFAULT_APP_ID = 1400000001;

/**
 * The world to try the headline stories in (docs/sandbox.md tells them):
 * - 1234, a video call where carol is on a weak mobile uplink: every quality answer names her and the same cause.
 *   Once a bot that hears them starts there, alice asks for a manager and bob insults everyone (what moderation flags).
 * - helpdesk, a string room where customer dana asks for help once an AI bot listens to her.
 * - live-show, a TUILiveKit live room: host-1 on seat 0, fan-1 and fan-2 watching.
 * - 10006, abcd and class-101, plain rooms to mute and remove people in.
 */
export const DEFAULT_WORLD: WorldSeed = {
  apps: [
    {
      sdkAppId: DEFAULT_APP_ID,
      rooms: [
        {
          roomId: 1234,
          about: 'A video call. carol is on a weak mobile uplink: packet loss, latency and stutter, in every quality tool. Once a bot that hears them starts here, alice asks for a manager and bob insults everyone.',
          users: [
            { userId: 'alice', joinedSecondsAgo: 1800 },
            { userId: 'bob', joinedSecondsAgo: 1500 },
            { userId: 'carol', joinedSecondsAgo: 1200, quality: 'poor' },
          ],
          script: [
            { userId: 'alice', says: 'Can I talk to a manager, please?', afterSeconds: 1 },
            { userId: 'bob', says: 'You are all idiots, shut up!', afterSeconds: 1 },
          ],
        },
        {
          roomId: 'helpdesk',
          about: 'A support call with a string room ID. As soon as an AI bot listens to dana, she asks for help.',
          users: [{ userId: 'dana', joinedSecondsAgo: 300 }],
          // As the bot starts, so that the conversation's first read shows her request.
          script: [{ userId: 'dana', says: 'Hello? My video keeps freezing. Can you help me?' }],
        },
        {
          roomId: 'live-show',
          about: 'A TUILiveKit live room: host-1 streams from seat 0, fan-1 and fan-2 watch.',
          live: { name: 'Evening show' },
          users: [{ userId: 'host-1', joinedSecondsAgo: 900 }, { userId: 'fan-1', joinedSecondsAgo: 600 }, { userId: 'fan-2', joinedSecondsAgo: 120 }],
        },
        { roomId: 10006, users: ['29376', '29377'] },
        { roomId: 'abcd', users: ['test1', 'test2'] },
        { roomId: 'class-101', users: ['teacher', 'student-1', 'student-2'] },
      ],
    },
  ],
};

export const roomKey = (kind: RoomKind, id: number | string) => `${kind}:${id}`;

export type RoomListener = (app: App, event: RoomEvent) => void;

/** Whether a block mode stops a user's audio, and video. */
export const blocks = (mode: BlockMode) => ({ audio: mode === 1 || mode === 2, video: mode === 1 || mode === 3 });

export class World {
  readonly apps = new Map<number, App>();
  private readonly listeners: RoomListener[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Tasks whose bots join rooms (recording, relay, ingest, AI, moderation, slicing, transcription) of every app. */
  readonly tasks = new TaskBook(this);
  /** What apps own outside rooms: pictures, vocabularies, voices, voiceprints, web recordings, synthesis tasks, mixes. */
  readonly things = new Registry();
  /** Live rooms of the seed, for the REST state to create. */
  readonly liveSeeds: LiveSeed[] = [];

  constructor(seed: WorldSeed = DEFAULT_WORLD, readonly now: () => number = Date.now) {
    const parsed = WorldSeedSchema.parse(seed);
    for (const a of parsed.apps) {
      const app = this.addApp(a.sdkAppId, a.sdkSecretKey);
      for (const r of a.rooms) {
        const kind: RoomKind = typeof r.roomId === 'number' ? 'int' : 'str';
        const users = r.users.map((u) => (typeof u === 'string' ? { userId: u } : u));
        // Earliest first, so the room opens when its first user joined.
        users.sort((a, b) => (b.joinedSecondsAgo ?? 0) - (a.joinedSecondsAgo ?? 0));
        // A live room's host sends media; its viewers are audience.
        const host = r.live ? (typeof r.users[0] === 'string' ? r.users[0] : r.users[0]!.userId) : undefined;
        for (const u of users) {
          const user = this.join(app, kind, r.roomId, u.userId, this.now() - (u.joinedSecondsAgo ?? 0) * 1000, host && u.userId !== host ? 21 : 20);
          if (u.block) user.block = u.block;
          if (u.quality) app.quality.set(u.userId, u.quality);
        }
        if (r.users.length === 0) this.openRoom(app, kind, r.roomId);
        if (r.script.length) app.scripts.set(roomKey(kind, r.roomId), r.script);
        if (r.about) app.notes.set(roomKey(kind, r.roomId), r.about);
        if (r.live && host) this.liveSeeds.push({ app, roomId: String(r.roomId), host, name: r.live.name });
      }
    }
  }

  addApp(sdkAppId: number, sdkSecretKey = randomBytes(32).toString('hex')): App {
    const app: App = { sdkAppId, sdkSecretKey, rooms: new Map(), closedRooms: [], events: [], quality: new Map(), scripts: new Map(), notes: new Map() };
    this.apps.set(sdkAppId, app);
    return app;
  }

  /** The active room with this ID, if any. */
  room(app: App, kind: RoomKind, id: number | string): Room | undefined {
    return app.rooms.get(roomKey(kind, id));
  }

  /** Opens a room; `by` is the user whose entry opened it. */
  private openRoom(app: App, kind: RoomKind, id: number | string, at = this.now(), by?: string): Room {
    const existing = this.room(app, kind, id);
    if (existing) return existing;
    const room: Room = { kind, id, createdAt: at, users: new Map() };
    app.rooms.set(roomKey(kind, id), room);
    this.record(app, room, 'create', by, undefined, at);
    return room;
  }

  /** A user enters a room, which opens if it was not active. `at` is for seeding history. */
  join(app: App, kind: RoomKind, id: number | string, userId: string, at = this.now(), role: Role = 20): RoomUser {
    const room = this.openRoom(app, kind, id, at, userId);
    let user = room.users.get(userId);
    if (!user) {
      user = { userId, joinedAt: at, block: 0, role };
      room.users.set(userId, user);
      this.record(app, room, 'join', userId, { Role: role }, at);
    }
    return user;
  }

  setBlock(app: App, room: Room, user: RoomUser, mode: BlockMode): void {
    const was = user.block;
    user.block = mode;
    this.record(app, room, 'blocked', user.userId, { IsMute: mode, was });
  }

  /** A user switches role (taking a seat makes an anchor, leaving it an audience member). */
  setRole(app: App, room: Room, user: RoomUser, role: Role): void {
    if (user.role === role) return;
    user.role = role;
    this.record(app, room, 'role', user.userId, { Role: role });
  }

  /** A user says a sentence in a room: AI bots that listen to them hear it. */
  say(app: App, room: Room, userId: string, text: string): void {
    if (!room.users.has(userId)) throw new Error(`${userId} is not in room ${room.id}.`);
    this.record(app, room, 'speech', userId, { text });
  }

  /** A user leaves a room by themselves; a room with no one left closes. */
  leave(app: App, room: Room, userId: string): boolean {
    const user = room.users.get(userId);
    if (!user) return false;
    room.users.delete(userId);
    this.record(app, room, 'leave', userId, { Role: user.role });
    if (room.users.size === 0) this.close(app, room, 'closed');
    return true;
  }

  /** Removes users; a room with no one left closes, as TRTC rooms do. */
  kick(app: App, room: Room, userIds: readonly string[]): string[] {
    const removed = userIds.flatMap((id) => {
      const user = room.users.get(id);
      return user && room.users.delete(id) ? [user] : [];
    });
    for (const user of removed) this.record(app, room, 'kicked', user.userId, { Role: user.role });
    if (room.users.size === 0) this.close(app, room, 'closed');
    return removed.map((u) => u.userId);
  }

  dismiss(app: App, room: Room): void {
    for (const user of room.users.values()) this.record(app, room, 'kicked', user.userId, { by: 'dismiss', Role: user.role });
    room.users.clear();
    this.close(app, room, 'dismissed');
  }

  private close(app: App, room: Room, why: 'closed' | 'dismissed'): void {
    room.closedAt = this.now();
    app.rooms.delete(roomKey(room.kind, room.id));
    app.closedRooms.push(room);
    this.record(app, room, why);
  }

  /** Lets other parts of the sandbox follow what happens in rooms (seats are freed when their user leaves, say). */
  onEvent(listener: RoomListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs `fn` later, on the world's clock (scripted lines, what jobs do by themselves); the sandbox's only timers,
   * cleared by stop(). Returns what cancels it.
   */
  later(ms: number, fn: () => void): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private record(app: App, room: Room, type: RoomEventType, userId?: string, detail?: Record<string, unknown>, at = this.now()): void {
    const event: RoomEvent = { time: at, kind: room.kind, roomId: room.id, type, userId, detail };
    app.events.push(event);
    for (const listener of this.listeners) listener(app, event);
  }

  /** A plain-JSON view of the current state, without secrets. */
  snapshot() {
    return {
      apps: [...this.apps.values()].map((app) => ({
        sdkAppId: app.sdkAppId,
        rooms: [...app.rooms.values()].map((r) => ({
          roomId: r.id,
          idType: r.kind === 'int' ? 'numeric' : 'string',
          ...(app.notes.has(roomKey(r.kind, r.id)) && { about: app.notes.get(roomKey(r.kind, r.id)) }),
          createdAt: new Date(r.createdAt).toISOString(),
          users: [...r.users.values()].map((u) => ({
            userId: u.userId, joinedAt: new Date(u.joinedAt).toISOString(), block: u.block,
            ...(u.role === 21 && { role: 'audience' }),
            ...(app.quality.get(u.userId) === 'poor' && { quality: 'poor' }),
          })),
        })),
        closedRooms: app.closedRooms.length,
        events: app.events.length,
      })),
      tasks: this.tasks.snapshot(),
      things: this.things.snapshot(),
    };
  }
}
