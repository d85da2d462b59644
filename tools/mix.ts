// Cloud stream mixing of a room by its room ID, and the pictures it can use (China site): an older interface than
// StartPublishCdnStream, addressed by room rather than by task.
import { z } from 'zod';
import { cloudAction } from './define.js';
import { NoOutput, RequestId, SdkAppId } from './fields.js';

const shared = { toolset: 'mix', rateLimit: 20, sites: ['cn'] } as const;
const int = (min: number, max: number) => z.int().min(min).max(max);
const px = z.int().min(0);
const StreamType = z.literal([0, 1]).describe('0 camera, 1 screen share');

const OutputParams = z.strictObject({
  StreamId: z.string().min(1).max(64).describe('Live stream ID'),
  PureAudioStream: z.literal([0, 1]).optional().describe('1 audio only'),
  RecordId: z.string().optional().describe('Legacy recording prefix'),
  RecordAudioOnly: z.literal([0, 1]).optional(),
});

const EncodeParams = z.strictObject({
  AudioSampleRate: z.literal([48000, 44100, 32000, 24000, 16000, 8000]).describe('Hz'),
  AudioBitrate: int(8, 500).describe('kbps'),
  AudioChannels: z.literal([1, 2]),
  VideoWidth: int(0, 1920).optional(),
  VideoHeight: int(0, 1080).optional(),
  VideoBitrate: int(1, 10000).optional().describe('kbps'),
  VideoFramerate: int(1, 60).optional(),
  VideoGop: int(1, 5).optional().describe('s'),
  BackgroundColor: int(0, 0xffffff).optional().describe('0xRRGGBB as decimal'),
  BackgroundImageId: z.int().optional().describe('PictureId'),
  AudioCodec: z.literal([0, 1, 2]).optional().describe('0 LC-AAC, 1 HE-AAC, 2 HE-AACv2'),
  BackgroundImageUrl: z.string().max(512).optional(),
});

const box = { ImageWidth: px.optional(), ImageHeight: px.optional(), LocationX: px.optional(), LocationY: px.optional() };

const LayoutParams = z.strictObject({
  Template: z.literal([0, 1, 2, 3, 4]).optional().describe('0 float, 1 grid, 2 screen share, 3 PiP, 4 custom'),
  MainVideoUserId: z.string().optional().describe('Big picture'),
  MainVideoStreamType: StreamType.optional(),
  SmallVideoLayoutParams: z.strictObject({ UserId: z.string().min(1), StreamType, ...box }).optional(),
  MainVideoRightAlign: z.literal([0, 1]).optional().describe('1 big picture right'),
  MixVideoUids: z.array(z.string()).max(16).optional().describe('Only these users\' video'),
  PresetLayoutConfig: z
    .array(
      z.strictObject({
        UserId: z.string().optional(),
        StreamType: StreamType.optional(),
        ...box,
        ZOrder: z.int().optional(),
        RenderMode: z.literal([0, 1, 2]).optional().describe('0 crop, 1 scale, 2 fit'),
        MixInputType: z.literal([0, 1, 2]).optional(),
        PlaceImageId: z.int().optional(),
      }),
    )
    .optional(),
  PlaceHolderMode: z.literal([0, 1]).optional(),
  PureAudioHoldPlaceMode: z.literal([0, 1, 2]).optional().describe('Audio-only users: 1 take a place, 2 not'),
  WaterMarkParams: z
    .strictObject({
      WaterMarkId: z.int(),
      WaterMarkWidth: px,
      WaterMarkHeight: px,
      LocationX: px,
      LocationY: px,
      WaterMarkUrl: z.string().max(512).optional(),
    })
    .optional(),
  RenderMode: z.literal([0, 1, 2]).optional(),
});

const PublishCdnParams = z.strictObject({
  BizId: z.int(),
  PublishCdnUrls: z.array(z.string().min(1)).length(1),
});

const mixShape = {
  OutputParams,
  EncodeParams,
  LayoutParams,
  PublishCdnParams: PublishCdnParams.optional(),
};
const NumericRoom = z.int().min(1).max(4294967295);
const StrRoomId = z.string().min(1);

const startText = 'Mix a room\'s streams into one live stream (billed), or change the running mix of the room. Ends with the room.';

