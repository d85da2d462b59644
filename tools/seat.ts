// Seats (REST service room_engine_http_mic): the numbered places in live rooms and in conference rooms
// with seats, where a user is on stage. Indexes start at 0.
import { z } from 'zod';
import { effectByArgs, restCommand } from './define.js';
import { NoOutput } from './fields.js';
import { Account, answer, reply, RoomId } from './rest-fields.js';

const shared = { toolset: 'seat', service: 'room_engine_http_mic', rateLimit: 200, errors: ['100211'] } as const;
const Index = z.int().min(0);

export const seat_list = restCommand({
  ...shared,
  name: 'seat_list',
  aliases: ['who is on mic', 'seats', 'stage', '获取 麦位 列表', '谁 在麦上', '麦位'],
  command: 'get_seat_list',
  effect: 'read',
  description: 'The seats of a live or conference room: who is on each (empty when free) and what is locked.',
  input: z.object({ RoomId }),
  output: reply({
    SeatList: z.array(
      answer({
        Index: z.int(),
        Member_Account: z.string(),
        IsTakenDisabled: z.boolean(),
        IsVideoDisabled: z.boolean(),
        IsAudioDisabled: z.boolean(),
      }),
    ),
  }),
});

export const seat_pick_user = restCommand({
  ...shared,
  name: 'seat_pick_user',
  aliases: ['mic', 'invite on stage', 'bring up guest', 'co-host', '抱 上麦', '邀请 上麦', '上麦', '连麦'],
  command: 'pick_user_on_seat',
  effect: 'write',
  description: 'Put a member of the room on a free seat.',
  input: z.object({ RoomId, Index, Member_Account: Account }),
  output: NoOutput,
});

export const seat_kick_user = restCommand({
  ...shared,
  name: 'seat_kick_user',
  aliases: ['take off mic', 'remove from seat', 'off stage', '踢下麦', '下麦', '移出 麦位'],
  command: 'kick_user_off_seat',
  effect: 'destructive',
  description: 'Take a user off their seat; they stay in the room.',
  input: z.object({ RoomId, Member_Account: Account, Data: z.string().describe('Custom text delivered with the notification') }),
  output: NoOutput,
});

export const seat_lock = restCommand({
  ...shared,
  name: 'seat_lock',
  aliases: ['lock mic', 'lock seat', 'close seat', '锁麦', '封麦', '锁定 麦位'],
  command: 'lock_seat',
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'ForbidTaken is true (the occupant is taken off the seat)',
    effect: 'destructive',
    test: (a) => a.ForbidTaken === true,
  }),
  idempotent: true,
  description: "Lock a seat (its occupant is taken off first) or turn off a seat's video or audio; false undoes.",
  input: z.object({ RoomId, Index, ForbidTaken: z.boolean().optional(), ForbidVideo: z.boolean().optional(), ForbidAudio: z.boolean().optional() }),
  output: NoOutput,
});

export const seat_switch = restCommand({
  ...shared,
  name: 'seat_switch',
  aliases: ['切换 麦位'],
  command: 'switch_seat',
  effect: 'write',
  description: 'Move a seated user to an empty seat (older API; seat_move_user handles taken seats).',
  input: z.object({ RoomId, ToIndex: Index, Member_Account: Account }),
  output: NoOutput,
});

export const seat_move_user = restCommand({
  ...shared,
  name: 'seat_move_user',
  aliases: ['change seat', 'move mic', '换麦', '移动 麦位'],
  command: 'move_user_to_seat',
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'Policy is 1 (the occupant of the seat is left without one)',
    effect: 'destructive',
    test: (a) => a.Policy === 1,
  }),
  description: 'Move a seated user to another seat, choosing what happens if that seat is taken.',
  input: z.object({
    RoomId,
    SeatIndex: Index,
    Member_Account: Account,
    Policy: z.literal([0, 1, 2]).describe('If taken: 0 give up, 1 take the seat and remove its occupant, 2 swap'),
  }),
  output: NoOutput,
});
