// The REST caller: the URL it builds, the admin UserSig it mints (checked against Tencent's generator), how it
// reads the envelope, and what it retries. Run against the sandbox and against a scripted HTTP peer.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CATALOG } from '../tools/index.js';
import { ApiError, PreflightError, TransportError } from '../src/api/errors.js';
import { ADMIN_USERSIG_TTL_S, RestApiCaller, type RestCallerOptions } from '../src/api/rest-api.js';
import { createLogger, silentLogger } from '../src/log.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { decodeUserSig, verifyUserSig } from '../src/signing/usersig.js';
import { withSandbox } from './helpers.js';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (sdkappid: number, key: string) => { genUserSig(userid: string, expire: number): string } };

const APP = 1400000001;
const KEY = 'sdk-secret-key-for-rest-tests';
const def = (name: string) => CATALOG.find((d) => d.name === name)!;

function caller(endpoint: string, extra: Partial<RestCallerOptions> = {}) {
  return new RestApiCaller({ endpoint, sdkAppId: APP, adminUserId: 'administrator', sdkSecretKey: KEY, timeoutMs: 5000, maxRetries: 2, log: silentLogger, ...extra });
}

const usersigOf = (url: string) => new URL(url).searchParams.get('usersig')!;

afterEach(() => vi.useRealTimers());

describe('REST requests', () => {
  it('POST /v4/{service}/{command} with exactly the documented query parameters and a JSON body', () => {
    const req = caller('https://adminapisgp.im.qcloud.com/').preview(def('live_get_room_info'), { RoomId: 'r1' });
    const url = new URL(req.url);
    expect(req.method).toBe('POST');
    expect(`${url.origin}${url.pathname}`).toBe('https://adminapisgp.im.qcloud.com/v4/live_engine_http_srv/get_room_info');
    expect([...url.searchParams.keys()]).toEqual(['sdkappid', 'identifier', 'usersig', 'random', 'contenttype']);
    expect(url.searchParams.get('sdkappid')).toBe(String(APP));
    expect(url.searchParams.get('identifier')).toBe('administrator');
    expect(url.searchParams.get('contenttype')).toBe('json');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ RoomId: 'r1' });
  });

  it('sends {} for a command without parameters, never an empty body', () => {
    expect(caller('https://h/').preview(def('call_get_records'), {}).body).toBe('{}');
  });

  it('draws a fresh 32-bit unsigned random for every request', () => {
    const c = caller('https://h/');
    const randoms = Array.from({ length: 50 }, () => c.preview(def('live_get_room_list'), { Next: '', Count: 1 })).map((r) => new URL(r.url).searchParams.get('random')!);
    for (const r of randoms) {
      expect(r).toMatch(/^\d+$/);
      expect(Number(r)).toBeLessThanOrEqual(0xffffffff);
    }
    expect(new Set(randoms).size).toBeGreaterThan(45);
  });

  it('mints the admin UserSig byte for byte as tls-sig-api-v2 does, and it verifies', () => {
    const at = 1_763_000_000_000;
    vi.useFakeTimers({ now: at, toFake: ['Date'] });
    const official = new Api(APP, KEY).genUserSig('administrator', ADMIN_USERSIG_TTL_S);
    vi.useRealTimers();
    const ours = usersigOf(caller('https://h/', { now: () => at }).preview(def('live_get_room_info'), { RoomId: 'r' }).url);
    expect(ours).toBe(official);
    expect(verifyUserSig(ours, { sdkAppId: APP, secretKey: KEY, userId: 'administrator', now: at + 1000 })).toMatchObject({ ok: true });
    expect(ADMIN_USERSIG_TTL_S).toBeGreaterThanOrEqual(86_400);
  });

  it('reuses the admin UserSig, and renews it an hour before it expires', () => {
    let now = 1_763_000_000_000;
    const c = caller('https://h/', { now: () => now });
    const sig = () => usersigOf(c.preview(def('live_get_room_info'), { RoomId: 'r' }).url);
    const first = sig();
    now += (ADMIN_USERSIG_TTL_S - 3600) * 1000 - 1000;
    expect(sig()).toBe(first);
    now += 1000;
    const renewed = sig();
    expect(renewed).not.toBe(first);
    expect(decodeUserSig(renewed)!.time).toBe(Math.floor(now / 1000));
  });

  it('refuses to send without an SDK secret key or an app, saying which setting is missing', () => {
    expect(() => caller('https://h/', { sdkSecretKey: undefined }).preview(def('live_get_room_info'), { RoomId: 'r' })).toThrow(PreflightError);
    expect(() => caller('https://h/', { sdkSecretKey: undefined }).preview(def('live_get_room_info'), { RoomId: 'r' })).toThrow(/TRTC_SDK_SECRET_KEY/);
    expect(() => caller('https://h/', { sdkAppId: undefined }).preview(def('live_get_room_info'), { RoomId: 'r' })).toThrow(/TRTC_SDK_APP_ID/);
  });
});

