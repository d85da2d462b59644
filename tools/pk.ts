// PK battles between live rooms (REST service live_engine_http_pk). A battle ends when its time is up.
import { z } from 'zod';
import { effectByArgs, restCommand, type TargetRef } from './define.js';
import { answer, reply, RoomId } from './rest-fields.js';

const shared = { toolset: 'pk', service: 'live_engine_http_pk', rateLimit: 200 } as const;
const BattleId = z.string().min(1);
const byBattleId = (args: Record<string, any>): TargetRef[] => [{ kind: 'battle', id: args.BattleId }];
const RoomScore = answer({ RoomId: z.string(), Score: z.int(), Owner_Account: z.string() });

export const pk_create_battle = restCommand({
  ...shared,
  name: 'pk_create_battle',
  aliases: ['pk', 'battle', 'host versus host', 'competition', '发起 PK', '主播 PK', '开始 对战'],
  command: 'create_battle',
  effect: 'write',
  description:
    'Start a PK battle between live rooms whose hosts are already connected (not checked). Result says, per invited room: 0 joined, 3 busy in another battle, 5 failed.',
  input: z.object({
    FromRoomId: RoomId.describe('Inviting room'),
    ToRoomIdList: z.array(RoomId).min(1).describe('Invited rooms'),
    Duration: z.int().min(1).describe('Milliseconds'),
    ExtensionInfo: z.string().optional(),
  }),
  output: reply({
    BattleId: z.string(),
    Result: z.array(answer({ RoomId: z.string(), ResultCode: z.int(), ResultMessage: z.string() })),
  }),
  errors: ['100001', '100002', '100003', '100412', '100415'],
  started: (r, a) => (r.BattleId ? [{ ref: { kind: 'battle', id: r.BattleId }, rooms: [a.FromRoomId, ...a.ToRoomIdList] }] : []),
});

export const pk_get_battle_info = restCommand({
  ...shared,
  name: 'pk_get_battle_info',
  aliases: ['battle score', 'who is winning', '获取 PK 信息', 'PK 比分', '谁 赢'],
  command: 'get_battle_info',
  effect: 'read',
  description: 'A battle: its rooms, their scores and owners, and its times (StartTime/EndTime in Unix seconds, Duration in ms).',
  input: z.object({ BattleId, RoomId: RoomId.optional() }),
  targets: byBattleId,
  locates: {
    kind: 'battle',
    *requests(id) {
      yield { BattleId: id };
    },
    rooms: (r) => (r.FromRoomInfo?.RoomId ? [r.FromRoomInfo.RoomId, ...(r.ToRoomList ?? []).map((x: { RoomId: string }) => x.RoomId)] : undefined),
    // Battles are between live rooms, which have string IDs.
    roomKind: () => 'str',
  },
  output: reply({
    BattleId: z.string(),
    Duration: z.int(),
    StartTime: z.int(),
    EndTime: z.int(),
    Status: z.int(),
    FromRoomInfo: RoomScore,
    ToRoomList: z.array(RoomScore),
  }),
});

export const pk_set_battle_score = restCommand({
  ...shared,
  name: 'pk_set_battle_score',
  aliases: ['add points', 'change score', '设置 PK 分数', '加分', '修改 比分'],
  command: 'set_battle_score',
  effect: 'destructive',
  effectOf: effectByArgs('write', {
    when: 'OpType is 2 (the scores so far are overwritten)',
    effect: 'destructive',
    test: (a) => a.OpType === 2,
  }),
  targets: byBattleId,
  description: 'Add to (OpType 1) or overwrite (OpType 2) the scores of rooms in a battle. Result per room: 0 done, 1 no such room.',
  input: z.object({
    BattleId,
    OpType: z.literal([1, 2]),
    ScoreList: z.array(z.strictObject({ RoomId, Score: z.int() })).min(1),
  }),
  output: reply({ Result: z.array(answer({ RoomId: z.string(), ResultCode: z.int() })) }),
});
