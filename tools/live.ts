// TUILiveKit live rooms (REST service live_engine_http_srv): lifecycle, info, metadata, admins,
// bans and mutes, members, owner, messages, statistics and robots.
import { z } from 'zod';
import { effectByArgs, restCommand, roomRows } from './define.js';
import { NoOutput } from './fields.js';
import { Account, Accounts, answer, BannedList, BanPaging, Category, reply, RoomId, TakeSeatMode, text } from './rest-fields.js';

const service = 'live_engine_http_srv';
const shared = { toolset: 'live', service, rateLimit: 200 } as const;
/** Robot commands and statistics have their own, lower limit. */
const robots = { ...shared, rateLimit: 100 } as const;

const SeatTemplate = z
  .enum(['VideoDynamicGrid9Seats', 'VideoDynamicFloat7Seats', 'VideoFixedGrid9Seats', 'VideoFixedFloat7Seats', 'AudioSalon', 'Karaoke'])
  .describe('Layout: Video* templates for video (9 or 7 guest seats); AudioSalon or Karaoke for voice');

const Metadata = z.array(answer({ Key: z.string(), Value: z.string() }));

const LiveRoomInfo = answer({
  RoomId: z.string(),
  RoomName: z.string(),
  RoomType: z.string(),
  Owner_Account: z.string(),
  CreateTime: z.int(),
  IsSeatEnabled: z.boolean(),
  TakeSeatMode: z.union([z.string(), z.int()]),
  MaxSeatCount: z.int(),
  MaxMemberCount: z.int(),
  IsMessageDisabled: z.boolean(),
  CoverURL: z.string(),
  Category: z.array(z.int()),
  ActivityStatus: z.int(),
  ViewCount: z.int(),
  IsPublicVisible: z.boolean(),
});

export const live_create_room = restCommand({
  ...shared,
  name: 'live_create_room',
  aliases: ['new live stream', 'go live', 'voice chat room', 'start broadcast room', '创建 直播间', '开播', '语聊房', '新建 直播'],
  command: 'create_room',
  effect: 'write',
  description: 'Create a live-streaming or voice-chat room. It stays until destroyed.',
  input: z.object({
    RoomInfo: z.strictObject({
      RoomId,
      RoomType: z.literal('Live'),
      Owner_Account: Account.optional().describe('Host; defaults to the admin account'),
      TakeSeatMode: TakeSeatMode.optional(),
      SeatTemplate,
      MaxSeatCount: z.int().min(1).optional().describe('Seat count, for AudioSalon and Karaoke only; capped by the package'),
      IsMessageDisabled: z.boolean().optional().describe('Mute chat for everyone'),
      IsPublicVisible: z.boolean().optional().describe('Shown in live_get_room_list (default true)'),
      RoomName: text(100).optional(),
      CoverURL: text(200).optional(),
      Category: Category.optional(),
      ActivityStatus: z.int().optional().describe('Custom status sent to everyone in the room'),
    }),
  }),
  output: reply({ RoomId: z.string() }),
  errors: ['100001', '100002', '100003', '100007', '100010', '100011', '100012', '100026'],
});

export const live_destroy_room = restCommand({
  ...shared,
  name: 'live_destroy_room',
  aliases: ['end live stream', 'close live room', '解散 直播间', '关闭 直播间', '下播'],
  command: 'destroy_room',
  effect: 'destructive',
  confirmField: 'RoomId',
  description: 'Close a live room for good: everyone leaves and its seats, battles and settings are gone.',
  input: z.object({ RoomId }),
  output: NoOutput,
});

