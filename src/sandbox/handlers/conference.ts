// Conference room behaviour (room_engine_http_srv).
import type { EngineRoom, MemberDetails } from '../rest-state.js';
import { SandboxError } from './types.js';
import {
  addRobots, ban, bannedPage, createRoom, cursor, destroyRoom, engineRoom, invalid, nowS, page, PACKAGE, removeRobots,
  requireMembers, ROOM, unban, updateInfo, type RestContext, type RestHandler,
} from './rest-common.js';

const S = 'room_engine_http_srv';
const DEFAULT_LENGTH_S = 3600;
const MIN_LENGTH_S = 300;
const MAX_MARKS_PER_ROOM = 10;
const DEFAULT_PAGE = 50;

const conference = (ctx: RestContext) => engineRoom(ctx, ctx.params.RoomId, 'Conference');

function details(room: EngineRoom, user: string): MemberDetails {
  let d = room.details.get(user);
  if (!d) room.details.set(user, (d = { nameCard: '', customInfo: '', marks: new Set() }));
  return d;
}

const role = (room: EngineRoom, user: string) => (user === room.owner ? 'RoomOwner' : room.admins.has(user) ? 'Admin' : 'Member');

const create_room: RestHandler = (ctx) => {
  const { RoomId, RoomType: _type, Owner_Account, MaxSeatCount, ...given } = ctx.params.RoomInfo as Record<string, any>;
  if (ctx.state.rooms.has(RoomId)) throw new SandboxError(ROOM.exists, `Room ${RoomId} already exists.`);
  const start: number = given.ScheduleStartTime ?? nowS(ctx);
  const end: number = given.ScheduleEndTime ?? start + DEFAULT_LENGTH_S;
  if (end < start + MIN_LENGTH_S) throw invalid(`ScheduleEndTime must be at least ${MIN_LENGTH_S} s after the start (${start}).`);
  const seats = given.IsSeatEnabled ? (MaxSeatCount ?? PACKAGE.maxSeats) : 0;
  if (seats > PACKAGE.maxSeats) throw invalid(`MaxSeatCount ${seats} exceeds the package's ${PACKAGE.maxSeats} seats.`);
  const info = {
    RoomName: RoomId, MaxMemberCount: PACKAGE.maxMembers, IsVideoDisabled: false, IsAudioDisabled: false, IsMessageDisabled: false,
    IsScreenSharingDisabled: false, IsCloudRecordingDisabled: false, CustomInfo: '', IsSeatEnabled: false, TakeSeatMode: 'FreeToTake',
    ...given, ScheduleStartTime: start, ScheduleEndTime: end,
  };
  const room = createRoom(ctx, 'Conference', RoomId, Owner_Account ?? ctx.admin, info, seats);
  room.invitees = ctx.params.ScheduleInviteeList_Account ?? [];
  return {};
};

const get_room_info: RestHandler = (ctx) => {
  const room = conference(ctx);
  const { info } = room;
  return {
    Response: {
      RoomInfo: {
        RoomId: room.id, RoomName: info.RoomName, RoomType: 'Conference', Owner_Account: room.owner, MaxMemberCount: info.MaxMemberCount,
        MaxSeatCount: room.seats.length, IsVideoDisabled: info.IsVideoDisabled, IsAudioDisabled: info.IsAudioDisabled,
        IsMessageDisabled: info.IsMessageDisabled, IsScreenSharingDisabled: info.IsScreenSharingDisabled,
        IsCloudRecordingDisabled: info.IsCloudRecordingDisabled, CustomInfo: info.CustomInfo, ScheduleStartTime: info.ScheduleStartTime,
        ScheduleEndTime: info.ScheduleEndTime, RoomStatus: nowS(ctx) < info.ScheduleStartTime ? 'NotStarted' : 'Running',
        IsSeatEnabled: info.IsSeatEnabled, TakeSeatMode: info.IsSeatEnabled ? info.TakeSeatMode : 'None',
        CreateTime: Math.floor(room.createdAt / 1000), MemberCount: ctx.rest.members(ctx.app, room.id).length,
      },
    },
  };
};

