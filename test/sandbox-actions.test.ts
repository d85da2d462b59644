// The sandbox's moderation, slicing, web recording, speech, transcription and mixing actions, spoken to with
// Tencent's official Node SDKs (the China site's for the actions only it documents): sites, strict parameters, and
// lifecycles on an adjustable clock.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloudApiCaller, parseEventStream } from '../src/api/cloud-api.js';
import { PreflightError } from '../src/api/errors.js';
import { silentLogger } from '../src/log.js';
import { CATALOG } from '../tools/index.js';
import { heardIn, synthesize, wavInfo } from '../src/sandbox/audio.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { verdictOf } from '../src/sandbox/media.js';
import { ENDED_VISIBLE_MS } from '../src/sandbox/tasks.js';
import { genUserSig } from '../src/signing/usersig.js';
import { withSandbox } from './helpers.js';
import { officialCall, officialCnCall, officialCnTrtcClient, officialTrtcClient, SdkError } from './official-sdk.js';

const APP = 1400000001;
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: SdkError) => e.code);

describe('sites', () => {
  let intl: Sandbox;
  let cn: Sandbox;
  beforeAll(async () => {
    [intl, cn] = await Promise.all([withSandbox(), withSandbox({ site: 'cn' })]);
  });
  afterAll(() => Promise.all([intl.close(), cn.close()]));

  it('the China-site SDK reaches China-site actions on a sandbox playing the China site', async () => {
    const client = officialCnTrtcClient(cn.url, cn.accounts[0]!);
    const picture = await officialCnCall(client, 'CreatePicture', { SdkAppId: APP, Content: Buffer.from('png').toString('base64'), Suffix: 'png', Height: 1, Width: 1, XPosition: 0, YPosition: 0 });
    expect(picture.PictureId).toBe(1);
    expect(await officialCnCall(client, 'DescribePicture', { SdkAppId: APP })).toMatchObject({ Total: 1 });
  });

  it('a sandbox playing the international site answers InvalidAction for them, as Tencent does, and the China site for international-only ones', async () => {
    const client = officialCnTrtcClient(intl.url, intl.accounts[0]!);
    expect(await codeOf(officialCnCall(client, 'CreatePicture', { SdkAppId: APP, Content: 'AA==', Suffix: 'png', Height: 1, Width: 1, XPosition: 0, YPosition: 0 }))).toBe('InvalidAction');
    expect(await codeOf(officialCnCall(client, 'DescribeTRTCAIRecognitionUsage', { StartTime: '2025-01-01 00:00:00', EndTime: '2025-01-02 00:00:00', AuType: ['asr'] }))).toBe('InvalidAction');
    const onCn = officialTrtcClient(cn.url, cn.accounts[0]!, 'ap-guangzhou');
    expect(await codeOf(officialCall(onCn, 'SetUserBlocked', { SdkAppId: APP, RoomId: 1234, UserId: 'bob', IsMute: 1 }))).toBe('InvalidAction');
  });

  it('checks regions per site: the international site serves moderation in Singapore only, the China site names none', async () => {
    const moderation = { SdkAppId: APP, TaskId: 'none' };
    expect(await codeOf(officialCall(officialTrtcClient(intl.url, intl.accounts[0]!, 'ap-guangzhou'), 'DescribeCloudModeration', moderation))).toBe('UnsupportedRegion');
    expect(await codeOf(officialCall(officialTrtcClient(cn.url, cn.accounts[0]!, 'ap-guangzhou'), 'DescribeCloudModeration', moderation))).toBe('ResourceNotFound');
  });

  it('streams TextToSpeechSSE as server-sent events that the China-site SDK reads', async () => {
    const client = officialCnTrtcClient(cn.url, cn.accounts[0]!);
    const stream = await client.TextToSpeechSSE({ SdkAppId: APP, Text: 'Hello', Voice: { VoiceId: 'v-female-R2s4N9qJ' } });
    const events: Array<Record<string, any>> = [];
    for await (const e of stream) events.push(JSON.parse(e.data));
    expect(events.map((e) => [e.Type, e.Seq, e.IsEnd])).toEqual([['chunk', 0, false], ['chunk', 1, false], ['chunk', 2, true]]);
    const audio = Buffer.concat(events.map((e) => Buffer.from(e.Audio, 'base64')));
    expect(audio.equals(synthesize('Hello', 'pcm').audio)).toBe(true);
  });
});