export const live_update_room_info = restCommand({
  ...shared,
  name: 'live_update_room_info',
  aliases: ['change live room', 'rename stream', 'cover image', '修改 直播间 信息', '直播间 改名', '封面'],
  command: 'update_room_info',
  effect: 'write',
  idempotent: true,
  description: 'Change settings of a live room; fields left out keep their value.',
  input: z.object({
    RoomInfo: z.strictObject({
      RoomId,
      RoomName: text(100).optional(),
      MaxMemberCount: z.int().min(1).optional(),
      IsMessageDisabled: z.boolean().optional().describe('Mute chat for all but the owner and admins'),
      CoverURL: text(200).optional(),
      Category: Category.optional(),
      ActivityStatus: z.int().optional(),
      IsPublicVisible: z.boolean().optional(),
      TakeSeatMode: TakeSeatMode.optional(),
      Notice: text(100).optional(),
    }),
  }),
  output: NoOutput,
});

export const live_get_room_info = restCommand({
  ...shared,
  name: 'live_get_room_info',
  aliases: ['live room settings', 'live room details', '获取 直播间 信息', '直播间 详情', '直播间 设置'],
  command: 'get_room_info',
  effect: 'read',
  description: "A live room's settings, owner and view count.",
  input: z.object({ RoomId }),
  output: reply({ RoomInfo: LiveRoomInfo }),
});

export const live_get_room_list = restCommand({
  ...shared,
  name: 'live_get_room_list',
  aliases: ['all live rooms', 'which streams are live', '获取 直播间 列表', '所有 直播间', '正在 直播 房间'],
  command: 'get_room_list',
  rateLimit: 10,
  effect: 'read',
  description: 'Page through the public live rooms, most viewed first. Next "" in the answer means the last page.',
  roomRows: roomRows('RoomList', 'RoomId', 'str'),
  input: z.object({
    Next: z.string().describe('"" for the first page, then the Next of the previous answer'),
    Count: z.int().min(1).max(20),
  }),
  output: reply({
    Next: z.string(),
    RoomList: z.array(
      answer({
        RoomId: z.string(),
        RoomName: z.string(),
        Owner_Account: z.string(),
        CoverURL: z.string(),
        Category: z.array(z.int()),
        CreateTime: z.int(),
        ActivityStatus: z.int(),
        ViewCount: z.int(),
      }),
    ),
  }),
});

export const live_get_room_metadata = restCommand({
  ...shared,
  name: 'live_get_room_metadata',
  aliases: ['获取 直播间 元数据'],
  command: 'get_room_metadata',
  effect: 'read',
  description: "Read a live room's custom key/value metadata.",
  input: z.object({ RoomId, Keys: z.array(z.string()).describe('Keys to read; [] reads all') }),
  output: reply({ Metadata }),
});

export const live_set_room_metadata = restCommand({
  ...shared,
  name: 'live_set_room_metadata',
  aliases: ['设置 直播间 元数据'],
  command: 'set_room_metadata',
  effect: 'write',
  idempotent: true,
  description: 'Add or overwrite metadata keys of a live room (a room holds at most 10 keys, 16 KB in all).',
  input: z.object({
    RoomId,
    Metadata: z.array(z.strictObject({ Key: text(50, 1), Value: text(2048) })).min(1).max(10),
  }),
  output: NoOutput,
});

export const live_del_room_metadata = restCommand({
  ...shared,
  name: 'live_del_room_metadata',
  aliases: ['删除 直播间 元数据'],
  command: 'del_room_metadata',
  effect: 'destructive',
  description: 'Delete metadata keys of a live room.',
  input: z.object({ RoomId, Keys: z.array(z.string().min(1)).min(1) }),
  output: NoOutput,
});

export const live_get_admin_list = restCommand({
  ...shared,
  name: 'live_get_admin_list',
  aliases: ['moderators', 'who are admins', '获取 管理员 列表', '管理员 有谁'],
  command: 'get_admin_list',
  effect: 'read',
  description: "List a live room's admins.",
  input: z.object({ RoomId }),
  output: reply({ Admin_Account: z.array(z.string()) }),
});

