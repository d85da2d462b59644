// The sandbox's monitoring and usage actions are as strict as TRTC: the official SDK gets the documented
// errors for windows TRTC refuses, and DescribeTrtcRoomUsage answers once per 15 seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { withSandbox } from './helpers.js';
import { officialCall, officialTrtcClient, SdkError } from './official-sdk.js';

const APP = 1400000001;
const NOW = Date.now();
const s = (secondsAgo: number) => Math.floor(NOW / 1000) - secondsAgo;

describe('sandbox monitoring with the official SDK', () => {
  let sb: Sandbox;
  let sdk: any;
  // A fixed clock: every request falls in the same rate-limit window, whatever the machine's speed.
  beforeAll(async () => {
    sb = await withSandbox({ now: () => NOW });
    sdk = officialTrtcClient(sb.url, sb.accounts[0]!);
  });
  afterAll(() => sb.close());

  const code = (action: string, req: Record<string, unknown>) => officialCall(sdk, action, req).then(() => 'OK', (e: SdkError) => e.code);

  it.each([
    ['DescribeRoomInfo', { SdkAppId: APP, StartTime: s(15 * 86400), EndTime: s(15 * 86400 - 60) }, 'InvalidParameter.StartTsOversize'],
    ['DescribeRoomInfo', { SdkAppId: APP, StartTime: s(3600), EndTime: s(7200) }, 'InvalidParameter.EndTs'],
    ['DescribeUserInfo', { SdkAppId: APP, CommId: 'x', StartTime: s(5 * 3600), EndTime: s(0) }, 'InvalidParameter.QueryScaleOversize'],
    ['DescribeCallDetailInfo', { SdkAppId: APP, CommId: 'x', StartTime: s(60), EndTime: s(0), DataType: ['aLoss'], UserIds: ['1', '2', '3', '4', '5', '6', '7'] }, 'InvalidParameter.UserIdsMorethanSix'],
    ['DescribeTrtcUsage', { SdkAppId: APP, StartTime: '2026-01-01', EndTime: '2026-03-01' }, 'InvalidParameter.QueryScaleOversize'],
    ['DescribeTRTCRealTimeScaleData', { SdkAppId: String(APP), StartTime: s(7200), EndTime: s(0) }, 'InvalidParameter'],
    ['DescribeTRTCMarketScaleData', { SdkAppId: String(APP), StartTime: 'May 1', EndTime: '2026-05-02', Period: 'd' }, 'InvalidParameterValue'],
    // The seed's own example is from 2020: far outside the last 14 days today.
    ['DescribeUserEvent', { StartTime: 1590065777, EndTime: 1590065877, CommId: '1400188366_218695_1590065777', UserId: 'user_2045351', SdkAppId: APP, RoomId: '1400' }, 'InvalidParameter.StartTsOversize'],
  ])('%s refuses %j with %s', async (action, req, expected) => {
    expect(await code(action, req)).toBe(expected);
  });

  it('answers an unknown call with empty lists rather than an error', async () => {
    const resp = await officialCall(sdk, 'DescribeUserInfo', { SdkAppId: APP, CommId: `${APP}_1_1`, StartTime: s(60), EndTime: s(0) });
    expect(resp).toMatchObject({ Total: 0, UserList: [] });
  });

  it('accepts the documented IsFloat of DescribeTRTCMarketQualityData', async () => {
    const day = new Date(NOW).toISOString().slice(0, 10);
    const resp = await officialCall(sdk, 'DescribeTRTCMarketQualityData', { SdkAppId: String(APP), StartTime: day, EndTime: day, Period: 'd', IsFloat: true });
    // (This SDK version's model has no RowValueFloat, so only RowValue reaches the caller.)
    expect((resp.Data as { Series: Array<{ Values: Array<{ RowValue: number[] }> }> }).Series[0]!.Values[0]!.RowValue).toHaveLength(6);
  });

  it('allows DescribeTrtcRoomUsage once per 15 seconds', async () => {
    const minute = (ago: number) => new Date(Math.floor(NOW / 60_000) * 60_000 - ago * 60_000).toISOString().slice(0, 16).replace('T', ' ');
    const req = { SdkAppid: APP, StartTime: minute(60), EndTime: minute(0) };
    expect(await code('DescribeTrtcRoomUsage', req)).toBe('OK');
    expect(await code('DescribeTrtcRoomUsage', req)).toBe('RequestLimitExceeded');
  });
});
