// TUICallKit calls started by the server (REST service call_engine_http_srv) and call records (call_record_http_srv).
import { z } from 'zod';
import { restCommand, roomRows, type TargetRef } from './define.js';
import { NoOutput } from './fields.js';
import { roomIdType } from './room-id.js';
import { Account, Accounts, answer, reply, text } from './rest-fields.js';

const shared = { toolset: 'call', service: 'call_engine_http_srv', rateLimit: 200 } as const;
const CallId = z.string().min(1);
const byCallId = (args: Record<string, any>): TargetRef[] => [{ kind: 'call', id: args.CallId }];

const CallInfo = z
  .strictObject({
    MediaType: z.enum(['Video', 'Audio']),
    RoomId: z.string().min(1).optional().describe('TRTC room of the call'),
    // Here 1 is a numeric room and 2 a string room.
    RoomIdType: roomIdType({ numeric: 1, string: 2, optional: true }),
  });

export const call_start_by_robot = restCommand({
  ...shared,
  name: 'call_start_by_robot',
  aliases: ['ring', 'phone', 'dial', 'invite to call', 'outbound call', '机器人 发起 呼叫', '拨打 电话', '打 电话', '呼叫 用户', '外呼'],
  command: 'start_call_by_robot',
  effect: 'write',
  description: 'Ring users from a robot account. Send the robot\'s media into the room separately (e.g. StartStreamIngest).',
  input: z.object({
    Robot_Account: Account.describe('Caller (a robot user ID)'),
    CalleeList_Account: Accounts(),
    Timeout: z.int().min(10_000).max(600_000).describe('Ringing time in ms'),
    UserData: text(1000).optional().describe('Passed to the callees'),
    CallInfo,
    OfflinePushInfo: z
      .strictObject({
        PushFlag: z.literal([0, 1]).optional().describe('0 push, 1 do not push'),
        Title: z.string().optional(),
        Desc: z.string().optional(),
        Ext: z.string().optional(),
      })
      .optional()
      .describe('Offline push notification'),
  }),
  output: reply({
    CallId: z.string(),
    CallResult: z.array(answer({ Callee_Account: z.string(), ResultCode: z.int() })),
  }),
  errors: ['101001', '101002', '101004'],
  started: (r, a) => (r.CallId && a.CallInfo.RoomId !== undefined ? [{ ref: { kind: 'call', id: r.CallId }, rooms: [a.CallInfo.RoomId] }] : []),
  roomArgument: 'CallInfo.RoomId',
});

export const call_get_info = restCommand({
  ...shared,
  name: 'call_get_info',
  aliases: ['is call ringing', 'call status', '获取 通话 信息', '通话 状态', '是否 响铃'],
  command: 'get_call_info',
  effect: 'read',
  description: 'A call in progress: its media and room, and each user\'s status (Calling: in the call; Waiting: ringing).',
  input: z.object({ CallId }),
  targets: byCallId,
  locates: {
    kind: 'call',
    *requests(id) {
      yield { CallId: id };
    },
    rooms: (r) => (r.CallInfo?.RoomId ? [r.CallInfo.RoomId] : undefined),
    roomKind: (r) => (r.CallInfo?.RoomIdType === 1 ? 'int' : r.CallInfo?.RoomIdType === 2 ? 'str' : undefined),
  },
  output: reply({
    CallInfo: answer({ CallId: z.string(), MediaType: z.string(), ChatGroupId: z.string(), RoomId: z.string(), RoomIdType: z.int() }),
    UserList: z.array(answer({ User_Account: z.string(), Status: z.string() })),
  }),
  errors: ['101004'],
});

export const call_end = restCommand({
  ...shared,
  name: 'call_end',
  aliases: ['hang up', 'end phone call', '挂断 通话', '挂断 电话', '结束 呼叫', '挂 电话'],
  command: 'end_call',
  effect: 'destructive',
  confirmField: 'CallId',
  description: 'Hang up a call for everyone in it.',
  input: z.object({ CallId }),
  targets: byCallId,
  output: NoOutput,
  errors: ['101004'],
});

export const call_get_records = restCommand({
  ...shared,
  service: 'call_record_http_srv',
  name: 'call_get_records',
  aliases: ['call log', 'missed calls', 'call history', '获取 通话 记录', '未接 来电', '呼叫 记录'],
  command: 'get_record_by_filter',
  effect: 'read',
  description: 'Records of calls from the last 7 days, filtered and paged ({} gives the first 10). The answer is returned as Tencent sends it.',
  input: z.object({
    StartTime: z.int().min(0).optional().describe('Unix seconds; default 7 days ago'),
    EndTime: z.int().min(0).optional().describe('Unix seconds; default now'),
    CallResult: z.string().optional().describe('e.g. NormalEnd'),
    CallType: z.string().optional().describe('e.g. SingleCall'),
    NumberPerPage: z.int().min(1).optional(),
    Page: z.int().min(1).optional(),
  }),
  output: z.looseObject(NoOutput.shape),
  roomRows: roomRows('RecordList', 'RoomId'),
});

export const call_get_record = restCommand({
  ...shared,
  service: 'call_record_http_srv',
  name: 'call_get_record',
  aliases: ['call log entry', '获取 单条 通话 记录'],
  command: 'get_record_by_callid',
  effect: 'read',
  targets: byCallId,
  description: 'The record of one call from the last 7 days: parties, media, type, result and times.',
  input: z.object({ CallId }),
  output: reply({
    CallRecord: answer({
      CallId: z.string(), Caller_Account: z.string(), MediaType: z.string(), CallType: z.string(),
      StartTime: z.int(), AcceptTime: z.int(), EndTime: z.int(), CallResult: z.string(),
    }).catchall(z.unknown()),
  }),
  errors: ['101004'],
});