export const live_modify_admin = restCommand({
  ...shared,
  name: 'live_modify_admin',
  aliases: ['moderator', 'make admin', 'promote', 'demote', '设置 管理员', '取消 管理员', '房管'],
  command: 'modify_admin',
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'OpType is "delete" (the users lose the admin role)',
    effect: 'destructive',
    test: (a) => a.OpType === 'delete',
  }),
  idempotent: true,
  description: 'Make users admins of a live room, or take the role away (at most 5 admins per room).',
  input: z.object({ RoomId, Admin_Account: Accounts(5), OpType: z.enum(['add', 'delete']) }),
  output: NoOutput,
  errors: ['100020'],
});

export const live_ban_member = restCommand({
  ...shared,
  name: 'live_ban_member',
  aliases: ['ban viewer', 'block viewer', 'kick from stream', '封禁 成员', '拉黑', '拉黑 观众', '踢出 直播间'],
  command: 'ban_member',
  effect: 'destructive',
  description: 'Remove members from a live room and keep them out for Duration seconds.',
  input: z.object({ RoomId, MemberList_Account: Accounts(20), Reason: text(200).optional(), Duration: z.int().min(1).describe('Seconds') }),
  output: NoOutput,
});

export const live_unban_member = restCommand({
  ...shared,
  name: 'live_unban_member',
  aliases: ['unban viewer', 'allow back', '解除 封禁', '取消 拉黑'],
  command: 'unban_member',
  effect: 'write',
  idempotent: true,
  description: 'Lift bans in a live room, so the users may enter again.',
  input: z.object({ RoomId, MemberList_Account: Accounts(20) }),
  output: NoOutput,
});

export const live_get_banned_member_list = restCommand({
  ...shared,
  name: 'live_get_banned_member_list',
  aliases: ['who is banned', '获取 封禁 列表', '被 封禁 用户', '黑名单'],
  command: 'get_banned_member_list',
  effect: 'read',
  description: 'List the users banned from a live room, with when each ban ends (Unix seconds). NextOffset 0: last page.',
  input: z.object({ RoomId, ...BanPaging }),
  output: BannedList,
});

export const live_mute_member = restCommand({
  ...shared,
  name: 'live_mute_member',
  aliases: ['stop chatting', 'chat mute', 'silence comments', '禁言 成员', '禁止 发 弹幕', '禁止 评论', '不让 评论'],
  command: 'mute_member',
  effect: 'write',
  idempotent: true,
  description: 'Stop members from sending chat messages in a live room for MuteTime seconds; 0 lifts the mute.',
  input: z.object({ RoomId, MemberList_Account: Accounts(), MuteTime: z.int().min(0).describe('Seconds; 0 unmutes') }),
  output: NoOutput,
});

export const live_get_muted_member_list = restCommand({
  ...shared,
  name: 'live_get_muted_member_list',
  aliases: ['who is muted', '获取 禁言 列表', '被 禁言 用户'],
  command: 'get_muted_member_list',
  effect: 'read',
  description: 'List the muted members of a live room, with when each mute ends (Unix seconds).',
  input: z.object({ RoomId }),
  output: reply({ MutedAccountList: z.array(answer({ Member_Account: z.string(), MutedUntil: z.int() })) }),
});

export const live_get_member_list = restCommand({
  ...shared,
  name: 'live_get_member_list',
  aliases: ['who is watching', 'viewers', 'audience', 'who is in live room', '获取 直播间 成员 列表', '观众 列表', '谁 在看 直播', '直播间 有谁', '多少 观众'],
  command: 'get_member_list',
  effect: 'read',
  description: 'Page through the users in a live room now. Next "" in the answer means the last page.',
  input: z.object({ RoomId, Next: z.string().describe('"" for the first page, then the Next of the previous answer') }),
  output: reply({ Next: z.string(), MemberCount: z.int(), MemberList: z.array(answer({ Member_Account: z.string() })) }),
});

