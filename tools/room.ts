// Room Management (seed 004, "Room Management APIs"): mute, remove users, dismiss rooms.
import { z } from 'zod';
import { cloudAction } from './define.js';
import { NoOutput, REGIONS, SdkAppId, UserId } from './fields.js';
import { stringRoomId } from './room-id.js';

const IsMute = z.literal([0, 1, 2, 3]).describe('0 allow audio+video, 1 block both, 2 block audio only, 3 block video only');
const UserIds = z.array(UserId).min(1).max(10).describe('Users to remove');

const shared = { toolset: 'room', rateLimit: 20, regions: REGIONS.room, output: NoOutput } as const;
/** Blocking a user's media is documented for the international site only (the China-site SDK has no such action). */
const intlOnly = { sites: ['intl'] } as const;

const blockErrors = [
  'FailedOperation.RoomNotExist', 'FailedOperation.SdkAppIdNotExist', 'FailedOperation.UserNotExist',
  'InternalError', 'InvalidParameter', 'InvalidParameter.RoomId', 'InvalidParameter.SdkAppId',
  'InvalidParameter.UserId', 'MissingParameter.RoomId', 'MissingParameter.SdkAppId', 'UnauthorizedOperation.SdkAppId',
];
const removeErrors = [
  'FailedOperation.RoomNotExist', 'InternalError', 'InternalError.GetRoomCacheIpError',
  'InvalidParameter.RoomId', 'InvalidParameter.SdkAppId', 'InvalidParameter.UserIds', 'InvalidParameterValue.RoomId',
  'MissingParameter.RoomId', 'MissingParameter.SdkAppId', 'MissingParameter.UserIds', 'UnauthorizedOperation.SdkAppId',
];
const dismissErrors = removeErrors.filter((c) => !c.endsWith('UserIds'));

export const SetUserBlocked = cloudAction({
  ...shared,
  action: 'SetUserBlocked',
  aliases: [
    'mute', 'unmute', 'silence', 'stop talking', 'turn off camera', 'disable video', 'block microphone',
    '禁止 用户 上行 音视频', '静音', '禁言', '禁麦', '闭麦', '关麦', '关闭 麦克风', '关闭 摄像头', '关闭 视频', '禁止 发言', '解除 静音', '取消 静音', '屏蔽 音视频',
  ],
  ...intlOnly,
  effect: 'write',
  idempotent: true,
  description: "Block or unblock a user's audio and/or video in a room with a numeric ID. Reversible with IsMute 0.",
  input: z.object({ SdkAppId, RoomId: z.int(), UserId, IsMute }),
  errors: [...blockErrors, 'InternalError.UserNotExist', 'InvalidParameterValue.RoomId'],
});

export const SetUserBlockedByStrRoomId = cloudAction({
  ...shared,
  action: 'SetUserBlockedByStrRoomId',
  aliases: [
    'mute', 'unmute', 'silence', 'stop talking', 'turn off camera', 'disable video', 'block microphone',
    '禁止 用户 上行 音视频', '静音', '禁言', '禁麦', '闭麦', '关麦', '关闭 麦克风', '关闭 摄像头', '关闭 视频', '禁止 发言', '解除 静音', '取消 静音', '屏蔽 音视频',
  ],
  ...intlOnly,
  effect: 'write',
  idempotent: true,
  description: "Block or unblock a user's audio and/or video in a room with a string ID. Reversible with IsMute 0.",
  input: z.object({ SdkAppId, StrRoomId: stringRoomId(z.string().min(1)), UserId, IsMute }),
  errors: [...blockErrors, 'MissingParameter', 'MissingParameter.AppId', 'MissingParameter.UserId'],
});

export const RemoveUser = cloudAction({
  ...shared,
  action: 'RemoveUser',
  aliases: [
    'kick', 'boot', 'eject', 'throw out', 'kick out of the call', 'remove participant', 'get rid of',
    '移出 用户', '踢出 房间', '踢人', '踢出去', '移除 成员', '请出 房间', '赶出 房间', '踢掉',
  ],
  effect: 'destructive',
  description: 'Kick users out of a room with a numeric ID. They can rejoin unless your app stops them.',
  input: z.object({ SdkAppId, RoomId: z.int(), UserIds }),
  errors: [...removeErrors, 'InternalError.GetRoomFromCacheError'],
});

export const RemoveUserByStrRoomId = cloudAction({
  ...shared,
  action: 'RemoveUserByStrRoomId',
  aliases: [
    'kick', 'boot', 'eject', 'throw out', 'kick out of the call', 'remove participant', 'get rid of',
    '移出 用户', '踢出 房间', '踢人', '踢出去', '移除 成员', '请出 房间', '赶出 房间', '踢掉',
  ],
  effect: 'destructive',
  description: 'Kick users out of a room with a string ID. They can rejoin unless your app stops them.',
  input: z.object({ SdkAppId, RoomId: stringRoomId(z.string().min(1)), UserIds }),
  errors: removeErrors,
});

export const DismissRoom = cloudAction({
  ...shared,
  action: 'DismissRoom',
  aliases: [
    'close room', 'end call for everyone', 'shut down', 'terminate', 'end meeting', 'send everybody home',
    '解散 房间', '关闭 房间', '结束 通话', '结束 会议', '全员 退出', '散会', '所有人 退出',
  ],
  effect: 'destructive',
  confirmField: 'RoomId',
  description: 'Remove everyone from a room with a numeric ID and close it.',
  input: z.object({ SdkAppId, RoomId: z.int() }),
  errors: [...dismissErrors, 'InternalError.GetRoomFromCacheError'],
});

export const DismissRoomByStrRoomId = cloudAction({
  ...shared,
  action: 'DismissRoomByStrRoomId',
  aliases: [
    'close room', 'end call for everyone', 'shut down', 'terminate', 'end meeting', 'send everybody home',
    '解散 房间', '关闭 房间', '结束 通话', '结束 会议', '全员 退出', '散会', '所有人 退出',
  ],
  effect: 'destructive',
  confirmField: 'RoomId',
  description: 'Remove everyone from a room with a string ID and close it.',
  input: z.object({ SdkAppId, RoomId: stringRoomId(z.string().min(1)) }),
  errors: dismissErrors,
});
