// Web page recording ("Web Record APIs"): a headless browser opens a URL and records what it renders, to COS or
// VOD, optionally relaying it to CDNs.
import { z } from 'zod';
import { ArgumentError, cloudAction } from './define.js';
import { PublishCdnParams } from './datatypes/mcu.js';
import { StorageParams } from './datatypes/recording.js';
import { NoOutput, REGIONS, RequestId, SdkAppId } from './fields.js';
import { byTaskId, startedTask, taskJob, TaskId } from './tasks.js';

const shared = { toolset: 'webrecord', rateLimit: 20, regions: REGIONS.singapore } as const;
/** Status 1 while the page is being recorded; a recording that ended is no longer found. */
const webRecordState = (r: Record<string, any>) =>
  r.Status === 1 ? { state: 'running' as const, words: 'the page is being recorded (Status 1)' } : { state: 'ended' as const, words: `it is not recording (Status ${JSON.stringify(r.Status)})` };
const RecordId = z.string().max(31).describe('Your key; a second start with it is refused');

export const StartWebRecord = cloudAction({
  ...shared,
  action: 'StartWebRecord',
  aliases: ['record web page', 'record website', 'record whiteboard', 'mp4', 'screen capture', '开始 页面 录制', '录制 网页', '网页 画面', '录制 白板', '网页 录屏'],
  effect: 'write',
  started: startedTask({ rooms: () => [] }),
  job: taskJob('web page recording', 'DescribeWebRecord', 'StopWebRecord', 8, webRecordState),
  description: 'Record a web page as video (HLS or MP4) to COS or VOD; optionally relay it to CDNs. Returns the TaskId.',
  input: z.object({
    RecordUrl: z.string().regex(/^https?:\/\//, 'must be an http(s) URL'),
    StorageParams,
    SdkAppId,
    MaxDurationLimit: z.int().min(1800).max(86400).optional().describe('s; default 86400'),
    WebRecordVideoParams: z
      .strictObject({
        Width: z.int().min(0).max(1920).optional(),
        Height: z.int().min(0).max(1080).optional(),
        Format: z.enum(['hls', 'mp4']).optional().describe('Not for VOD'),
        MaxMediaFileDuration: z.int().min(1).max(1440).optional().describe('Minutes per file'),
      })
      .optional(),
    RecordId: RecordId.optional(),
    PublishCdnParams: PublishCdnParams.optional(),
    ReadyTimeout: z.int().min(0).max(60).optional().describe('Page load timeout s'),
    EmulateMobileParams: z
      .strictObject({
        MobileDeviceType: z.literal([0, 1]).optional().describe('0 phone, 1 tablet'),
        ScreenOrientation: z.literal([0, 1]).optional().describe('0 portrait, 1 landscape'),
      })
      .optional(),
  }),
  output: z.object({ TaskId: z.string(), RequestId }),
  errors: ['FailedOperation.TaskExist'],
});

export const DescribeWebRecord = cloudAction({
  ...shared,
  action: 'DescribeWebRecord',
  aliases: ['web recording status', '查询 页面 录制 任务', '网页 录制 状态'],
  effect: 'read',
  targets: (a) => (a.TaskId ? byTaskId(a) : []),
  description: 'Whether a web recording is running (Status 1), found by TaskId or by SdkAppId with RecordId.',
  input: z.object({ TaskId: TaskId.optional(), SdkAppId: SdkAppId.optional(), RecordId: RecordId.optional() }),
  toWire(args) {
    if (!args.TaskId && !args.RecordId) throw new ArgumentError('TaskId', 'is required unless RecordId is given');
    return args;
  },
  output: z.object({ Status: z.int().describe('1 recording'), TaskId: z.string(), RecordId: z.string(), RequestId }).partial({ TaskId: true, RecordId: true }),
});

export const StopWebRecord = cloudAction({
  ...shared,
  action: 'StopWebRecord',
  aliases: ['stop web page recording', '停止 页面 录制', '停止 网页 录制'],
  effect: 'destructive',
  targets: byTaskId,
  description: 'Stop a web recording; what was recorded is kept.',
  input: z.object({ TaskId }),
  output: NoOutput,
});
