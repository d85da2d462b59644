// Field schemas shared by several catalog entries.
import { z } from 'zod';

/** The app every TRTC call addresses; the server fills it from its configuration when omitted. */
export const SdkAppId = z.int().min(1).describe('Defaults to the configured app');

export const UserId = z.string().min(1);

/** Every Cloud API response carries the ID Tencent uses to trace the request. */
export const RequestId = z.string();
export const NoOutput = z.object({ RequestId });

/** Regions named by the docs, per API family. */
export const REGIONS = {
  room: ['ap-beijing', 'ap-guangzhou', 'ap-singapore'],
  record: ['ap-beijing', 'ap-guangzhou', 'ap-mumbai', 'ap-shanghai', 'ap-singapore'],
  relay: ['ap-guangzhou', 'ap-hongkong', 'ap-singapore'],
  /** StartStreamIngest and UpdateStreamIngest. */
  ingest: ['ap-bangkok', 'ap-guangzhou', 'ap-jakarta', 'ap-mumbai', 'ap-singapore', 'ap-tokyo'],
  /** DescribeStreamIngest and StopStreamIngest: fewer regions than start and update. */
  ingestQuery: ['ap-bangkok', 'ap-jakarta', 'ap-mumbai', 'ap-singapore'],
  ai: ['ap-guangzhou', 'ap-singapore', 'ap-tokyo', 'na-siliconvalley'],
} as const;