describe('the caller, per site', () => {
  const def = (name: string) => CATALOG.find((d) => d.name === name)!;
  const caller = (site: 'intl' | 'cn', region: string, endpoint?: string) =>
    new CloudApiCaller({
      endpoint: endpoint ?? `https://${site === 'cn' ? 'trtc.tencentcloudapi.com' : 'trtc.intl.tencentcloudapi.com'}/`, fixedEndpoint: endpoint !== undefined,
      site, region, credentials: () => ({ secretId: 'id', secretKey: 'key', source: 'env' }), timeoutMs: 1000, maxRetries: 0, log: silentLogger, client: 'test',
    });

  it('sends streamed synthesis to its own domain on each site, unless an endpoint is given', () => {
    const sse = def('TextToSpeechSSE');
    expect(caller('cn', 'ap-guangzhou').preview(sse, {}).url).toBe('https://trtc.ai.tencentcloudapi.com/');
    expect(caller('intl', 'ap-singapore').preview(sse, {}).url).toBe('https://trtc.ai.intl.tencentcloudapi.com/');
    expect(caller('intl', 'ap-singapore', 'http://127.0.0.1:9/').preview(sse, {}).url).toBe('http://127.0.0.1:9/');
    expect(caller('cn', 'ap-guangzhou').preview(def('TextToSpeech'), {}).url).toBe('https://trtc.tencentcloudapi.com/');
  });

  it('checks the regions the configured site documents before sending', async () => {
    const refused = caller('intl', 'ap-guangzhou', 'http://127.0.0.1:9/').invoke(def('CreateCloudModeration'), {});
    await expect(refused).rejects.toThrow(PreflightError);
    await expect(refused).rejects.toThrow('served only in ap-singapore');
    // The China site names no region for it: the call is sent (and fails to connect here).
    await expect(caller('cn', 'ap-guangzhou', 'http://127.0.0.1:9/').invoke(def('CreateCloudModeration'), {})).rejects.not.toThrow(PreflightError);
  });
});

