// The TC3 signer must produce exactly what Tencent's official SDK computes for the same request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudApiCaller, stampOf } from '../src/api/cloud-api.js';
import { RateGate } from '../src/rate-limit.js';
import { silentLogger } from '../src/log.js';
import { serviceOf, signTc3, tc3Headers, utcDate } from '../src/signing/tc3.js';
import { officialCall, officialTrtcClient, Sign } from './official-sdk.js';

interface Captured {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An HTTP server that records each request and answers with an empty success envelope. */
let capture: http.Server;
let captureUrl: string;
const seen: Captured[] = [];
beforeAll(async () => {
  capture = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Response: { RequestId: 'captured' } }));
    });
  });
  await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
  captureUrl = `http://127.0.0.1:${(capture.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => capture.close(() => r())));

const creds = { secretId: 'test-secret-id-0001', secretKey: 'test-secret-key-not-real-0001' };

const payloads: Array<[string, Record<string, unknown>]> = [
  ['RemoveUser', { SdkAppId: 1400000001, RoomId: 1234, UserIds: ['test1', 'test2'] }],
  ['DismissRoomByStrRoomId', { SdkAppId: 1400000001, RoomId: 'ünïcode-房间-🎉' }],
  ['SetUserBlocked', { SdkAppId: 1400188366, RoomId: 10006, UserId: '29376', IsMute: 1 }],
  ['DescribeRoomInfo', { SdkAppId: 1, StartTime: 1590065777, EndTime: 1590065877, PageNumber: '0', Nested: { A: [1, { B: 'x' }] } }],
];

describe('signTc3 against the official SDK', () => {
  it.each(payloads)('signs %s exactly as the SDK does', async (action, req) => {
    seen.length = 0;
    await officialCall(officialTrtcClient(captureUrl, creds), action, req);
    const sent = seen[0]!;
    const timestamp = Number(sent.headers['x-tc-timestamp']);
    const ours = signTc3({ ...creds, service: serviceOf('127.0.0.1'), host: sent.headers.host!, timestamp, payload: sent.body });
    expect(ours.authorization).toBe(sent.headers.authorization);
    expect(ours.credentialScope).toBe(`${utcDate(timestamp)}/127/tc3_request`);
  });

  it('matches the SDK for the production host and a fixed timestamp', () => {
    const timestamp = 1551113065;
    const payload = JSON.stringify({ SdkAppId: 1400000001, RoomId: 1234 });
    const host = 'trtc.intl.tencentcloudapi.com';
    const sdk = Sign.sign3({
      method: 'POST', url: `https://${host}/`, payload: JSON.parse(payload), timestamp, service: 'trtc',
      ...creds, multipart: false, headers: { 'Content-Type': 'application/json' },
    });
    expect(signTc3({ ...creds, service: serviceOf(host), host, timestamp, payload }).authorization).toBe(sdk);
  });

  it('uses the UTC date of the timestamp, not the local one', () => {
    // 2019-02-26 00:44:25 in UTC+8 is still 2019-02-25 in UTC (the example in the docs).
    expect(signTc3({ ...creds, service: 'cvm', host: 'cvm.tencentcloudapi.com', timestamp: 1551113065, payload: '' }).credentialScope)
      .toBe('2019-02-25/cvm/tc3_request');
  });

  it('changes when any signed part changes', () => {
    const base = { ...creds, service: 'trtc', host: 'trtc.tencentcloudapi.com', timestamp: 1700000000, payload: '{"a":1}' };
    const sig = signTc3(base).signature;
    expect(signTc3({ ...base, payload: '{"a":2}' }).signature).not.toBe(sig);
    expect(signTc3({ ...base, secretKey: 'other-key-0000' }).signature).not.toBe(sig);
    expect(signTc3({ ...base, timestamp: 1700000001 }).signature).not.toBe(sig);
    expect(signTc3({ ...base, host: 'trtc.intl.tencentcloudapi.com' }).signature).not.toBe(sig);
  });

  it('puts a session token in X-TC-Token and the SDK sends the same headers', async () => {
    seen.length = 0;
    const token = 'session-token-for-test-0001';
    await officialCall(officialTrtcClient(captureUrl, { ...creds, token }), 'DismissRoom', { SdkAppId: 1, RoomId: 2 });
    const sdk = seen[0]!.headers;
    const ours = tc3Headers(
      { ...creds, service: '127', host: sdk.host!, timestamp: Number(sdk['x-tc-timestamp']), payload: seen[0]!.body },
      { action: 'DismissRoom', version: '2019-07-22', region: 'ap-singapore', token },
    );
    expect(ours['X-TC-Token']).toBe(token);
    expect(sdk['x-tc-token']).toBe(token);
    for (const name of ['Authorization', 'Content-Type', 'Host', 'X-TC-Action', 'X-TC-Timestamp', 'X-TC-Version', 'X-TC-Region']) {
      expect(ours[name], name).toBe(sdk[name.toLowerCase()]);
    }
  });
});