describe('REST answers from the sandbox', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await withSandbox({ sdkSecretKey: KEY });
  });
  afterAll(() => sb.close());

  it('returns create_room\'s top-level RoomId and the members of Response, flat, with the RequestId', async () => {
    const c = caller(sb.url);
    const created = await c.invoke(def('live_create_room'), { RoomInfo: { RoomId: 'flat-1', RoomType: 'Live', SeatTemplate: 'AudioSalon' } });
    expect(created).toMatchObject({ attempts: 1, response: { RoomId: 'flat-1', RequestId: expect.stringMatching(/^Id-/) } });
    expect(created.requestId).toBe(created.response.RequestId);
    const info = await c.invoke(def('live_get_room_info'), { RoomId: 'flat-1' });
    expect(Object.keys(info.response).sort()).toEqual(['RequestId', 'RoomInfo']);
    expect(info.response.RoomInfo).toMatchObject({ RoomId: 'flat-1', SeatTemplate: 'AudioSalon' });
  });

  it('turns a failure envelope into an ApiError with the code, message and RequestId', async () => {
    const err = await caller(sb.url).invoke(def('live_get_room_info'), { RoomId: 'nowhere' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: '100004', api: 'rest', requestId: expect.stringMatching(/^Id-/) });
  });
});

/** A peer that answers each request with the next scripted reply and remembers the URLs it saw. */
async function scripted(replies: Array<{ status?: number; body: unknown }>) {
  const urls: string[] = [];
  const server = http.createServer((req, res) => {
    urls.push(req.url!);
    req.resume();
    req.on('end', () => {
      const reply = replies[Math.min(urls.length - 1, replies.length - 1)]!;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, urls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const ok = (extra: Record<string, unknown> = {}) => ({ body: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', RequestId: 'Id-ok', ...extra } });
const fail = (code: number) => ({ body: { ActionStatus: 'FAIL', ErrorCode: code, ErrorInfo: `failed with ${code}`, RequestId: `Id-${code}` } });

describe('REST retries', () => {
  it('retries any command once its UserSig was refused as expired, with a newly minted one', async () => {
    let now = 1_763_000_000_000;
    const peer = await scripted([ok(), fail(70001), ok({ RoomId: 'r2' })]);
    try {
      const c = caller(peer.url, { now: () => now });
      await c.invoke(def('live_destroy_room'), { RoomId: 'r0' });
      now += 3 * 3600_000;
      const r = await c.invoke(def('live_create_room'), { RoomInfo: { RoomId: 'r2', RoomType: 'Live', SeatTemplate: 'Karaoke' } });
      expect(r).toMatchObject({ attempts: 2, response: { RoomId: 'r2' } });
      const [first, refused, fresh] = peer.urls.map((u) => usersigOf(`http://x${u}`));
      expect(refused).toBe(first);
      expect(decodeUserSig(fresh!)!.time).toBe(Math.floor(now / 1000));
    } finally {
      await peer.close();
    }
  });

  it('retries reads after transient failures, and gives up after the configured retries', async () => {
    const peer = await scripted([fail(100001), { status: 502, body: '<html>bad gateway</html>' }, ok({ Response: { Admin_Account: ['a'] } })]);
    try {
      const r = await caller(peer.url).invoke(def('live_get_admin_list'), { RoomId: 'r' });
      expect(r).toMatchObject({ attempts: 3, response: { Admin_Account: ['a'] } });
    } finally {
      await peer.close();
    }
    const stuck = await scripted([fail(100001)]);
    try {
      const err = await caller(stuck.url, { maxRetries: 1 }).invoke(def('live_get_admin_list'), { RoomId: 'r' }).catch((e) => e);
      expect(err).toMatchObject({ code: '100001' });
      expect(stuck.urls.length).toBe(2);
    } finally {
      await stuck.close();
    }
  });

  it('never repeats a write that may have taken effect', async () => {
    for (const reply of [fail(100001), fail(60007), { status: 502, body: 'bad gateway' }]) {
      const peer = await scripted([reply, ok()]);
      try {
        const err = await caller(peer.url).invoke(def('live_send_text_msg'), { RoomId: 'r', Sender_Account: 'a', TextContent: 'hi' }).catch((e) => e);
        expect(err).toBeInstanceOf(Error);
        expect(peer.urls.length).toBe(1);
      } finally {
        await peer.close();
      }
    }
  });

  it('reports a reply that is not the envelope as a malformed answer', async () => {
    const peer = await scripted([{ body: '{"hello":"world"}' }]);
    try {
      const err = await caller(peer.url, { maxRetries: 0 }).invoke(def('live_get_room_info'), { RoomId: 'r' }).catch((e) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect(err).toMatchObject({ kind: 'malformed' });
    } finally {
      await peer.close();
    }
  });

  it('retries a write that never left the machine', async () => {
    const peer = await scripted([ok()]);
    const port = new URL(peer.url).port;
    await peer.close();
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    const refused = await caller(`http://127.0.0.1:${port}/`, { maxRetries: 1, log }).invoke(def('live_send_text_msg'), { RoomId: 'r', Sender_Account: 'a', TextContent: 'hi' }).catch((e) => e);
    expect(refused).toMatchObject({ kind: 'network', sent: 'no' });
    expect(lines.map((l) => JSON.parse(l)).map((l) => [l.msg, l.attempt, l.retry])).toEqual([['rest call failed', 1, true], ['rest call failed', 2, false]]);
  });
});