export const live_change_room_owner = restCommand({
  ...shared,
  name: 'live_change_room_owner',
  aliases: ['transfer ownership', 'new host', 'hand over', '转让 房主', '更换 主播', '移交 直播间'],
  command: 'change_room_owner',
  // The owner loses the room.
  effect: 'destructive',
  idempotent: true,
  description: 'Hand a live room over to another user.',
  input: z.object({ RoomId, NewOwner_Account: Account }),
  output: NoOutput,
});

export const live_send_text_msg = restCommand({
  ...shared,
  name: 'live_send_text_msg',
  aliases: ['chat message', 'announcement', 'danmaku', 'broadcast message', 'send message', '发送 文本 消息', '发 弹幕', '弹幕', '发 公告', '聊天 消息'],
  command: 'send_text_msg',
  effect: 'write',
  description: 'Post a text (bullet-comment) message in a live room as Sender_Account.',
  input: z.object({ RoomId, Sender_Account: Account, TextContent: z.string().min(1), ExtensionInfo: z.string().optional().describe('JSON string') }),
  output: NoOutput,
});

export const live_send_custom_msg = restCommand({
  ...shared,
  name: 'live_send_custom_msg',
  aliases: ['signal', 'custom message', 'send data', '发送 自定义 消息', '自定义 信令'],
  command: 'send_custom_msg',
  effect: 'write',
  description: 'Post a custom business message (BusinessId + Data) in a live room as Sender_Account.',
  input: z.object({ RoomId, Sender_Account: Account, BusinessId: z.string().min(1), Data: z.string() }),
  output: NoOutput,
});

export const live_get_room_stats = restCommand({
  ...robots,
  name: 'live_get_room_stats',
  aliases: ['viewers count', 'likes', 'how many viewers', 'stream statistics', '获取 直播间 统计', '观看 人数', '点赞数', '直播 数据'],
  command: 'get_room_stats',
  effect: 'read',
  description: 'Totals of a live room: viewers, gifts, likes and messages.',
  input: z.object({ RoomId }),
  output: reply({
    TotalViewers: z.int(),
    TotalGiftsSent: z.int(),
    TotalGiftCoins: z.int(),
    TotalUniqueGiftSenders: z.int(),
    TotalLikesReceived: z.int(),
    TotalMsgCount: z.int(),
  }),
});

export const live_add_robot = restCommand({
  ...robots,
  name: 'live_add_robot',
  aliases: ['add bot viewer', '添加 机器人', '机器人 观众'],
  command: 'add_robot',
  effect: 'write',
  idempotent: true,
  description: 'Put robot users (existing accounts) into a live room.',
  input: z.object({ RoomId, RobotList_Account: Accounts() }),
  output: NoOutput,
  errors: ['100004', '100006'],
});

export const live_get_robot = restCommand({
  ...robots,
  name: 'live_get_robot',
  aliases: ['获取 机器人 列表'],
  command: 'get_robot',
  effect: 'read',
  description: 'List the robots in a live room.',
  input: z.object({ RoomId }),
  output: reply({ RobotList_Account: z.array(z.string()) }),
});

export const live_del_robot = restCommand({
  ...robots,
  name: 'live_del_robot',
  aliases: ['删除 机器人'],
  command: 'del_robot',
  effect: 'destructive',
  description: 'Take robots out of a live room.',
  input: z.object({ RoomId, RobotList_Account: Accounts() }),
  output: NoOutput,
});

export const live_get_gift_count = restCommand({
  ...shared,
  name: 'live_get_gift_count',
  aliases: ['gifts received', 'tips total', '获取 礼物 统计', '收到 礼物', '打赏 总额'],
  command: 'get_gift_count',
  effect: 'read',
  description: 'Gift totals of one sender in a live room.',
  input: z.object({ RoomId, From_Account: Account }),
  output: reply({ Sequence: z.int(), TotalCount: z.int(), TotalCoins: z.int(), GiftSenderCount: z.int() }),
});