describe('lifecycles', () => {
  let sb: Sandbox;
  /**
   * Moves the clock of this process, which the sandbox and the SDK's signatures both read, so that hours can pass
   * while signatures stay fresh. Timers stay real.
   */
  const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);
  const sig = (userId: string) => genUserSig({ sdkAppId: APP, secretKey: sb.world.apps.get(APP)!.sdkSecretKey, userId, expireSeconds: 600 });
  let call: (action: string, req: Record<string, unknown>) => Promise<Record<string, any>>;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    sb = await withSandbox({ site: 'cn' });
    const client = officialCnTrtcClient(sb.url, sb.accounts[0]!);
    call = (action, req) => officialCnCall(client, action, req);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await sb.close();
  });

  it('moderation: Idle in an empty room, Exited after MaxIdleTime there, and addressable for ResourceExpiredHour only', async () => {
    const { TaskId } = await call('CreateCloudModeration', {
      SdkAppId: APP, RoomId: 'quiet', RoomIdType: 0, UserId: 'mod_q', UserSig: sig('mod_q'), ModerationParams: { MaxIdleTime: 10 }, ModerationStorageParams: {}, ResourceExpiredHour: 6,
    });
    const status = async () => (await call('DescribeCloudModeration', { SdkAppId: APP, TaskId })).Status;
    expect(await status()).toBe('Idle');
    advance(11_000);
    expect(await status()).toBe('Exited');
    expect(await codeOf(call('DeleteCloudModeration', { SdkAppId: APP, TaskId }))).toBe('ResourceNotFound');
    advance(ENDED_VISIBLE_MS);
    expect(await codeOf(call('DescribeCloudModeration', { SdkAppId: APP, TaskId }))).toBe('ResourceNotFound');

    const busy = await call('CreateCloudModeration', { SdkAppId: APP, RoomId: '1234', UserId: 'mod_b', UserSig: sig('mod_b'), ModerationParams: {}, ModerationStorageParams: {}, ResourceExpiredHour: 6 });
    advance(6 * 3_600_000 + 1000);
    expect(await codeOf(call('DescribeCloudModeration', { SdkAppId: APP, TaskId: busy.TaskId }))).toBe('ResourceNotFound');
  });

  it('moderation and slicing: a bot needs an ID of its own and a valid UserSig; reusing its ID ends the earlier task', async () => {
    const start = (UserId: string, UserSig: string) => ({ SdkAppId: APP, RoomId: '1234', UserId, UserSig, SliceParams: { SliceType: 1 }, SliceStorageParams: {} });
    expect(await codeOf(call('CreateCloudSliceTask', start('alice', sig('alice'))))).toBe('FailedOperation');
    expect(await codeOf(call('CreateCloudSliceTask', start('slicer', sig('someone'))))).toBe('InvalidParameter');
    const first = await call('CreateCloudSliceTask', start('slicer', sig('slicer')));
    await call('CreateCloudSliceTask', start('slicer', sig('slicer')));
    expect((await call('DescribeCloudSliceTask', { SdkAppId: APP, TaskId: first.TaskId })).Status).toBe('Exited');
  });

  it('slicing: one clip per SliceAudio seconds for each user heard, the latest five shown', async () => {
    const { TaskId } = await call('CreateCloudSliceTask', {
      SdkAppId: APP, RoomId: '1234', UserId: 'slicer_2', UserSig: sig('slicer_2'), SliceParams: { SliceType: 1, SliceAudio: 15, SubscribeStreamUserIds: { SubscribeAudioUserIds: ['alice'] } },
      SliceStorageParams: { CloudSliceStorage: { Vendor: 1, Region: 'us-east-1', Bucket: 'clips', AccessKey: 'a', SecretKey: 's', FileNamePrefix: ['trtc'] } },
    });
    const files = () => (sb.world.tasks.snapshot().find((t) => t.taskId === TaskId)!.results as { files: string[] }).files;
    expect(files()).toHaveLength(1);
    expect(files()[0]).toMatch(new RegExp(`^https://clips\\.s3\\.us-east-1\\.amazonaws\\.com/trtc/${TaskId}/alice/audios/${APP}_1234_alice_\\d{8}T\\d{6}\\.ogg$`));
    advance(45_000);
    expect(files()).toHaveLength(4);
    advance(60_000);
    expect(files()).toHaveLength(5);
  });

  it('web recording: ends by itself after MaxDurationLimit; its RecordId can then be used again', async () => {
    const start = { SdkAppId: APP, RecordUrl: 'https://example.com', StorageParams: { CloudVod: {} }, RecordId: 'rec-x', MaxDurationLimit: 1800 };
    const { TaskId } = await call('StartWebRecord', start);
    expect(await codeOf(call('StartWebRecord', start))).toBe('FailedOperation.TaskExist');
    advance(1800_000);
    expect(await codeOf(call('DescribeWebRecord', { TaskId }))).toBe('ResourceNotFound');
    expect(await codeOf(call('StartWebRecord', start))).toBe('OK');
  });

  it('asynchronous synthesis: Processing, Success, and Expired after a day', async () => {
    const { TaskId } = await call('AsyncTextToSpeech', { SdkAppId: APP, Text: 'x'.repeat(1200), Voice: { VoiceId: 'v-male-s5NqE0rZ' } });
    const status = async () => (await call('DescribeAsyncTextToSpeech', { TaskId })).Status;
    expect(await status()).toBe('Processing');
    advance(2500);
    expect(await status()).toBe('Processing');
    advance(600);
    expect(await status()).toBe('Success');
    advance(24 * 3_600_000);
    expect(await status()).toBe('Expired');
  });

  it('live-stream moderation: runs for ResourceExpiredHour, then is Exited', async () => {
    const { TaskId } = await call('CreateLiveStreamModeration', { SdkAppId: APP, Input: { Url: 'rtmp://a/b' }, LiveModerationParams: {}, ResourceExpiredHour: 1 });
    expect((await call('DescribeLiveStreamModeration', { SdkAppId: APP, TaskId })).Status).toBe('InProgress');
    advance(3_600_000);
    expect((await call('DescribeLiveStreamModeration', { SdkAppId: APP, TaskId })).Status).toBe('Exited');
  });

  it('checks what the models require, with the documented error families', async () => {
    expect(await codeOf(call('CreateCloudTranscription', { SdkAppId: APP, RoomId: '1', TranscriptionParam: { UserId: 'a', UserSig: 'b' }, AsrParam: { Lang: 'zh' } }))).toBe('MissingParameter');
    expect(await codeOf(call('RegisterVoicePrint', { Audio: 'AA==', ReqTimestamp: Date.now(), AudioFormat: 1, AudioName: 'x' }))).toBe('InvalidParameterValue');
    expect(await codeOf(call('CreateRecognizeVocabV3', { SdkAppId: APP, Name: 'n', WordWeights: [{ Word: 'w', Weight: 12 }] }))).toBe('InvalidParameterValue');
    expect(await codeOf(call('StartMCUMixTranscode', { SdkAppId: APP, RoomId: 1234, OutputParams: { StreamId: 's' }, EncodeParams: { AudioSampleRate: 1, AudioBitrate: 64, AudioChannels: 1 }, LayoutParams: {} }))).toBe('InvalidParameterValue');
    expect(await codeOf(call('DeleteVoicePrint', { VoicePrintId: 'nope', Extra: 1 }))).toBe('UnknownParameter');
  });
});

