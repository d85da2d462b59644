// Data types of on-cloud recording (seed 004, "Data Types"): RecordParams, StorageParams, MixTranscodeParams,
// MixLayoutParams and their members. Ranges and enums are the documented ones.
import { z } from 'zod';

const int = (min: number, max: number) => z.int().min(min).max(max);
const UserIdList = z.array(z.string()).max(32);

/** A subscription list may be an allowlist or a blocklist per media type, never both. */
export const SubscribeStreamUserIds = z
  .strictObject({
    SubscribeAudioUserIds: UserIdList.optional().describe('Allowlist; "1.*$" matches a prefix'),
    UnSubscribeAudioUserIds: UserIdList.optional(),
    SubscribeVideoUserIds: UserIdList.optional(),
    UnSubscribeVideoUserIds: UserIdList.optional(),
  })
  .superRefine((v, ctx) => {
    for (const media of ['Audio', 'Video'] as const) {
      if (v[`Subscribe${media}UserIds`]?.length && v[`UnSubscribe${media}UserIds`]?.length) {
        ctx.addIssue({ code: 'custom', path: [`UnSubscribe${media}UserIds`], message: `cannot be combined with Subscribe${media}UserIds` });
      }
    }
  });

export const RecordParams = z.strictObject({
  RecordMode: z.literal([1, 2]).describe('1 per user, 2 mixed'),
  MaxIdleTime: int(5, 86400).optional().describe('Idle seconds before it stops; default 30'),
  StreamType: z.literal([0, 1, 2]).optional().describe('0 audio+video, 1 audio, 2 video'),
  SubscribeStreamUserIds: SubscribeStreamUserIds.optional(),
  OutputFormat: z.literal([0, 1, 2, 3, 4]).optional().describe('0 HLS, 1 HLS+MP4, 2 HLS+AAC, 3 MP4, 4 AAC; not for VOD'),
  AvMerge: z.literal([0, 1]).optional().describe('1 merges a user\'s audio and video'),
  MaxMediaFileDuration: int(1, 1440).optional().describe('Minutes per file'),
  MediaId: z.literal([0, 1, 2]).optional().describe('0 both, 1 main, 2 screen share'),
});

const CloudStorage = z.strictObject({
  Vendor: z.literal([0, 1]).describe('0 Tencent COS, 1 AWS S3'),
  Region: z.string(),
  Bucket: z.string(),
  AccessKey: z.string(),
  SecretKey: z.string(),
  FileNamePrefix: z.array(z.string().regex(/^[\w-]+$/)).optional().describe('Folders'),
});

const TencentVod = z.strictObject({
  Procedure: z.string().optional().describe('Task flow'),
  ExpireTime: z.int().min(0).optional().describe('Seconds to keep the file; 0 forever'),
  StorageRegion: z.string().optional(),
  ClassId: z.int().optional(),
  SubAppId: z.int().optional(),
  SessionContext: z.string().optional(),
  SourceContext: z.string().optional(),
  MediaType: z.literal([0, 1, 2, 3, 4]).optional().describe('0 MP4, 1 HLS, 2 AAC, 3 HLS+MP4, 4 HLS+AAC'),
  UserDefineRecordId: z.string().max(64).regex(/^[\w-]*$/).optional().describe('File name prefix'),
});

export const StorageParams = z
  .strictObject({
    CloudStorage: CloudStorage.optional(),
    CloudVod: z.strictObject({ TencentVod: TencentVod.optional() }).optional(),
  })
  .refine((v) => v.CloudStorage || v.CloudVod, { message: 'needs CloudStorage or CloudVod', path: ['CloudVod'] });

const VideoParams = z
  .strictObject({
    Width: int(1, 1920),
    Height: int(1, 1920),
    Fps: int(1, 60),
    BitRate: int(64000, 8192000).describe('bps'),
    Gop: z.int().min(1).describe('Seconds between keyframes'),
  })
  .refine((v) => v.Width * v.Height <= 1920 * 1080, { message: 'Width x Height must not exceed 1920 x 1080', path: ['Height'] });

export const MixTranscodeParams = z.strictObject({
  VideoParams: VideoParams.optional(),
  AudioParams: z
    .strictObject({
      SampleRate: z.literal([1, 2, 3]).describe('1 48 kHz, 2 44.1 kHz, 3 16 kHz'),
      Channel: z.literal([1, 2]),
      BitRate: int(32000, 128000).describe('bps'),
    })
    .optional(),
});

const RenderMode = z.literal([0, 1, 2, 3]).describe('0 stretch, 1 crop, 2 fit, 3 crop <=20%');

const MixLayout = z.strictObject({
  Top: int(0, 1920),
  Left: int(0, 1920),
  Width: int(0, 1920),
  Height: int(0, 1920),
  UserId: z.string().optional().describe('Omit to fill by entry order'),
  Alpha: int(0, 255).optional(),
  RenderMode: RenderMode.optional(),
  MediaId: z.literal([0, 1]).optional().describe('0 main, 1 screen share'),
  ImageLayer: z.int().optional(),
  SubBackgroundImage: z.string().optional(),
});

const Edge = int(0, 2560);
const WaterMark = z
  .strictObject({
    WaterMarkType: z.literal([0, 1, 2]).optional().describe('0 image (default), 1 text, 2 timestamp'),
    WaterMarkImage: z.strictObject({ WaterMarkUrl: z.string(), Top: Edge, Left: Edge, Width: Edge, Height: Edge }).optional(),
    WaterMarkChar: z
      .strictObject({
        Top: z.int(),
        Left: z.int(),
        Width: z.int(),
        Height: z.int(),
        Chars: z.string(),
        FontSize: z.int().optional(),
        FontColor: z.string().optional(),
        BackGroundColor: z.string().optional(),
      })
      .optional(),
    WaterMarkTimestamp: z.strictObject({ Pos: z.literal([0, 1, 2, 3, 4, 5, 6]), TimeZone: z.int().optional() }).optional(),
  })
  .superRefine((v, ctx) => {
    const member = (['WaterMarkImage', 'WaterMarkChar', 'WaterMarkTimestamp'] as const)[v.WaterMarkType ?? 0];
    if (!v[member]) ctx.addIssue({ code: 'custom', path: [member], message: `is required when WaterMarkType is ${v.WaterMarkType ?? 0}` });
  });

export const MixLayoutParams = z.strictObject({
  MixLayoutMode: z.literal([1, 2, 3, 4]).describe('1 floating, 2 screen share, 3 grid, 4 custom (MixLayoutList)'),
  MixLayoutList: z.array(MixLayout).max(25).optional(),
  BackGroundColor: z.string().optional(),
  MaxResolutionUserId: z.string().optional().describe('Big window user (modes 1, 2)'),
  MediaId: z.literal([0, 1]).optional(),
  BackgroundImageUrl: z.string().optional(),
  PlaceHolderMode: z.literal([0, 1]).optional(),
  BackgroundImageRenderMode: z.literal([0, 1, 2, 3]).optional(),
  DefaultSubBackgroundImage: z.string().optional(),
  WaterMarkList: z.array(WaterMark).max(25).optional(),
  RenderMode: z.literal([0, 1, 2, 3]).optional(),
  MaxResolutionUserAlign: z.literal([0, 1]).optional().describe('1 big window right'),
});

export const StorageFile = z.object({
  UserId: z.string().optional(),
  FileName: z.string(),
  TrackType: z.enum(['video', 'audio', 'audio_video']).optional(),
  BeginTimeStamp: z.int(),
});
