// Room Management behaviour.
import type { RoomKind } from '../world.js';
import { activeRoom, SandboxError, type Handler } from './types.js';

const block = (kind: RoomKind, roomField: string): Handler => (ctx) => {
  const { params, world, app } = ctx;
  const room = activeRoom(ctx, kind, params[roomField]);
  const user = room.users.get(params.UserId);
  if (!user) throw new SandboxError('FailedOperation.UserNotExist', `User ${params.UserId} is not in room ${room.id}.`);
  world.setBlock(app, room, user, params.IsMute);
  return {};
};

const remove = (kind: RoomKind): Handler => (ctx) => {
  ctx.world.kick(ctx.app, activeRoom(ctx, kind, ctx.params.RoomId), ctx.params.UserIds);
  return {};
};

const dismiss = (kind: RoomKind): Handler => (ctx) => {
  ctx.world.dismiss(ctx.app, activeRoom(ctx, kind, ctx.params.RoomId));
  return {};
};

export const roomHandlers: Record<string, Handler> = {
  SetUserBlocked: block('int', 'RoomId'),
  SetUserBlockedByStrRoomId: block('str', 'StrRoomId'),
  RemoveUser: remove('int'),
  RemoveUserByStrRoomId: remove('str'),
  DismissRoom: dismiss('int'),
  DismissRoomByStrRoomId: dismiss('str'),
};