describe('CloudApiCaller', () => {
  it('sends requests whose Authorization equals what the SDK computes for the same timestamp and body', async () => {
    seen.length = 0;
    const caller = new CloudApiCaller({
      endpoint: captureUrl, site: 'intl', credentials: () => creds, region: 'ap-guangzhou', timeoutMs: 5000, maxRetries: 0, log: silentLogger, client: 'test',
    });
    const result = await caller.call({ action: 'RemoveUser', version: '2019-07-22', params: { SdkAppId: 1, RoomId: 9, UserIds: ['a'] }, readOnly: false });
    expect(result.requestId).toBe('captured');
    const sent = seen[0]!;
    expect(sent.headers['x-tc-action']).toBe('RemoveUser');
    expect(sent.headers['x-tc-region']).toBe('ap-guangzhou');
    expect(sent.headers['content-type']).toBe('application/json');
    const sdk = Sign.sign3({
      method: 'POST', url: captureUrl, payload: JSON.parse(sent.body), timestamp: Number(sent.headers['x-tc-timestamp']),
      service: '127', ...creds, multipart: false, headers: { 'Content-Type': 'application/json' },
    });
    expect(sent.headers.authorization).toBe(sdk);
  });

  it('stamps a request with the time of its rate slot, so that a late timer does not move it into the next second', async () => {
    seen.length = 0;
    // A slot reserved for 1.5 s ago: the process was too busy to send it then. Tencent counts requests by their
    // X-TC-Timestamp, so the request must say the second it was reserved in.
    const late = Date.now() - 1500;
    const gate = new RateGate(1000, 1, { reserve: async () => ({ reserved: true, waitMs: 0, at: late }) });
    const caller = new CloudApiCaller({
      endpoint: captureUrl, site: 'intl', credentials: () => creds, region: 'ap-guangzhou', timeoutMs: 5000, maxRetries: 0, log: silentLogger, client: 'test', gate,
    });
    await caller.call({ action: 'SetUserBlocked', version: '2019-07-22', params: { SdkAppId: 1, RoomId: '9', UserId: 'a', IsMute: 1 }, readOnly: false, rateLimit: 20 });
    expect(Number(seen[0]!.headers['x-tc-timestamp'])).toBe(Math.floor(late / 1000));
    // The signature covers that time: the SDK computes the same for it.
    expect(seen[0]!.headers.authorization).toBe(Sign.sign3({
      method: 'POST', url: captureUrl, payload: JSON.parse(seen[0]!.body), timestamp: Math.floor(late / 1000),
      service: '127', ...creds, multipart: false, headers: { 'Content-Type': 'application/json' },
    }));
    // A slot in the future, or so old that the request would be stale, is no stamp: then the request says now.
    expect(stampOf(late, late + 1500)).toBe(late);
    expect(stampOf(late + 10, late)).toBe(late);
    expect(stampOf(late - 30_000, late)).toBe(late);
    expect(stampOf(undefined, late)).toBe(late);
  });
});
