// Data types of CDN relay and stream mixing (seed 004, "Data Types"): AgentParams, McuAudioParams,
// McuVideoParams, McuLayoutParams, McuPublishCdnParam, McuSeiParams, McuFeedBackRoomParams and their members.
import { z } from 'zod';
import { roomIdType } from '../room-id.js';
import { BotUserSig, UserSig, withBotSig } from '../tasks.js';

const int = (min: number, max: number) => z.int().min(min).max(max);
/** In every relay structure, RoomIdType 0 means a numeric room and 1 a string room. */
const RelayRoomIdType = roomIdType({ numeric: 0, string: 1 });
/** A mixed user's room. The docs give no default kind; as everywhere in TRTC, leaving RoomIdType out means a numeric room. */
const MixRoomIdType = roomIdType({ numeric: 0, string: 1, fallback: 'int' });

export const AgentParams = z.strictObject({
  UserId: z.string().min(1).describe('Relay bot; not a real user\'s ID'),
  UserSig: BotUserSig,
  MaxIdleTime: int(5, 86400).optional().describe('Idle seconds before it stops; default 30'),
});

const MixUserInfo = z.strictObject({ UserId: z.string(), RoomId: z.string().optional(), RoomIdType: MixRoomIdType });
const UserMediaStream = z.strictObject({
  UserInfo: MixUserInfo.optional(),
  StreamType: z.literal([0, 1]).optional().describe('1 screen share'),
});
const UserList = z.array(z.strictObject({ UserInfo: MixUserInfo }));

const AudioEncode = z
  .strictObject({
    SampleRate: z.literal([48000, 44100, 32000, 24000, 16000, 8000]),
    Channel: z.literal([1, 2]),
    BitRate: int(8, 500).describe('Kbps'),
    Codec: z.literal([0, 1, 2]).optional().describe('0 LC-AAC, 1 HE-AAC, 2 HE-AACv2'),
  })
  .superRefine((v, ctx) => {
    if (v.Codec === 2 && v.Channel !== 2) ctx.addIssue({ code: 'custom', path: ['Channel'], message: 'must be 2 when Codec is 2' });
    if (v.Codec && v.SampleRate === 8000) ctx.addIssue({ code: 'custom', path: ['SampleRate'], message: 'cannot be 8000 when Codec is 1 or 2' });
  });

export const McuAudioParams = z.strictObject({
  AudioEncode: AudioEncode.optional(),
  SubscribeAudioList: UserList.optional().describe('Mix only these users\' audio (default: everyone)'),
  UnSubscribeAudioList: UserList.optional().describe('Never mix these users\' audio'),
});

const McuLayout = z.strictObject({
  UserMediaStream: UserMediaStream.optional().describe('Omit to fill by entry order'),
  ImageWidth: z.int().optional(),
  ImageHeight: z.int().optional(),
  LocationX: z.int().optional(),
  LocationY: z.int().optional(),
  ZOrder: z.int().optional(),
  RenderMode: z.literal([0, 1, 2]).optional().describe('0 crop, 1 scale, 2 black bars'),
  BackGroundColor: z.string().optional(),
  BackgroundImageUrl: z.string().optional(),
  CustomCrop: z
    .strictObject({ LocationX: z.int(), LocationY: z.int(), Width: int(0, 10000), Height: int(0, 10000) })
    .optional(),
  BackgroundRenderMode: z.literal([0, 1, 2, 3]).optional().describe('0 crop, 1 scale, 2 black bg, 3 fit'),
});

const WaterMarkBox = { WaterMarkWidth: z.int(), WaterMarkHeight: z.int(), LocationX: z.int(), LocationY: z.int() };
const McuWaterMarkParams = z
  .strictObject({
    WaterMarkType: z.literal([0, 1]).optional().describe('0 image (default), 1 text'),
    WaterMarkImage: z.strictObject({ WaterMarkUrl: z.string(), ...WaterMarkBox, ZOrder: z.int().optional() }).optional(),
    WaterMarkText: z
      .strictObject({ Text: z.string(), ...WaterMarkBox, FontSize: z.int(), FontColor: z.string().optional(), BackGroundColor: z.string().optional() })
      .optional(),
  })
  .superRefine((v, ctx) => {
    const member = v.WaterMarkType === 1 ? 'WaterMarkText' : 'WaterMarkImage';
    if (!v[member]) ctx.addIssue({ code: 'custom', path: [member], message: `is required when WaterMarkType is ${v.WaterMarkType ?? 0}` });
  });

