// Live room behaviour (live_engine_http_srv).
import type { EngineRoom, RestState } from '../rest-state.js';
import type { LiveSeed } from '../world.js';
import { SandboxError } from './types.js';
import {
  addRobots, ban, bannedPage, createRoom, cursor, destroyRoom, engineRoom, inForce, invalid, page, PACKAGE,
  removeRobots, ROOM, unban, updateInfo, type RestContext, type RestHandler,
} from './rest-common.js';

const S = 'live_engine_http_srv';
const TEMPLATE_SEATS: Record<string, number> = {
  VideoDynamicGrid9Seats: 9, VideoDynamicFloat7Seats: 7, VideoFixedGrid9Seats: 9, VideoFixedFloat7Seats: 7,
};
const MAX_ADMINS = 5;
const MAX_METADATA_KEYS = 10;
const MAX_METADATA_BYTES = 16 * 1024;
const MEMBER_PAGE = 100;

const live = (ctx: RestContext) => engineRoom(ctx, ctx.params.RoomId, 'Live');

function roomInfo(room: EngineRoom): Record<string, unknown> {
  const { info } = room;
  return {
    RoomId: room.id, RoomName: info.RoomName, RoomType: 'Live', Owner_Account: room.owner, CreateTime: Math.floor(room.createdAt / 1000),
    IsSeatEnabled: true, TakeSeatMode: info.TakeSeatMode, MaxSeatCount: room.seats.length, MaxMemberCount: info.MaxMemberCount,
    IsMessageDisabled: info.IsMessageDisabled, CoverURL: info.CoverURL, Category: info.Category, ActivityStatus: info.ActivityStatus,
    ViewCount: room.viewers.size, IsPublicVisible: info.IsPublicVisible, SeatTemplate: info.SeatTemplate, Notice: info.Notice,
  };
}

const create_room: RestHandler = (ctx) => {
  const { RoomId, RoomType: _type, Owner_Account, MaxSeatCount, ...given } = ctx.params.RoomInfo as Record<string, any>;
  const owner: string = Owner_Account ?? ctx.admin;
  const existing = ctx.state.rooms.get(RoomId);
  if (existing) {
    if (existing.type === 'Live' && existing.owner === owner) throw new SandboxError('100010', `Room ${RoomId} already exists with owner ${owner}.`);
    throw new SandboxError(ROOM.exists, `Room ${RoomId} already exists.`);
  }
  const voice = !(given.SeatTemplate in TEMPLATE_SEATS);
  const seats = voice ? (MaxSeatCount ?? PACKAGE.maxSeats) : TEMPLATE_SEATS[given.SeatTemplate]!;
  if (seats > PACKAGE.maxSeats) throw invalid(`MaxSeatCount ${seats} exceeds the package's ${PACKAGE.maxSeats} seats.`);
  const info = {
    RoomName: RoomId, TakeSeatMode: 'FreeToTake', MaxMemberCount: PACKAGE.maxMembers, IsMessageDisabled: false, IsPublicVisible: true,
    CoverURL: '', Category: [], ActivityStatus: 0, Notice: '', ...given,
  };
  createRoom(ctx, 'Live', RoomId, owner, info, seats);
  // Unlike every other command, create_room answers with the room ID at the top level.
  return { RoomId };
};

/** A live room the world's seed asks for, as create_room would make it, with its host on seat 0. */
export function seedLiveRoom(rest: RestState, seed: LiveSeed): void {
  const ctx: RestContext = { world: rest.world, app: seed.app, rest, state: rest.of(seed.app), admin: 'administrator', params: {} };
  const template = 'VideoDynamicGrid9Seats';
  const info = {
    RoomName: seed.name ?? seed.roomId, TakeSeatMode: 'FreeToTake', MaxMemberCount: PACKAGE.maxMembers, IsMessageDisabled: false, IsPublicVisible: true,
    CoverURL: '', Category: [], ActivityStatus: 0, Notice: '', SeatTemplate: template,
  };
  createRoom(ctx, 'Live', seed.roomId, seed.host, info, TEMPLATE_SEATS[template]!).seats[0]!.member = seed.host;
}

const get_room_list: RestHandler = (ctx) => {
  const rooms = [...ctx.state.rooms.values()]
    .filter((r) => r.type === 'Live' && r.info.IsPublicVisible)
    .sort((a, b) => b.viewers.size - a.viewers.size || a.createdAt - b.createdAt);
  const { items, next } = page(rooms, cursor(ctx.params.Next), ctx.params.Count);
  const RoomList = items.map((r) => {
    const { RoomId, RoomName, Owner_Account, CoverURL, Category, CreateTime, ActivityStatus, ViewCount } = roomInfo(r);
    return { RoomId, RoomName, Owner_Account, CoverURL, Category, CreateTime, ActivityStatus, ViewCount };
  });
  return { Response: { Next: next, RoomList } };
};

