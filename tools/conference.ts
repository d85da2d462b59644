// TUIRoomKit conference rooms (REST service room_engine_http_srv): lifecycle, scheduling, members and robots.
import { z } from 'zod';
import { ArgumentError, restCommand } from './define.js';
import { NoOutput } from './fields.js';
import { Account, Accounts, answer, BannedList, BanPaging, reply, RoomId, TakeSeatMode, text } from './rest-fields.js';

const shared = { toolset: 'conference', service: 'room_engine_http_srv', rateLimit: 200 } as const;
/** A scheduled conference lasts at least this long. */
const MIN_CONFERENCE_S = 300;

const switches = {
  MaxMemberCount: z.int().min(1).optional(),
  IsVideoDisabled: z.boolean().optional(),
  IsAudioDisabled: z.boolean().optional(),
  IsMessageDisabled: z.boolean().optional(),
  IsScreenSharingDisabled: z.boolean().optional(),
  IsCloudRecordingDisabled: z.boolean().optional(),
  CustomInfo: text(500).optional(),
  TakeSeatMode: TakeSeatMode.optional(),
};

export const conference_create_room = restCommand({
  ...shared,
  name: 'conference_create_room',
  aliases: ['schedule meeting', 'new meeting', 'book meeting', '创建 会议', '预约 会议', '新建 会议'],
  command: 'create_room',
  effect: 'write',
  description: 'Create a conference room now, or schedule one and invite users. Times are Unix seconds.',
  input: z.object({
    RoomInfo: z.strictObject({
      RoomId,
      RoomName: text(100).optional(),
      RoomType: z.literal('Conference'),
      Owner_Account: Account.optional().describe('Defaults to the admin account'),
      ScheduleStartTime: z.int().min(0).optional().describe('Default now'),
      ScheduleEndTime: z.int().min(0).optional().describe('Default start + 1 h; at least start + 5 min'),
      IsSeatEnabled: z.boolean().optional(),
      MaxSeatCount: z.int().min(1).optional(),
      ...switches,
    }),
    ScheduleInviteeList_Account: z.array(Account).optional(),
  }),
  // The end must leave room for the shortest conference, counted from the start or from now.
  toWire(args, env) {
    const { ScheduleStartTime, ScheduleEndTime } = args.RoomInfo;
    const start = ScheduleStartTime ?? Math.floor(env.now() / 1000);
    if (ScheduleEndTime !== undefined && ScheduleEndTime < start + MIN_CONFERENCE_S) {
      throw new ArgumentError('RoomInfo.ScheduleEndTime', `must be at least ${MIN_CONFERENCE_S} s after the start (${start})`);
    }
    return args;
  },
  output: NoOutput,
});

export const conference_destroy_room = restCommand({
  ...shared,
  name: 'conference_destroy_room',
  aliases: ['end meeting', 'cancel meeting', 'end conference', '解散 会议', '结束 会议', '取消 会议'],
  command: 'destroy_room',
  effect: 'destructive',
  confirmField: 'RoomId',
  description: 'End a conference room for everyone and delete it.',
  input: z.object({ RoomId }),
  output: NoOutput,
  errors: ['100004', '100006'],
});

export const conference_update_room_info = restCommand({
  ...shared,
  name: 'conference_update_room_info',
  aliases: ['修改 会议 信息'],
  command: 'update_room_info',
  effect: 'write',
  idempotent: true,
  description: 'Change settings of a conference room; fields left out keep their value.',
  input: z.object({ RoomInfo: z.strictObject({ RoomId, RoomName: text(100).optional(), ...switches }) }),
  output: NoOutput,
});

export const conference_get_room_info = restCommand({
  ...shared,
  name: 'conference_get_room_info',
  aliases: ['meeting details', 'meeting status', '获取 会议 信息', '会议 详情', '会议 状态'],
  command: 'get_room_info',
  effect: 'read',
  description: "A conference room's settings, schedule, status and member count.",
  input: z.object({ RoomId }),
  output: reply({
    RoomInfo: answer({
      RoomId: z.string(),
      RoomName: z.string(),
      RoomType: z.string(),
      Owner_Account: z.string(),
      MaxMemberCount: z.int(),
      MaxSeatCount: z.int(),
      IsVideoDisabled: z.boolean(),
      IsAudioDisabled: z.boolean(),
      IsMessageDisabled: z.boolean(),
      IsScreenSharingDisabled: z.boolean(),
      IsCloudRecordingDisabled: z.boolean(),
      CustomInfo: z.string(),
      ScheduleStartTime: z.int(),
      ScheduleEndTime: z.int(),
      RoomStatus: z.string().describe('None, NotStarted or Running'),
      IsSeatEnabled: z.boolean(),
      TakeSeatMode: z.string(),
      CreateTime: z.int(),
      MemberCount: z.int(),
    }),
  }),
  errors: ['100005', '100006'],
});