export const StartMCUMixTranscode = cloudAction({
  ...shared,
  action: 'StartMCUMixTranscode',
  aliases: ['mix streams', 'combine video', 'composite', 'layout', '启动 云端 混流', '混流', '合流', '画面 合成', '合成 一路', '布局'],
  effect: 'write',
  idempotent: true,
  // TRTC offers no read of a mix; it ends with its room, which the room callbacks report.
  job: { noun: 'room mix', group: 1, stop: 'StopMCUMixTranscode', byRoom: true },
  description: `${startText} Numeric room.`,
  input: z.object({ SdkAppId, RoomId: NumericRoom, ...mixShape }),
  output: NoOutput,
});

export const StartMCUMixTranscodeByStrRoomId = cloudAction({
  ...shared,
  action: 'StartMCUMixTranscodeByStrRoomId',
  aliases: ['mix streams', 'combine video', 'composite', 'layout', '启动 云端 混流', '混流', '合流', '画面 合成', '合成 一路', '布局'],
  effect: 'write',
  idempotent: true,
  job: { noun: 'room mix', group: 1, stop: 'StopMCUMixTranscodeByStrRoomId', byRoom: true },
  description: `${startText} String room.`,
  input: z.object({ SdkAppId, StrRoomId, ...mixShape }),
  output: NoOutput,
});

export const StopMCUMixTranscode = cloudAction({
  ...shared,
  action: 'StopMCUMixTranscode',
  aliases: ['stop mixing', '结束 云端 混流', '停止 混流'],
  effect: 'destructive',
  description: 'Stop mixing a numeric room; its mixed stream ends.',
  input: z.object({ SdkAppId, RoomId: NumericRoom }),
  output: NoOutput,
});

export const StopMCUMixTranscodeByStrRoomId = cloudAction({
  ...shared,
  action: 'StopMCUMixTranscodeByStrRoomId',
  aliases: ['stop mixing', '结束 云端 混流', '停止 混流'],
  effect: 'destructive',
  description: 'Stop mixing a string room; its mixed stream ends.',
  input: z.object({ SdkAppId, StrRoomId }),
  output: NoOutput,
});

const PictureId = z.int().min(1);
const placement = { Height: px, Width: px, XPosition: px, YPosition: px };

export const CreatePicture = cloudAction({
  ...shared,
  action: 'CreatePicture',
  aliases: ['watermark', 'background image', 'logo', '上传 图片', '水印', '背景图', '混流 图片'],
  effect: 'write',
  description: 'Upload a picture (background, placeholder or watermark) for mixing. Returns its PictureId.',
  input: z.object({
    SdkAppId,
    Content: z.string().min(1).max(2 * 1024 * 1024).describe('Base64, ≤2 MB'),
    Suffix: z.string().min(1).describe('e.g. png'),
    ...placement,
  }),
  output: z.object({ PictureId: z.int(), RequestId }),
});

export const DescribePicture = cloudAction({
  ...shared,
  action: 'DescribePicture',
  aliases: ['查询 图片', '混流 图片 列表'],
  effect: 'read',
  description: 'The app\'s mixing pictures, or one by PictureId.',
  input: z.object({
    SdkAppId,
    PictureId: PictureId.optional().describe('Omit: all'),
    PageSize: z.int().min(1).optional().describe('Default 10'),
    PageNo: z.int().min(1).optional().describe('From 1'),
  }),
  output: z.object({
    Total: z.int().optional(),
    PictureInfo: z.array(z.object({ ...placement, SdkAppId: z.int(), PictureId: z.int() }).partial()).optional(),
    RequestId,
  }),
});

export const ModifyPicture = cloudAction({
  ...shared,
  action: 'ModifyPicture',
  aliases: ['修改 图片', '修改 混流 图片'],
  effect: 'write',
  idempotent: true,
  description: 'Change a mixing picture\'s size or position.',
  input: z.object({ PictureId, SdkAppId, ...z.object(placement).partial().shape }),
  output: NoOutput,
});

export const DeletePicture = cloudAction({
  ...shared,
  action: 'DeletePicture',
  aliases: ['删除 图片', '删除 混流 图片'],
  effect: 'destructive',
  description: 'Delete a mixing picture.',
  input: z.object({ PictureId, SdkAppId }),
  output: NoOutput,
});
