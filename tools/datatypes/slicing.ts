// Data types of cloud slicing and cloud moderation ("Cloud Slicing APIs", "Cloud Moderation APIs"): a bot cuts a
// room's audio into clips and its video into frames, stores them, and (for moderation) hands them to a checker.
import { z } from 'zod';
import type { BotEntry } from '../define.js';
import { roomIdType, roomKindIn } from '../room-id.js';
import { SdkAppId } from '../fields.js';
import { TaskRoomId, UserSig } from '../tasks.js';
import { SubscribeStreamUserIds } from './recording.js';

const int = (min: number, max: number) => z.int().min(min).max(max);

/** Where clips and frames go: COS, AWS S3 or Alibaba Cloud OSS. */
export const SliceStorage = z.strictObject({
  Vendor: z.literal([0, 1, 2]).describe('0 Tencent COS, 1 AWS S3, 2 Alibaba OSS'),
  Region: z.string().min(1),
  Bucket: z.string().min(1),
  AccessKey: z.string().min(1),
  SecretKey: z.string().min(1),
  FileNamePrefix: z.array(z.string().regex(/^[\w-]+$/)).optional(),
});

export { SubscribeStreamUserIds };

/** What a moderation or slicing bot is started with (the two share it, as recording does). */
export const botTaskShape = {
  SdkAppId,
  RoomId: TaskRoomId,
  UserId: z.string().min(1).describe('Bot user ID; not an anchor\'s'),
  UserSig,
  RoomIdType: roomIdType({ numeric: 1, string: 0, fallback: 'int' }),
};

/** A moderation or slicing bot in its room: the same bot user entering again ends the earlier task. */
export const sliceBot = (args: Record<string, any>): BotEntry => ({ roomKind: roomKindIn(botTaskShape, args) ?? 'int', room: String(args.RoomId), userId: args.UserId });

export const SliceParams = z.strictObject({
  SliceType: z.literal([1, 2, 3]).optional().describe('1 audio, 2 video frames, 3 both'),
  MaxIdleTime: int(5, 86400).optional().describe('Idle s before it stops; default 30'),
  SliceAudio: int(15, 60).optional().describe('Clip s; default 15'),
  SliceVideo: int(5, 60).optional().describe('Frame every s; default 5'),
  SubscribeStreamUserIds: SubscribeStreamUserIds.optional(),
});

export const SliceStorageParams = z.strictObject({ CloudSliceStorage: SliceStorage.optional() });

/** A third-party checker's account; with the "trtc" supplier none is needed. */
const ModerationSupplierParam = z.strictObject({
  AppID: z.string().optional(),
  SecretId: z.string().optional(),
  SecretKey: z.string().optional(),
  AudioBizType: z.string().optional(),
  ImageBizType: z.string().optional(),
});

export const ModerationParams = z.strictObject({
  ModerationType: z.literal([1, 2, 3]).optional().describe('1 audio (default), 2 video frames, 3 both'),
  MaxIdleTime: int(5, 1800).optional().describe('Idle s before it stops; default 30'),
  SliceAudio: int(15, 60).optional().describe('Clip s; default 15'),
  SliceVideo: int(1, 60).optional().describe('Frame every s; default 5'),
  ModerationSupplier: z.string().min(1).optional().describe('e.g. trtc'),
  ModerationSupplierParam: ModerationSupplierParam.optional(),
  SaveModerationFile: z.literal([0, 1, 2]).optional().describe('Keep 0 none, 1 all, 2 flagged'),
  CallbackAllResults: z.literal([0, 1]).optional().describe('Report 0 all, 1 flagged'),
  SubscribeStreamUserIds: SubscribeStreamUserIds.optional(),
});

export const ModerationStorageParams = z.strictObject({ CloudModerationStorage: SliceStorage.optional() });

/** The allowlists and blocklists a running moderation task subscribes with, as answers give them. */
export const SubscribedUserIds = z
  .object({
    SubscribeAudioUserIds: z.array(z.string()),
    UnSubscribeAudioUserIds: z.array(z.string()),
    SubscribeVideoUserIds: z.array(z.string()),
    UnSubscribeVideoUserIds: z.array(z.string()),
  })
  .partial();
