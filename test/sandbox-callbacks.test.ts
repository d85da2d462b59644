// The sandbox's event callbacks: what happens in its world, POSTed the way TRTC does it (Sign and SdkAppId headers,
// TRTC's groups, types and field names) and retried on TRTC's schedule. Actions are driven through the sandbox's
// own APIs (Tencent's official SDK for the Cloud API, signed REST requests, /_sandbox/act).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyCallback } from '../src/events/signature.js';
import { SANDBOX_BOT_ANSWER } from '../src/sandbox/handlers/ai.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { genUserSig } from '../src/signing/usersig.js';
import { withSandbox } from './helpers.js';
import { officialCall, officialTrtcClient } from './official-sdk.js';

const KEY = 'sandboxCallbackKey0123456789abcd';
const APP = 1400000001;
const SECRET = 'sandbox-callbacks-sdk-secret-key-0123456789';

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { EventGroupId: number; EventType: number; CallbackTs: number; EventInfo: Record<string, any> };
  at: number;
}

/** A stand-in for the operator's server: records what arrives and answers as told. */
async function target(answer: (n: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw), at: Date.now() });
      const status = answer(received.length);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"code":0}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
    received,
    types: () => received.map((r) => r.body.EventType),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('callbacks for what happens in the world', () => {
  let sb: Sandbox;
  let t: Awaited<ReturnType<typeof target>>;
  const call = (action: string, req: Record<string, unknown>) => officialCall(officialTrtcClient(sb.url, sb.accounts[0]!), action, req);
  const drained = async () => {
    await sb.callbacks.idle();
    const out = [...t.received];
    t.received.length = 0;
    return out;
  };
  /** What arrived until `count` callbacks of this type did (what jobs do by themselves comes on the world's clock). */
  const until = async (type: number, timeoutMs = 10_000, count = 1) => {
    const deadline = Date.now() + timeoutMs;
    while (t.received.filter((r) => r.body.EventType === type).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return drained();
  };
  const app = () => sb.world.apps.get(APP)!;
  const sig = (userId: string) => genUserSig({ sdkAppId: APP, secretKey: SECRET, userId, expireSeconds: 600 });
  async function rest(command: string, body: unknown) {
    const q = new URLSearchParams({ sdkappid: String(APP), identifier: 'administrator', usersig: sig('administrator'), random: '1', contenttype: 'json' });
    const res = await fetch(`${sb.url}v4/${command}?${q}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const out = (await res.json()) as { ErrorCode: number };
    expect(out.ErrorCode, JSON.stringify(out)).toBe(0);
  }
  async function act(a: Record<string, unknown>) {
    const res = await fetch(`${sb.url}_sandbox/act`, { method: 'POST', body: JSON.stringify(a) });
    return { status: res.status, body: await res.json() };
  }

  beforeAll(async () => {
    sb = await withSandbox({
      sdkSecretKey: SECRET,
      world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: 1234, users: ['alice', 'bob'] }, { roomId: 'help-desk', users: ['customer'], script: [{ userId: 'customer', says: 'I want to talk to a manager.' }] }] }] },
    });
    t = await target();
    sb.callbacks.configure({ url: t.url, key: KEY });
  });
  afterAll(async () => {
    await sb.close();
    await t.close();
  });
  afterEach(() => {
    t.received.length = 0;
  });

  it('signs every body with the callback key and sends the headers TRTC sends', async () => {
    expect((await act({ action: 'enter', roomId: 1234, userId: 'carol' })).status).toBe(200);
    const [r] = await drained();
    expect(r!.headers).toMatchObject({ 'content-type': 'application/json', sdkappid: String(APP) });
    expect(verifyCallback(KEY, Buffer.from(r!.raw), r!.headers.sign as string)).toBe(true);
    expect(verifyCallback('another-key', Buffer.from(r!.raw), r!.headers.sign as string)).toBe(false);
    expect(r!.body).toMatchObject({ EventGroupId: 1, EventType: 103, CallbackTs: expect.any(Number) });
    expect(r!.body.EventInfo).toEqual({
      RoomId: 1234, EventTs: Math.floor(r!.body.EventInfo.EventMsTs / 1000), EventMsTs: expect.any(Number), UserId: 'carol', Role: 20, TerminalType: 100, UserType: 3, Reason: 1,
    });
  });

  it('reports a new room, exits, removals and dismissals (room group)', async () => {
    await act({ action: 'enter', roomId: 'lobby', userId: 'dave' });
    await act({ action: 'enter', roomId: 'lobby', userId: 'erin' });
    await act({ action: 'leave', roomId: 'lobby', userId: 'erin' });
    await call('RemoveUserByStrRoomId', { SdkAppId: APP, RoomId: 'lobby', UserIds: ['dave'] });
    const got = (await drained()).map((r) => [r.body.EventType, r.body.EventInfo.UserId, r.body.EventInfo.Reason]);
    expect(got).toEqual([[101, 'dave', undefined], [103, 'dave', 1], [103, 'erin', 1], [104, 'erin', 1], [104, 'dave', 3], [102, undefined, undefined]]);
    await call('DismissRoom', { SdkAppId: APP, RoomId: 1234 });
    const dismissed = await drained();
    expect(dismissed.map((r) => r.body.EventType)).toEqual([104, 104, 104, 102]);
    expect(dismissed.slice(0, 3).map((r) => r.body.EventInfo.Reason)).toEqual([3, 3, 3]);
  });

  it('reports mutes and blocks as the media they stop and resume (media group)', async () => {
    await act({ action: 'enter', roomId: 42, userId: 'frank' });
    await drained();
    const block = (IsMute: number) => call('SetUserBlocked', { SdkAppId: APP, RoomId: 42, UserId: 'frank', IsMute });
    await block(2);
    expect((await drained()).map((r) => [r.body.EventGroupId, r.body.EventType, r.body.EventInfo.UserId])).toEqual([[2, 204, 'frank']]);
    await block(1);
    expect(t.types()).toEqual([]);
    expect((await drained()).map((r) => r.body.EventType)).toEqual([202]);
    await block(0);
    expect((await drained()).map((r) => r.body.EventType)).toEqual([201, 203]);
  });

  it('reports role switches: a live viewer enters as audience and becomes an anchor on a seat', async () => {
    await rest('live_engine_http_srv/create_room', { RoomInfo: { RoomId: 'live-1', RoomType: 'Live', Owner_Account: 'host', SeatTemplate: 'AudioSalon' } });
    await act({ action: 'enter', roomId: 'live-1', userId: 'host' });
    await drained();
    sb.rest.enter(app(), 'live-1', 'viewer');
    await rest('room_engine_http_mic/pick_user_on_seat', { RoomId: 'live-1', Index: 1, Member_Account: 'viewer' });
    await rest('room_engine_http_mic/kick_user_off_seat', { RoomId: 'live-1', Member_Account: 'viewer', Data: 'thanks' });
    expect((await drained()).map((r) => [r.body.EventType, r.body.EventInfo.UserId, r.body.EventInfo.Role])).toEqual([
      [103, 'viewer', 21], [105, 'viewer', 20], [105, 'viewer', 21],
    ]);
    expect((await act({ action: 'role', roomId: 'live-1', userId: 'viewer', role: 'anchor' })).status).toBe(200);
    expect((await drained()).map((r) => [r.body.EventType, r.body.EventInfo.Role])).toEqual([[105, 20]]);
    expect(await act({ action: 'dance', roomId: 'live-1', userId: 'viewer' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/action must be/) } });
  });

  it('reports a recording starting, stopping and its files (recording group)', async () => {
    const storage = { CloudStorage: { Vendor: 0, Region: 'ap-guangzhou', Bucket: 'b-1250000000', AccessKey: 'ak', SecretKey: 'sk-storage-0000' } };
    const { TaskId } = await call('CreateCloudRecording', {
      SdkAppId: APP, RoomId: 'help-desk', RoomIdType: 0, UserId: 'recorder', UserSig: sig('recorder'),
      RecordParams: { RecordMode: 1, StreamType: 0, OutputFormat: 3 }, StorageParams: storage,
    }) as { TaskId: string };
    await call('DeleteCloudRecording', { SdkAppId: APP, TaskId });
    // The files follow once the recorder, having left, has uploaded them.
    const got = await until(310);
    expect(got.map((r) => [r.body.EventGroupId, r.body.EventType])).toEqual([[3, 301], [3, 302], [3, 310]]);
    expect(got[0]!.body.EventInfo).toMatchObject({ RoomId: 'help-desk', UserId: 'recorder', TaskId, Payload: { Status: 0 } });
    expect(got[1]!.body.EventInfo.Payload).toEqual({ LeaveCode: 0 });
    expect(got[2]!.body.EventInfo.Payload).toMatchObject({
      Status: 0, FileList: [`${TaskId}__UserId_s_customer__UserId_e.mp4`],
      FileMessage: [{ FileName: `${TaskId}__UserId_s_customer__UserId_e.mp4`, UserId: 'customer', TrackType: 'audio_video', MediaId: 'main' }],
    });
  });

  it('reports a recording whose bucket does not exist: uploading fails at once, and the MP4 files never reach it', async () => {
    const storage = { CloudStorage: { Vendor: 0, Region: 'ap-guangzhou', Bucket: 'no-app-id', AccessKey: 'ak', SecretKey: 'sk-storage-0000' } };
    const { TaskId } = await call('CreateCloudRecording', {
      SdkAppId: APP, RoomId: 'help-desk', RoomIdType: 0, UserId: 'recorder-2', UserSig: sig('recorder-2'),
      RecordParams: { RecordMode: 1, OutputFormat: 3 }, StorageParams: storage,
    }) as { TaskId: string };
    expect((await until(303)).map((r) => [r.body.EventType, r.body.EventInfo.Payload])).toEqual([[301, { Status: 0 }], [303, { Status: 1 }]]);
    await call('DeleteCloudRecording', { SdkAppId: APP, TaskId });
    expect((await until(310)).map((r) => [r.body.EventType, r.body.EventInfo.Payload])).toEqual([[302, { LeaveCode: 0 }], [310, { Status: 2, FileList: [], FileMessage: [] }]]);
  });

  it('reports a relay connecting to each CDN address, publishing, failing the unreachable one, and letting go of the rest when stopped', async () => {
    const { TaskId } = await call('StartPublishCdnStream', {
      SdkAppId: APP, RoomId: '1234', RoomIdType: 0, WithTranscoding: 1,
      AgentParams: { UserId: 'relay-bot', UserSig: sig('relay-bot'), MaxIdleTime: 30 },
      AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 2, BitRate: 64 } },
      PublishCdnParams: [{ PublishCdnUrl: 'rtmp://live.example.com/app/stream-1' }, { PublishCdnUrl: 'rtmp://cdn.invalid/app/stream-2' }],
    }) as { TaskId: string };
    const statuses = (rs: Received[]) => rs.filter((r) => r.body.EventType === 401).map((r) => [r.body.EventInfo.Payload.Url.split('/')[2], r.body.EventInfo.Payload.Status]);
    // Both connect at once; a moment later one publishes and the other fails and goes idle.
    const settled = await until(401, 5_000, 5);
    expect(statuses(settled)).toEqual(expect.arrayContaining([['live.example.com', 1], ['cdn.invalid', 1], ['live.example.com', 2], ['cdn.invalid', 4], ['cdn.invalid', 0]]));
    const failure = settled.find((r) => r.body.EventInfo.Payload.Status === 4)!.body.EventInfo;
    expect(failure).toMatchObject({ RoomId: 1234, RoomType: 0, TaskId, UserId: 'relay-bot', Payload: { ErrorCode: expect.any(Number), ErrorMsg: expect.stringContaining('cdn.invalid') } });
    await call('StopPublishCdnStream', { SdkAppId: APP, TaskId });
    expect(statuses(await drained())).toEqual([['live.example.com', 5], ['live.example.com', 0]]);
  });

  it('reports a relay to an address that is no URL at all as a failure naming it, and keeps running', async () => {
    const { TaskId } = await call('StartPublishCdnStream', {
      SdkAppId: APP, RoomId: '1234', RoomIdType: 0, WithTranscoding: 1,
      AgentParams: { UserId: 'relay-bot-3', UserSig: sig('relay-bot-3'), MaxIdleTime: 30 },
      AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 2, BitRate: 64 } },
      PublishCdnParams: [{ PublishCdnUrl: 'V6mFg2gh2XdDeQYvmHYa1_' }],
    }) as { TaskId: string };
    const failure = (await until(401, 5_000, 3)).find((r) => r.body.EventInfo.Payload.Status === 4)!.body.EventInfo;
    expect(failure.Payload.ErrorMsg).toContain('"V6mFg2gh2XdDeQYvmHYa1_"');
    await call('StopPublishCdnStream', { SdkAppId: APP, TaskId });
    await drained();
  });

  it('reports an ingest starting and stopping, and one whose source cannot be reached failing three times and giving up', async () => {
    const base = { SdkAppId: APP, RoomId: '1234', RoomIdType: 1 };
    const { TaskId } = await call('StartStreamIngest', { ...base, UserId: 'player', UserSig: sig('player'), StreamUrl: 'https://media.example.com/a.mp4' }) as { TaskId: string };
    await call('StopStreamIngest', { SdkAppId: APP, TaskId });
    expect((await drained()).map((r) => [r.body.EventGroupId, r.body.EventType, r.body.EventInfo])).toEqual([
      [7, 701, { EventMsTs: expect.any(Number), TaskId, Status: 0 }], [7, 702, { EventMsTs: expect.any(Number), TaskId, Status: 0 }],
    ]);
    const failing = await call('StartStreamIngest', { ...base, UserId: 'player-2', UserSig: sig('player-2'), StreamUrl: 'https://media.invalid/b.mp4' }) as { TaskId: string };
    expect((await until(702)).map((r) => [r.body.EventType, r.body.EventInfo.Status])).toEqual([[701, 1], [701, 2], [701, 1], [701, 2], [701, 1], [702, 0]]);
    expect(await call('DescribeStreamIngest', { SdkAppId: APP, TaskId: failing.TaskId })).toMatchObject({ Status: 'NotExist' });
  });

  it('ends a task whose room stayed empty on time, with nobody looking, and says so (LeaveCode 99)', async () => {
    await act({ action: 'enter', roomId: 'idle-room', userId: 'ivy' });
    const { TaskId } = await call('CreateCloudRecording', {
      SdkAppId: APP, RoomId: 'idle-room', RoomIdType: 0, UserId: 'recorder-3', UserSig: sig('recorder-3'),
      RecordParams: { RecordMode: 1, MaxIdleTime: 5 }, StorageParams: { CloudVod: { TencentVod: {} } },
    }) as { TaskId: string };
    // The room is empty from the moment ivy leaves: the idle time counts from there, not from when the test looks.
    const left = Date.now();
    await act({ action: 'leave', roomId: 'idle-room', userId: 'ivy' });
    await drained();
    const got = await until(312, 12_000);
    expect(got.map((r) => [r.body.EventType, r.body.EventInfo.TaskId])).toEqual([[302, TaskId], [311, TaskId], [312, TaskId]]);
    expect(got[0]!.body.EventInfo.Payload).toEqual({ LeaveCode: 99 });
    expect(got[0]!.body.EventInfo.EventMsTs).toBeGreaterThanOrEqual(left + 4_900);
  }, 20_000);

  it('reports an AI conversation: start, the scripted sentence it hears, its answer, a pushed text and the stop (AI group)', async () => {
    const { TaskId } = await call('StartAIConversation', {
      SdkAppId: APP, RoomId: 'help-desk', RoomIdType: 1,
      AgentConfig: { UserId: 'bot-1', UserSig: sig('bot-1'), TargetUserId: 'customer' },
      LLMConfig: '{"LLMType":"openai","Model":"m","APIKey":"k","APIUrl":"https://llm.invalid/v1"}', TTSConfig: '{"TTSType":"tencent","AppId":1,"SecretId":"a","SecretKey":"b","VoiceType":1}',
    }) as { TaskId: string };
    await new Promise((r) => setTimeout(r, 100)); // the script's line comes after the start
    await call('ControlAIConversation', { TaskId, Command: 'ServerPushText', ServerPushText: { Text: 'A manager will join you shortly.' } });
    await call('StopAIConversation', { TaskId });
    const got = await drained();
    expect(got.map((r) => r.body.EventType)).toEqual([901, 904, 903, 903, 905, 903, 905, 902]);
    for (const r of got) expect(r.body.EventInfo).toMatchObject({ TaskId, RoomId: 'help-desk', RoomIdType: 1, EventMsTs: expect.any(Number) });
    const payloads = got.map((r) => r.body.EventInfo.Payload);
    expect(payloads[0]).toEqual({ Status: 0 });
    expect(payloads[2]).toMatchObject({ UserId: 'customer', Text: 'I want to talk to a manager.', RoundId: payloads[1].RoundId, StartTimeMs: expect.any(Number), EndTimeMs: expect.any(Number) });
    expect(payloads[3]).toMatchObject({ UserId: 'bot-1', Text: SANDBOX_BOT_ANSWER });
    expect(payloads[5]).toMatchObject({ UserId: 'bot-1', Text: 'A manager will join you shortly.' });
    expect(payloads[7]).toEqual({ LeaveCode: 0 });
  });

  it('reports the sentences a transcription bot hears, from anyone in the room', async () => {
    await act({ action: 'enter', roomId: 'meeting', userId: 'gina' });
    await act({ action: 'enter', roomId: 'meeting', userId: 'hank' });
    const { TaskId } = await call('StartAITranscription', {
      SdkAppId: APP, RoomId: 'meeting', RoomIdType: 1, TranscriptionParams: { UserId: 'scribe', UserSig: sig('scribe') },
    }) as { TaskId: string };
    await drained();
    expect((await act({ action: 'say', roomId: 'meeting', userId: 'hank', text: 'Minutes, please.' })).status).toBe(200);
    const got = await drained();
    expect(got.map((r) => [r.body.EventType, r.body.EventInfo.TaskId, r.body.EventInfo.Payload.UserId, r.body.EventInfo.Payload.Text])).toEqual([
      [904, TaskId, 'hank', undefined], [903, TaskId, 'hank', 'Minutes, please.'],
    ]);
    expect((await act({ action: 'say', roomId: 'meeting', userId: 'nobody', text: 'x' })).status).toBe(400);
  });
});

describe("TRTC's retry schedule", () => {
  const fast = { timeoutMs: 150, intervalMs: 120, giveUpMs: 700 };
  let sb: Sandbox;
  beforeAll(async () => {
    // Rooms that are already open, so that an entry makes one callback (no CreateRoom).
    sb = await withSandbox({ world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: 7, users: ['x'] }, { roomId: 8, users: ['y'] }] }] } });
  });
  afterAll(() => sb.close());

  it('retries a failure at once, then at intervals, until an answer of 200', async () => {
    const t = await target((n) => (n <= 3 ? 500 : 200));
    // Intervals long enough that "at once" and "after an interval" stay apart on a busy machine.
    const schedule = { timeoutMs: 1_000, intervalMs: 800, giveUpMs: 10_000 };
    sb.callbacks.configure({ url: t.url, key: KEY }, schedule);
    await fetch(`${sb.url}_sandbox/act`, { method: 'POST', body: JSON.stringify({ action: 'enter', roomId: 7, userId: 'ivy' }) });
    await sb.callbacks.idle();
    const attempts = t.received.filter((r) => r.body.EventType === 103);
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
    expect(gaps[0]).toBeLessThan(schedule.intervalMs / 2); // the first retry is immediate
    for (const gap of gaps.slice(1)) expect(gap).toBeGreaterThanOrEqual(schedule.intervalMs - 10);
    // Each attempt is signed afresh, with its own CallbackTs, for the same event.
    expect(new Set(attempts.map((r) => JSON.stringify(r.body.EventInfo))).size).toBe(1);
    expect(sb.callbacks.sent.find((c) => c.type === 103 && c.info.UserId === 'ivy')).toMatchObject({ state: 'delivered', attempts: 4, last: 200 });
    await t.close();
  });

  it('gives up a minute (here: the given time) after the first try, and counts an answer later than the timeout as a failure', async () => {
    const t = await target(() => 'hang');
    sb.callbacks.configure({ url: t.url, key: KEY }, fast);
    await fetch(`${sb.url}_sandbox/act`, { method: 'POST', body: JSON.stringify({ action: 'enter', roomId: 8, userId: 'jack' }) });
    await sb.callbacks.idle();
    const attempts = t.received.filter((r) => r.body.EventType === 103 && r.body.EventInfo.UserId === 'jack');
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    // No attempt started at or after the give-up time, by the sandbox's own clock (arrival adds the network's delays).
    const jack = sb.callbacks.sent.find((c) => c.info.UserId === 'jack')!;
    expect(jack).toMatchObject({ state: 'failed', attempts: attempts.length, last: expect.stringMatching(/no answer within 150 ms/) });
    expect(jack.sentAt! - jack.firstSentAt!).toBeLessThan(fast.giveUpMs);
    await t.close();
  });
});