const get_room_member_list: RestHandler = (ctx) => {
  const room = conference(ctx);
  const { items, next } = page(ctx.rest.members(ctx.app, room.id), cursor(ctx.params.Next), ctx.params.Count ?? DEFAULT_PAGE);
  const MemberList = items.map((u) => {
    const d = details(room, u);
    return { Member_Account: u, NameCard: d.nameCard, Role: role(room, u), Marks: [...d.marks], CustomInfo: d.customInfo };
  });
  return { Response: { Next: next, MemberList } };
};

const update_room_member_info: RestHandler = (ctx) => {
  const room = conference(ctx);
  const { Member_Account: user, NameCard, Role, CustomInfo } = ctx.params.MemberInfo;
  requireMembers(ctx, room, [user]);
  if (Role !== undefined && user === room.owner) throw new SandboxError(ROOM.denied, `${user} owns room ${room.id}; change the owner instead.`);
  const d = details(room, user);
  if (NameCard !== undefined) d.nameCard = NameCard;
  if (CustomInfo !== undefined) d.customInfo = CustomInfo;
  if (Role === 'Admin') room.admins.add(user);
  if (Role === 'Member') room.admins.delete(user);
  return {};
};

const change_room_owner: RestHandler = (ctx) => {
  const room = conference(ctx);
  const { From_Account, NewOwner_Account } = ctx.params;
  if (From_Account !== room.owner) throw new SandboxError(ROOM.denied, `${From_Account} does not own room ${room.id}.`);
  requireMembers(ctx, room, [NewOwner_Account]);
  room.owner = NewOwner_Account;
  room.admins.delete(NewOwner_Account);
  return {};
};

const mark_room_member: RestHandler = (ctx) => {
  const room = conference(ctx);
  const list = ctx.params.MemberList as Array<{ Member_Account: string; Marks: number[] }>;
  requireMembers(ctx, room, list.map((m) => m.Member_Account));
  const used = new Set([...room.details.values()].flatMap((d) => [...d.marks]));
  if (ctx.params.CommandType === 1) {
    for (const m of list) for (const mark of m.Marks) used.add(mark);
    if (used.size > MAX_MARKS_PER_ROOM) throw invalid(`A room uses at most ${MAX_MARKS_PER_ROOM} distinct marks; this would make ${used.size}.`);
  }
  for (const m of list) {
    const marks = details(room, m.Member_Account).marks;
    for (const mark of m.Marks) ctx.params.CommandType === 1 ? marks.add(mark) : marks.delete(mark);
  }
  return {};
};

const kick_user_out: RestHandler = (ctx) => {
  const room = conference(ctx);
  requireMembers(ctx, room, ctx.params.MemberList_Account);
  ctx.rest.remove(ctx.app, room.id, ctx.params.MemberList_Account);
  return {};
};

export const conferenceHandlers: Record<string, RestHandler> = {
  [`${S}/create_room`]: create_room,
  [`${S}/destroy_room`]: (ctx) => (destroyRoom(ctx, conference(ctx)), {}),
  [`${S}/update_room_info`]: updateInfo('Conference'),
  [`${S}/get_room_info`]: get_room_info,
  [`${S}/get_room_member_list`]: get_room_member_list,
  [`${S}/update_room_member_info`]: update_room_member_info,
  [`${S}/change_room_owner`]: change_room_owner,
  [`${S}/mark_room_member`]: mark_room_member,
  [`${S}/ban_room_member`]: (ctx) => (ban(ctx, conference(ctx), ctx.params.MemberList_Account, ctx.params.Duration), {}),
  [`${S}/unban_room_member`]: (ctx) => (unban(conference(ctx), ctx.params.MemberList_Account), {}),
  [`${S}/get_banned_member_list`]: (ctx) => bannedPage(ctx, conference(ctx)),
  [`${S}/kick_user_out`]: kick_user_out,
  [`${S}/add_robot`]: (ctx) => (addRobots(ctx, conference(ctx), [ctx.params.Member_Account]), {}),
  [`${S}/delete_robot`]: (ctx) => {
    const room = conference(ctx);
    if (!room.robots.has(ctx.params.Member_Account)) throw new SandboxError(ROOM.notMember, `${ctx.params.Member_Account} is not a robot of room ${room.id}.`);
    removeRobots(ctx, room, [ctx.params.Member_Account]);
    return {};
  },
};
