// The sandbox's state behind the IM-style REST APIs: live and conference rooms (one room engine, one ID space),
// their seats, admins, bans, mutes, metadata and robots; PK battles; server-initiated calls.
// Who is in a room is not kept here: a live or conference room is a TRTC room with a string ID, so its members
// are the users of that room in the World, the same users the Cloud API tools see and remove.
import type { App, Room, World } from './world.js';

export type EngineRoomType = 'Live' | 'Conference';

export interface Seat {
  member?: string;
  locked: boolean;
  videoOff: boolean;
  audioOff: boolean;
}

/** Per-member details that conference rooms keep. */
export interface MemberDetails {
  nameCard: string;
  customInfo: string;
  marks: Set<number>;
}

export interface EngineRoom {
  type: EngineRoomType;
  id: string;
  owner: string;
  createdAt: number;
  /** Settings as created and updated, with the documented defaults filled in. */
  info: Record<string, any>;
  seats: Seat[];
  admins: Set<string>;
  /** Ban and mute ends, in ms. */
  bans: Map<string, number>;
  mutes: Map<string, number>;
  metadata: Map<string, string>;
  robots: Set<string>;
  details: Map<string, MemberDetails>;
  /** Everyone who was ever in the room since it was created: the view count. */
  viewers: Set<string>;
  messages: number;
  invitees: string[];
}

export interface Battle {
  id: string;
  fromRoom: string;
  toRooms: string[];
  durationMs: number;
  startedAt: number;
  endsAt: number;
  /** Set when the battle was cut short (a room in it was destroyed). */
  endedAt?: number;
  scores: Map<string, number>;
  /** Owners at the start: a destroyed room still shows in the battle's history. */
  owners: Map<string, string>;
}

export interface Call {
  id: string;
  robot: string;
  callees: string[];
  mediaType: string;
  roomId: string;
  roomIdType: 1 | 2;
  startedAt: number;
  timeoutMs: number;
  endedAt?: number;
}

/** A gift or a gift category: its default texts and settings, and its name and description per language. */
export interface GiftEntry {
  info: Record<string, any>;
  languages: Map<string, { Name?: string; Desc?: string }>;
}

export interface GiftSent {
  roomId: string;
  giftId: string;
  from: string;
  count: number;
  coins: number;
}

export class AppRest {
  readonly rooms = new Map<string, EngineRoom>();
  readonly gifts = new Map<string, GiftEntry>();
  /** Categories hold their gifts' IDs in info.GiftIdList. */
  readonly giftCategories = new Map<string, GiftEntry>();
  readonly giftsSent: GiftSent[] = [];
  /** When each room ID was last created: the same ID may be created once per second. */
  readonly lastCreated = new Map<string, number>();
  readonly battles = new Map<string, Battle>();
  readonly calls = new Map<string, Call>();
}

export class RestState {
  private readonly apps = new Map<number, AppRest>();

  constructor(readonly world: World, readonly admins: ReadonlySet<string>) {
    world.onEvent((app, event) => {
      if (event.kind !== 'str' || !event.userId) return;
      const room = this.of(app).rooms.get(String(event.roomId));
      if (!room) return;
      if (event.type === 'join') room.viewers.add(event.userId);
      // Someone who leaves the TRTC room, whoever removed them, leaves their seat too.
      if (event.type === 'kicked' || event.type === 'leave') {
        for (const seat of room.seats) if (seat.member === event.userId) seat.member = undefined;
      }
    });
  }

  of(app: App): AppRest {
    let state = this.apps.get(app.sdkAppId);
    if (!state) this.apps.set(app.sdkAppId, (state = new AppRest()));
    return state;
  }

  /** The TRTC room behind an engine room, when anyone is in it. */
  trtcRoom(app: App, roomId: string): Room | undefined {
    return this.world.room(app, 'str', roomId);
  }

  members(app: App, roomId: string): string[] {
    return [...(this.trtcRoom(app, roomId)?.users.keys() ?? [])];
  }

  /** What a client SDK does to enter a room: refused while the user is banned from it. Live viewers enter as audience. */
  enter(app: App, roomId: string, userId: string): boolean {
    const room = this.of(app).rooms.get(roomId);
    const until = room?.bans.get(userId);
    if (until !== undefined && until > this.world.now()) return false;
    this.world.join(app, 'str', roomId, userId, this.world.now(), room?.type === 'Live' && room.owner !== userId ? 21 : 20);
    return true;
  }

  /** Takes users out of the TRTC room behind an engine room (their seats follow through the event listener). */
  remove(app: App, roomId: string, userIds: readonly string[]): void {
    const room = this.trtcRoom(app, roomId);
    if (room) this.world.kick(app, room, userIds);
  }

  battleActive(b: Battle): boolean {
    return b.endedAt === undefined && this.world.now() < b.endsAt;
  }

  /** The call's TRTC room, when anyone is in it (RoomIdType 1 names a numeric room). */
  callRoom(app: App, call: Call): Room | undefined {
    return call.roomIdType === 1 ? this.world.room(app, 'int', Number(call.roomId)) : this.world.room(app, 'str', call.roomId);
  }

  /** Whether the user is in the call's TRTC room now: that is how a callee answers. */
  inCall(app: App, call: Call, userId: string): boolean {
    return this.callRoom(app, call)?.users.has(userId) ?? false;
  }

  /** When the first callee entered the call's room, if anyone did. */
  answeredAt(app: App, call: Call): number | undefined {
    const roomId = call.roomIdType === 1 ? Number(call.roomId) : call.roomId;
    const until = call.endedAt ?? Infinity;
    return app.events.find(
      (e) => e.type === 'join' && e.roomId === roomId && e.time >= call.startedAt && e.time <= until && call.callees.includes(e.userId ?? ''),
    )?.time;
  }

  /** A call lasts until it is ended, or until it has rung out with no callee in it. */
  callActive(app: App, call: Call): boolean {
    if (call.endedAt !== undefined) return false;
    return this.world.now() < call.startedAt + call.timeoutMs || call.callees.some((u) => this.inCall(app, call, u));
  }
}