export const conference_get_member_list = restCommand({
  ...shared,
  name: 'conference_get_member_list',
  aliases: ['meeting attendees', 'who is in meeting', 'members of meeting', '获取 会议 成员 列表', '参会 人员', '会议里 有谁'],
  command: 'get_room_member_list',
  effect: 'read',
  description: 'Page through the members of a conference room with their roles and marks. Next "" in the answer means the last page.',
  input: z.object({
    RoomId,
    Count: z.int().min(1).optional().describe('Default 50'),
    Next: z.string().optional().describe('Omit or "" for the first page, then the Next of the previous answer'),
  }),
  output: reply({
    Next: z.string(),
    MemberList: z.array(
      answer({
        Member_Account: z.string(),
        NameCard: z.string(),
        Role: z.string().describe('RoomOwner, Admin or Member'),
        Marks: z.array(z.int()),
        CustomInfo: z.string(),
      }),
    ),
  }),
});

export const conference_update_member_info = restCommand({
  ...shared,
  name: 'conference_update_member_info',
  aliases: ['rename attendee', 'make cohost', '修改 参会者 信息', '设为 联席 主持人', '修改 名片'],
  command: 'update_room_member_info',
  effect: 'write',
  idempotent: true,
  description: "Change a conference member's name card, role or custom info.",
  input: z.object({
    RoomId,
    MemberInfo: z.strictObject({
      Member_Account: Account,
      NameCard: text(32).optional(),
      Role: z.enum(['Admin', 'Member']).optional(),
      CustomInfo: text(60).optional(),
    }),
  }),
  output: NoOutput,
});

export const conference_change_room_owner = restCommand({
  ...shared,
  name: 'conference_change_room_owner',
  aliases: ['new meeting host', 'transfer meeting', '转让 会议 主持人', '更换 主持人'],
  command: 'change_room_owner',
  // The owner loses the room.
  effect: 'destructive',
  idempotent: true,
  description: 'Hand a conference room from its owner to another member.',
  input: z.object({ RoomId, From_Account: Account.describe('Current owner'), NewOwner_Account: Account }),
  output: NoOutput,
  errors: ['100005'],
});

export const conference_mark_member = restCommand({
  ...shared,
  name: 'conference_mark_member',
  aliases: ['标记 成员', '会议 成员 标记'],
  command: 'mark_room_member',
  effect: 'write',
  idempotent: true,
  description: 'Set (CommandType 1) or remove (2) numeric marks on conference members. A room uses at most 10 distinct marks.',
  input: z.object({
    RoomId,
    CommandType: z.literal([1, 2]),
    MemberList: z
      .array(z.strictObject({ Member_Account: Account, Marks: z.array(z.int().min(1000)).min(1).max(3) }))
      .min(1)
      .max(10),
  }),
  output: NoOutput,
});

export const conference_ban_member = restCommand({
  ...shared,
  name: 'conference_ban_member',
  aliases: ['ban from meeting', '会议 封禁 成员', '禁止 入会'],
  command: 'ban_room_member',
  effect: 'destructive',
  description: 'Remove members from a conference room and keep them out for Duration seconds.',
  input: z.object({ RoomId, MemberList_Account: Accounts(20), Reason: text(1000), Duration: z.int().min(1).describe('Seconds') }),
  output: NoOutput,
});

export const conference_unban_member = restCommand({
  ...shared,
  name: 'conference_unban_member',
  aliases: ['会议 解除 封禁'],
  command: 'unban_room_member',
  effect: 'write',
  idempotent: true,
  description: 'Lift bans in a conference room.',
  input: z.object({ RoomId, MemberList_Account: Accounts(20) }),
  output: NoOutput,
});

export const conference_get_banned_member_list = restCommand({
  ...shared,
  name: 'conference_get_banned_member_list',
  aliases: ['会议 封禁 列表'],
  command: 'get_banned_member_list',
  effect: 'read',
  description: 'List the users banned from a conference room, with when each ban ends (Unix seconds). NextOffset 0: last page.',
  input: z.object({ RoomId, ...BanPaging }),
  output: BannedList,
});

export const conference_kick_user_out = restCommand({
  ...shared,
  name: 'conference_kick_user_out',
  aliases: ['kick from meeting', 'remove from meeting', 'throw out', '踢出 会议', '移出 会议'],
  command: 'kick_user_out',
  effect: 'destructive',
  description: 'Remove members from a conference room; they may come back unless banned.',
  input: z.object({ RoomId, MemberList_Account: Accounts(20), Reason: text(1000) }),
  output: NoOutput,
  errors: ['100005', '100006'],
});

export const conference_add_robot = restCommand({
  ...shared,
  name: 'conference_add_robot',
  aliases: ['会议 添加 机器人'],
  command: 'add_robot',
  effect: 'write',
  idempotent: true,
  description: 'Add a robot user (for example one that streams media) to a conference room.',
  input: z.object({ RoomId, Member_Account: Account }),
  output: NoOutput,
});

export const conference_delete_robot = restCommand({
  ...shared,
  name: 'conference_delete_robot',
  aliases: ['会议 删除 机器人'],
  command: 'delete_robot',
  effect: 'destructive',
  description: 'Remove a robot from a conference room.',
  input: z.object({ RoomId, Member_Account: Account }),
  output: NoOutput,
});
