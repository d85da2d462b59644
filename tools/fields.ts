// Field schemas shared by several catalog entries.
import { z } from 'zod';

/** The app every TRTC call addresses; the server fills it from its configuration when omitted. */
export const SdkAppId = z.int().min(1).describe('Defaults to the configured app');

export const UserId = z.string().min(1);

/**
 * The plainest form of each ID, which the server holds the IDs it pastes into instructions to (prompt arguments,
 * seeded sandbox worlds). TRTC allows a few more characters in string rooms, such as spaces; these refuse them.
 */
export const PLAIN_IDS = {
  room: { test: (v: string) => /^[A-Za-z0-9_.:@#-]{1,64}$/.test(v), rule: 'must be a room ID: a number from 1 to 4294967295, or up to 64 letters, digits and - _ . : @ #' },
  user: { test: (v: string) => /^[A-Za-z0-9_.@-]{1,32}$/.test(v), rule: 'must be a user ID: up to 32 letters, digits and - _ . @' },
} as const;

/** Every Cloud API response carries the ID Tencent uses to trace the request. */
export const RequestId = z.string();
export const NoOutput = z.object({ RequestId });

/** Regions named by the docs, per API family. */
export const REGIONS = {
  room: ['ap-beijing', 'ap-guangzhou', 'ap-singapore'],
  /** DescribeRoomInfo and DescribeScaleInfo. */
  callHistory: ['ap-beijing', 'ap-guangzhou', 'ap-mumbai', 'ap-singapore', 'na-toronto'],
  /** DescribeUserInfo, DescribeUserEvent and DescribeCallDetailInfo. */
  callDetail: ['ap-beijing', 'ap-guangzhou', 'ap-mumbai', 'ap-singapore'],
  usage: ['ap-guangzhou', 'ap-singapore'],
  record: ['ap-beijing', 'ap-guangzhou', 'ap-mumbai', 'ap-shanghai', 'ap-singapore'],
  relay: ['ap-guangzhou', 'ap-hongkong', 'ap-singapore'],
  /** StartStreamIngest and UpdateStreamIngest. */
  ingest: ['ap-bangkok', 'ap-guangzhou', 'ap-jakarta', 'ap-mumbai', 'ap-singapore', 'ap-tokyo'],
  /** DescribeStreamIngest and StopStreamIngest: fewer regions than start and update. */
  ingestQuery: ['ap-bangkok', 'ap-jakarta', 'ap-mumbai', 'ap-singapore'],
  ai: ['ap-guangzhou', 'ap-singapore', 'ap-tokyo', 'na-siliconvalley'],
  /** Moderation, slicing, web recording, speech synthesis and voice cloning: the international docs name Singapore only, the China site's none. */
  singapore: { intl: ['ap-singapore'] },
} as const;

/** The agent-only argument of account-wide tools that leaves SdkAppId out, to cover every app under the account. */
export const ALL_APPS = 'AllApps';
export const AllApps = z.boolean().describe('true: every app under the account (leave SdkAppId out)');

/** The agent-only argument of paged tools that asks the server to fetch the following pages as well. */
export const ALL_PAGES = 'AllPages';
export const AllPages = z.boolean().describe('Fetch the following pages too, up to the size limit');

/** The agent-only argument of reads with time series that asks for every point as sent, rather than a short answer. */
export const RAW_SERIES = 'RawSeries';
export const RawSeries = z.boolean().describe('true: every point as TRTC sent it (a longer answer); default: a summary with the series thinned');

/** Added by this server to paged answers: whether more rows exist, and the arguments that fetch the next ones. */
export const Paging = z.object({
  More: z.enum(['yes', 'no', 'possibly']),
  Next: z.object({ PageNumber: z.int(), PageSize: z.int() }).optional(),
});