describe('what the bots hear', () => {
  it('flags insults and advertising, passes the rest', () => {
    expect(verdictOf('You are all idiots, shut up!')).toEqual({ Label: 'Abuse', Suggest: 2, Score: 99, Keywords: ['idiot', 'shut up'] });
    expect(verdictOf('Use promo code SAVE10')).toMatchObject({ Label: 'Ad', Suggest: 1 });
    expect(verdictOf('Good morning')).toEqual({ Label: 'Normal', Suggest: 0, Score: 0, Keywords: [] });
  });

  it('synthesises valid wav, mp3 and Ogg Opus that carry their text where the format allows', () => {
    const wav = synthesize('Hello', 'wav', 16000);
    expect(wavInfo(wav.audio)).toMatchObject({ rate: 16000, channels: 1, bits: 16 });
    expect(wavInfo(wav.audio)!.seconds * 1000).toBeCloseTo(wav.ms, 0);
    expect(heardIn(wav.audio)).toBe('Hello');
    const opus = synthesize('Grüß dich', 'opus').audio;
    expect(opus.subarray(0, 4).toString()).toBe('OggS');
    expect(heardIn(opus)).toBe('Grüß dich');
    const mp3 = synthesize('Hello', 'mp3').audio;
    expect([mp3[0], mp3[1]! & 0xe0]).toEqual([0xff, 0xe0]);
    expect(heardIn(mp3)).toBeUndefined();
  });

  it('reads streamed answers: events in order, an error event as the error it reports', () => {
    const body = 'data: {"Type":"chunk","Seq":0,"Audio":"AA=="}\n\ndata: {"Type":"chunk","Seq":1,"IsEnd":true}\n\n';
    expect(parseEventStream(200, body, 'req-1')).toEqual({ response: { Events: [{ Type: 'chunk', Seq: 0, Audio: 'AA==' }, { Type: 'chunk', Seq: 1, IsEnd: true }], RequestId: 'req-1' }, requestId: 'req-1' });
    expect(() => parseEventStream(200, `${body}data: {"Type":"error","Error":{"Code":"InternalError","Message":"boom"}}\n\n`, 'req-2')).toThrow('boom');
  });
});
