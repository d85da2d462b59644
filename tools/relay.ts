// CDN relay and stream mixing (seed 004, "Stream mixing and relay APIs"): a relay bot mixes or forwards a room's
// streams to CDNs or into other rooms.
import { z } from 'zod';
import { ArgumentError, cloudAction, effectByArgs, type BotEntry, type WireEnv } from './define.js';
import {
  AgentParams, FeedBackRoomParams, McuAudioParams, McuSeiParams, McuVideoParams, PublishCdnParams, relayStartProblem, SingleSubscribeParams,
} from './datatypes/mcu.js';
import { REGIONS, SdkAppId } from './fields.js';
import { roomIdType, roomKindIn } from './room-id.js';
import { botSig, byTaskId, startedTask, taskJob, TaskId, TaskOutput, TaskRoomId } from './tasks.js';

const shared = { toolset: 'relay', rateLimit: 20, regions: REGIONS.relay, output: TaskOutput } as const;

const auth = ['AuthFailure', 'AuthFailure.UnRealNameAuthenticated', 'AuthFailure.UnauthorizedOperation', 'AuthFailure.UnsupportedOperation'];
const common = [...auth, 'InternalError', 'InvalidParameter', 'MissingParameter', 'ResourceNotFound'];

const WithTranscoding = z.literal([0, 1]).describe('1 mix (billed), 0 forward one stream');

/** Relay bots that push into rooms need UserSigs; the server mints those the agent left out. */
const feedBackToWire = (rooms: Array<Record<string, any>> | undefined, env: WireEnv) =>
  rooms?.map((r, i) => ({ ...r, UserSig: botSig(env, `FeedBackRoomParams[${i}].UserSig`, r.UserId, r.UserSig) }));

/** RoomIdType of relay: 0 numeric, 1 string. The same bot user entering again pushes the earlier relay out. */
const relayBot = (args: Record<string, any>): BotEntry => ({ roomKind: roomKindIn(startShape, args) ?? 'int', room: String(args.RoomId), userId: args.AgentParams.UserId });
/** A relay acts in its room and in every room it pushes into. */
const relayRooms = (args: Record<string, any>): string[] => [String(args.RoomId), ...(args.FeedBackRoomParams ?? []).map((r: { RoomId: string }) => String(r.RoomId))];

const startShape = {
  SdkAppId,
  RoomId: TaskRoomId,
  RoomIdType: roomIdType({ numeric: 0, string: 1 }),
  AgentParams,
  WithTranscoding,
  AudioParams: McuAudioParams.optional().describe('Needed: audio is always transcoded'),
  VideoParams: McuVideoParams.optional().describe('Omit to relay audio only'),
  SingleSubscribeParams: SingleSubscribeParams.optional().describe('For WithTranscoding 0'),
  PublishCdnParams: PublishCdnParams.optional(),
  SeiParams: McuSeiParams.optional(),
  FeedBackRoomParams: FeedBackRoomParams.wire.optional().describe('Rooms to push the result into'),
};

export const StartPublishCdnStream = cloudAction({
  ...shared,
  action: 'StartPublishCdnStream',
  aliases: [
    'rtmp', 'youtube', 'facebook', 'twitch', 'cdn', 'livestream', 'broadcast', 'push stream', 'restream', 'simulcast',
    '启动 转推', '旁路 推流', '旁路 直播', '转推 CDN', '推流', '直播 推流', '推到 直播 平台', '开始 推流',
  ],
  effect: 'destructive',
  effectOf: effectByArgs('write'),
  bot: relayBot,
  started: startedTask({ bot: relayBot, rooms: relayRooms }),
  job: taskJob('CDN relay', undefined, 'StopPublishCdnStream', 4),
  description: 'Start relaying a room to CDNs and/or other rooms, mixed or as one stream. Returns the TaskId; can start before anyone joins.',
  input: z.object(startShape),
  agentInput: z.object({ ...startShape, FeedBackRoomParams: FeedBackRoomParams.agent.optional().describe('Rooms to push the result into') }),
  toWire(args, env) {
    const problem = relayStartProblem(args);
    if (problem) throw new ArgumentError(...problem);
    const UserSig = args.AgentParams.UserSig ?? env.mintUserSig?.(args.AgentParams.UserId);
    return { ...args, AgentParams: { ...args.AgentParams, UserSig }, FeedBackRoomParams: feedBackToWire(args.FeedBackRoomParams, env) };
  },
  errors: [...common, 'FailedOperation', 'FailedOperation.RestrictedConcurrency', 'InvalidParameter.SdkAppId', 'UnsupportedOperation'],
});

const updateShape = {
  SdkAppId,
  TaskId,
  SequenceNumber: z.int().min(0).describe('Must increase with each update'),
  WithTranscoding,
  AudioParams: McuAudioParams.optional().describe('Encoding cannot change'),
  VideoParams: McuVideoParams.optional().describe('Encoding cannot change'),
  SingleSubscribeParams: SingleSubscribeParams.optional(),
  PublishCdnParams: PublishCdnParams.optional(),
  SeiParams: McuSeiParams.optional(),
  FeedBackRoomParams: FeedBackRoomParams.wire.optional(),
};

export const UpdatePublishCdnStream = cloudAction({
  ...shared,
  action: 'UpdatePublishCdnStream',
  aliases: ['change livestream', 'change rtmp', 'change broadcast layout', '更新 转推', '修改 推流', '修改 转推 布局'],
  effect: 'destructive',
  effectOf: effectByArgs(
    'write',
    {
      when: 'PublishCdnParams is given (CDN addresses left out stop receiving)',
      effect: 'destructive',
      test: (a) => a.PublishCdnParams !== undefined,
    },
    {
      when: 'FeedBackRoomParams is given (rooms left out stop receiving)',
      effect: 'destructive',
      test: (a) => a.FeedBackRoomParams !== undefined,
    },
  ),
  targets: byTaskId,
  idempotent: true,
  description: 'Change a running relay. Only the members passed change.',
  input: z.object(updateShape),
  agentInput: z.object({ ...updateShape, FeedBackRoomParams: FeedBackRoomParams.agent.optional() }),
  toWire: (args, env) => ({ ...args, FeedBackRoomParams: feedBackToWire(args.FeedBackRoomParams, env) }),
  errors: [...common, 'FailedOperation', 'UnsupportedOperation'],
});

export const StopPublishCdnStream = cloudAction({
  ...shared,
  action: 'StopPublishCdnStream',
  aliases: [
    'stop rtmp', 'stop livestream', 'stop broadcast', 'stop youtube', 'stop facebook', 'stop cdn relay',
    '停止 转推', '停止 推流', '停止 旁路 推流', '停止 旁路 直播',
  ],
  effect: 'destructive',
  description: 'Stop a relay.',
  input: z.object({ SdkAppId, TaskId }),
  targets: byTaskId,
  errors: [...common, 'FailedOperation.CRUnsupportMethod'],
});