const set_room_metadata: RestHandler = (ctx) => {
  const room = live(ctx);
  const merged = new Map(room.metadata);
  for (const { Key, Value } of ctx.params.Metadata as Array<{ Key: string; Value: string }>) merged.set(Key, Value);
  const bytes = [...merged].reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (merged.size > MAX_METADATA_KEYS) throw invalid(`A room holds at most ${MAX_METADATA_KEYS} metadata keys; this would make ${merged.size}.`);
  if (bytes > MAX_METADATA_BYTES) throw invalid(`A room's metadata is limited to ${MAX_METADATA_BYTES} bytes; this would make ${bytes}.`);
  room.metadata = merged;
  return {};
};

const get_room_metadata: RestHandler = (ctx) => {
  const room = live(ctx);
  const keys: string[] = ctx.params.Keys.length ? ctx.params.Keys : [...room.metadata.keys()];
  return { Response: { Metadata: keys.filter((k) => room.metadata.has(k)).map((Key) => ({ Key, Value: room.metadata.get(Key) })) } };
};

const modify_admin: RestHandler = (ctx) => {
  const room = live(ctx);
  const users: string[] = ctx.params.Admin_Account;
  if (ctx.params.OpType === 'delete') {
    for (const u of users) room.admins.delete(u);
    return {};
  }
  const after = new Set([...room.admins, ...users]);
  if (after.size > MAX_ADMINS) throw new SandboxError('100020', `A room has at most ${MAX_ADMINS} admins; this would make ${after.size}.`);
  room.admins = after;
  return {};
};

const mute_member: RestHandler = (ctx) => {
  const room = live(ctx);
  for (const u of ctx.params.MemberList_Account as string[]) {
    if (ctx.params.MuteTime === 0) room.mutes.delete(u);
    else room.mutes.set(u, ctx.world.now() + ctx.params.MuteTime * 1000);
  }
  return {};
};

const get_member_list: RestHandler = (ctx) => {
  const room = live(ctx);
  const members = ctx.rest.members(ctx.app, room.id);
  const { items, next } = page(members, cursor(ctx.params.Next), MEMBER_PAGE);
  return { Response: { Next: next, MemberCount: members.length, MemberList: items.map((Member_Account) => ({ Member_Account })) } };
};

const message: RestHandler = (ctx) => {
  live(ctx).messages++;
  return {};
};

export const liveHandlers: Record<string, RestHandler> = {
  [`${S}/create_room`]: create_room,
  [`${S}/destroy_room`]: (ctx) => (destroyRoom(ctx, live(ctx)), {}),
  [`${S}/update_room_info`]: updateInfo('Live'),
  [`${S}/get_room_info`]: (ctx) => ({ Response: { RoomInfo: roomInfo(live(ctx)) } }),
  [`${S}/get_room_list`]: get_room_list,
  [`${S}/get_room_metadata`]: get_room_metadata,
  [`${S}/set_room_metadata`]: set_room_metadata,
  [`${S}/del_room_metadata`]: (ctx) => {
    const room = live(ctx);
    for (const k of ctx.params.Keys as string[]) room.metadata.delete(k);
    return {};
  },
  [`${S}/get_admin_list`]: (ctx) => ({ Response: { Admin_Account: [...live(ctx).admins] } }),
  [`${S}/modify_admin`]: modify_admin,
  [`${S}/ban_member`]: (ctx) => (ban(ctx, live(ctx), ctx.params.MemberList_Account, ctx.params.Duration), {}),
  [`${S}/unban_member`]: (ctx) => (unban(live(ctx), ctx.params.MemberList_Account), {}),
  [`${S}/get_banned_member_list`]: (ctx) => bannedPage(ctx, live(ctx)),
  [`${S}/mute_member`]: mute_member,
  [`${S}/get_muted_member_list`]: (ctx) => ({ Response: { MutedAccountList: inForce(ctx, live(ctx).mutes, 'MutedUntil') } }),
  [`${S}/get_member_list`]: get_member_list,
  [`${S}/change_room_owner`]: (ctx) => {
    live(ctx).owner = ctx.params.NewOwner_Account;
    return {};
  },
  [`${S}/send_text_msg`]: message,
  [`${S}/send_custom_msg`]: message,
  [`${S}/get_room_stats`]: (ctx) => {
    const room = live(ctx);
    // Gifts and likes come from clients, which the sandbox has none of.
    return {
      Response: {
        TotalViewers: room.viewers.size, TotalGiftsSent: 0, TotalGiftCoins: 0, TotalUniqueGiftSenders: 0, TotalLikesReceived: 0,
        TotalMsgCount: room.messages,
      },
    };
  },
  [`${S}/add_robot`]: (ctx) => (addRobots(ctx, live(ctx), ctx.params.RobotList_Account), {}),
  [`${S}/get_robot`]: (ctx) => ({ Response: { RobotList_Account: [...live(ctx).robots] } }),
  [`${S}/del_robot`]: (ctx) => (removeRobots(ctx, live(ctx), ctx.params.RobotList_Account), {}),
};
