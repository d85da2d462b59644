// Seat behaviour (room_engine_http_mic), for live rooms and for conference rooms that have seats.
import type { EngineRoom, Seat } from '../rest-state.js';
import type { Role } from '../world.js';
import { SandboxError } from './types.js';
import { engineRoom, invalid, requireMembers, type RestContext, type RestHandler } from './rest-common.js';

const S = 'room_engine_http_mic';

function seated(ctx: RestContext): EngineRoom {
  const room = engineRoom(ctx, ctx.params.RoomId);
  if (room.seats.length === 0) throw new SandboxError('100211', `Room ${room.id} has no seats.`);
  return room;
}

function seatAt(room: EngineRoom, index: number): Seat {
  const seat = room.seats[index];
  if (!seat) throw invalid(`Room ${room.id} has seats 0 to ${room.seats.length - 1}; there is no seat ${index}.`);
  return seat;
}

function seatOf(room: EngineRoom, user: string): Seat {
  const seat = room.seats.find((s) => s.member === user);
  if (!seat) throw invalid(`${user} is not on a seat in room ${room.id}.`);
  return seat;
}

function free(room: EngineRoom, index: number): Seat {
  const seat = seatAt(room, index);
  if (seat.locked) throw invalid(`Seat ${index} of room ${room.id} is locked.`);
  return seat;
}

/** Moves a seated user to the seat at `to`, deciding what happens to its occupant. */
function move(room: EngineRoom, user: string, to: number, policy: 0 | 1 | 2): void {
  const from = seatOf(room, user);
  const target = free(room, to);
  if (target === from) return;
  if (target.member) {
    if (policy === 0) throw invalid(`Seat ${to} of room ${room.id} is taken by ${target.member}.`);
    // Policy 2 swaps the two users; policy 1 leaves the displaced occupant without a seat.
    from.member = policy === 2 ? target.member : undefined;
  } else {
    from.member = undefined;
  }
  target.member = user;
}

/** On a seat a user sends media (an anchor); off it, they are audience. */
function seatRole(ctx: RestContext, room: EngineRoom, user: string | undefined, role: Role): void {
  const trtc = user && ctx.rest.trtcRoom(ctx.app, room.id);
  const member = trtc && trtc.users.get(user);
  if (member) ctx.world.setRole(ctx.app, trtc, member, role);
}

export const seatHandlers: Record<string, RestHandler> = {
  [`${S}/get_seat_list`]: (ctx) => ({
    Response: {
      SeatList: seated(ctx).seats.map((s, Index) => ({
        Index, Member_Account: s.member ?? '', IsTakenDisabled: s.locked, IsVideoDisabled: s.videoOff, IsAudioDisabled: s.audioOff,
      })),
    },
  }),
  [`${S}/pick_user_on_seat`]: (ctx) => {
    const room = seated(ctx);
    const { Index, Member_Account: user } = ctx.params;
    requireMembers(ctx, room, [user]);
    const seat = free(room, Index);
    const current = room.seats.findIndex((s) => s.member === user);
    if (current >= 0) throw invalid(`${user} is already on seat ${current}; move them with move_user_to_seat.`);
    if (seat.member) throw invalid(`Seat ${Index} of room ${room.id} is taken by ${seat.member}.`);
    seat.member = user;
    seatRole(ctx, room, user, 20);
    return {};
  },
  [`${S}/kick_user_off_seat`]: (ctx) => {
    const room = seated(ctx);
    seatOf(room, ctx.params.Member_Account).member = undefined;
    seatRole(ctx, room, ctx.params.Member_Account, 21);
    return {};
  },
  [`${S}/lock_seat`]: (ctx) => {
    const { Index, ForbidTaken, ForbidVideo, ForbidAudio } = ctx.params;
    const room = seated(ctx);
    const seat = seatAt(room, Index);
    if (ForbidTaken !== undefined) seat.locked = ForbidTaken;
    if (ForbidTaken) {
      seatRole(ctx, room, seat.member, 21);
      seat.member = undefined;
    }
    if (ForbidVideo !== undefined) seat.videoOff = ForbidVideo;
    if (ForbidAudio !== undefined) seat.audioOff = ForbidAudio;
    return {};
  },
  [`${S}/switch_seat`]: (ctx) => (move(seated(ctx), ctx.params.Member_Account, ctx.params.ToIndex, 0), {}),
  [`${S}/move_user_to_seat`]: (ctx) => (move(seated(ctx), ctx.params.Member_Account, ctx.params.SeatIndex, ctx.params.Policy), {}),
};