export const McuVideoParams = z.strictObject({
  VideoEncode: z
    .strictObject({
      Width: int(0, 1920),
      Height: int(0, 1080),
      Fps: int(0, 60),
      BitRate: int(0, 10000).describe('Kbps'),
      Gop: int(1, 5).describe('Seconds'),
    })
    .optional(),
  LayoutParams: z
    .strictObject({
      MixLayoutMode: z.literal([1, 2, 3, 4]).optional().describe('1 floating, 2 screen share, 3 grid, 4 custom (MixLayoutList)'),
      PureAudioHoldPlaceMode: z.literal([0, 1]).optional().describe('1 gives audio-only users a window'),
      MixLayoutList: z.array(McuLayout).optional(),
      MaxVideoUser: z.strictObject({ UserMediaStream }).optional().describe('Big window (modes 1, 2)'),
      RenderMode: z.literal([0, 1, 2]).optional(),
    })
    .optional(),
  BackGroundColor: z.string().optional().describe('0xRRGGBB'),
  BackgroundImageUrl: z.string().optional(),
  WaterMarkList: z.array(McuWaterMarkParams).optional(),
  BackgroundRenderMode: z.literal([0, 1, 2]).optional().describe('0 crop, 1 black bg, 2 fit'),
});

export const SingleSubscribeParams = z.strictObject({ UserMediaStream });

export const PublishCdnParams = z
  .array(
    z.strictObject({
      PublishCdnUrl: z.string(),
      IsTencentCdn: z.literal([0, 1]).optional().describe('1 Tencent (default), 0 third-party (billed)'),
    }),
  )
  .max(10);

const SeiCommon = { Interval: z.int().optional().describe('ms'), FollowIdr: z.literal([0, 1]).optional() };
export const McuSeiParams = z.strictObject({
  LayoutVolume: z
    .strictObject({ AppData: z.string().max(4095).optional(), PayloadType: int(100, 254).optional(), ...SeiCommon })
    .optional(),
  PassThrough: z
    .strictObject({
      PayloadContent: z.string(),
      PayloadType: z.int().refine((t) => t === 5 || (t >= 100 && t <= 254), 'must be 5 or within 100-254'),
      PayloadUuid: z.string().regex(/^[0-9a-fA-F]{32}$/).optional().describe('Required when PayloadType is 5'),
      ...SeiCommon,
    })
    .refine((v) => v.PayloadType !== 5 || v.PayloadUuid, { message: 'is required when PayloadType is 5', path: ['PayloadUuid'] })
    .optional(),
});

export const FeedBackRoom = withBotSig({
  RoomId: z.string(),
  RoomIdType: RelayRoomIdType,
  UserId: z.string().min(1).describe('Bot that pushes into this room'),
  UserSig,
});
export const FeedBackRoomParams = { wire: z.array(FeedBackRoom.wire).max(10), agent: z.array(FeedBackRoom.agent).max(10) };

/** What the docs require across members of a relay start; the sandbox applies the same rules. */
export function relayStartProblem(p: Record<string, any>): [field: string, rule: string] | undefined {
  if (!p.PublishCdnParams?.length && !p.FeedBackRoomParams?.length) return ['PublishCdnParams', 'give PublishCdnParams or FeedBackRoomParams (or both)'];
  if (p.WithTranscoding === 1 && p.SingleSubscribeParams) return ['SingleSubscribeParams', 'needs WithTranscoding 0'];
  if (p.WithTranscoding === 0 && !p.SingleSubscribeParams) return ['SingleSubscribeParams', 'is required when WithTranscoding is 0'];
  return undefined;
}
