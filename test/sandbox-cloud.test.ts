// The sandbox must be as strict as Tencent: the official SDK works against it, and wrong signatures,
// stale clocks, unknown keys, bad parameters and bursts get the documented errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTc3 } from '../src/signing/tc3.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { capture, CLI, cleanEnv, rememberSecret, withSandbox } from './helpers.js';
import { officialCall, officialTrtcClient, SdkError } from './official-sdk.js';

const account = { secretId: 'sandbox-test-id', secretKey: 'sandbox-test-key-0001' };

describe('standalone sandbox (trtc-mcp sandbox) with the official SDK', () => {
  let child: ChildProcess;
  let url: string;
  let banner = '';
  beforeAll(async () => {
    rememberSecret(account.secretKey);
    child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--secret-id', account.secretId, '--secret-key', account.secretKey], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        banner += d.toString();
        capture(d.toString());
        const m = /listening on (http:\/\/\S+)/.exec(banner);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
    });
  });
  afterAll(() => void child.kill('SIGTERM'));

  it('prints its URL and does not echo a key it was given', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(banner).toContain(account.secretId);
    expect(banner).not.toContain(account.secretKey);
  });

  it('answers a correctly signed official-SDK call and changes its state', async () => {
    const sdk = officialTrtcClient(url, account);
    const resp = await officialCall(sdk, 'RemoveUser', { SdkAppId: 1400000001, RoomId: 1234, UserIds: ['alice'] });
    expect(resp.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    const world = (await (await fetch(`${url}_sandbox/world`)).json()) as { apps: Array<{ rooms: Array<{ roomId: unknown; users: Array<{ userId: string }> }> }> };
    const room = world.apps[0]!.rooms.find((r) => r.roomId === 1234)!;
    expect(room.users.map((u) => u.userId)).toEqual(['bob', 'carol']);
  });

  it('rejects a wrong SecretKey with AuthFailure.SignatureFailure', async () => {
    const sdk = officialTrtcClient(url, { ...account, secretKey: 'wrong-key-0000000' });
    const err = await officialCall(sdk, 'DismissRoom', { SdkAppId: 1400000001, RoomId: 1234 }).catch((e: SdkError) => e);
    expect(err).toBeInstanceOf(SdkError);
    expect((err as SdkError).code).toBe('AuthFailure.SignatureFailure');
  });

  it('rejects an unknown SecretId with AuthFailure.SecretIdNotFound', async () => {
    const sdk = officialTrtcClient(url, { ...account, secretId: 'nobody' });
    const err = (await officialCall(sdk, 'DismissRoom', { SdkAppId: 1400000001, RoomId: 1234 }).catch((e) => e)) as SdkError;
    expect(err.code).toBe('AuthFailure.SecretIdNotFound');
  });
});

/** Sends a request signed by our signer, with full control over every part. */
async function raw(sb: Sandbox, opts: { action?: string; body?: unknown; timestamp?: number; key?: string; id?: string; region?: string; token?: string; version?: string }) {
  const u = new URL(sb.url);
  const payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body ?? {});
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const acct = sb.accounts[0]!;
  const auth = signTc3({ secretId: opts.id ?? acct.secretId, secretKey: opts.key ?? acct.secretKey, service: 'trtc', host: u.host, timestamp, payload }).authorization;
  const headers: Record<string, string> = {
    Authorization: auth,
    'Content-Type': 'application/json',
    'X-TC-Action': opts.action ?? 'DismissRoom',
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Version': opts.version ?? '2019-07-22',
    'X-TC-Region': opts.region ?? 'ap-singapore',
  };
  if (opts.token) headers['X-TC-Token'] = opts.token;
  const res = await fetch(sb.url, { method: 'POST', headers, body: payload });
  expect(res.status).toBe(200);
  return ((await res.json()) as { Response: { Error?: { Code: string; Message: string }; RequestId: string } }).Response;
}

describe('sandbox Cloud API strictness', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await withSandbox();
  });
  afterAll(() => sb.close());

  it('accepts its own signature (service "trtc")', async () => {
    const r = await raw(sb, { action: 'SetUserBlocked', body: { SdkAppId: 1400000001, RoomId: 1234, UserId: 'bob', IsMute: 1 } });
    expect(r.Error).toBeUndefined();
    expect(sb.world.room(sb.world.apps.get(1400000001)!, 'int', 1234)!.users.get('bob')!.block).toBe(1);
  });

  it.each([
    ['a timestamp 6 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 360 }, 'AuthFailure.SignatureExpire'],
    ['a timestamp 6 minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 360 }, 'AuthFailure.SignatureExpire'],
    ['a wrong key', { key: 'not-the-key-000' }, 'AuthFailure.SignatureFailure'],
    ['an unknown SecretId', { id: 'AKID-unknown' }, 'AuthFailure.SecretIdNotFound'],
    ['an unexpected session token', { token: 'stray-token' }, 'AuthFailure.TokenFailure'],
    ['an unknown action', { action: 'DropAllTables' }, 'InvalidAction'],
    ['a wrong version', { version: '2017-03-12' }, 'NoSuchVersion'],
    ['an unsupported region', { region: 'eu-frankfurt' }, 'UnsupportedRegion'],
    ['a body that is not JSON', { body: '{"SdkAppId":' }, 'InvalidParameter'],
    ['a missing RoomId', { body: { SdkAppId: 1400000001 } }, 'MissingParameter.RoomId'],
    ['a missing SdkAppId', { body: { RoomId: 1 } }, 'MissingParameter.SdkAppId'],
    ['a string RoomId for DismissRoom', { body: { SdkAppId: 1400000001, RoomId: '1234' } }, 'InvalidParameter.RoomId'],
    ['an unknown parameter', { body: { SdkAppId: 1400000001, RoomId: 1234, Force: true } }, 'UnknownParameter'],
    ['an app of another account', { body: { SdkAppId: 1400999999, RoomId: 1234 } }, 'UnauthorizedOperation.SdkAppId'],
    ['a room that is not active', { body: { SdkAppId: 1400000001, RoomId: 424242 } }, 'FailedOperation.RoomNotExist'],
    ['more than 10 users', { action: 'RemoveUser', body: { SdkAppId: 1400000001, RoomId: 1234, UserIds: Array.from({ length: 11 }, (_, i) => `u${i}`) } }, 'InvalidParameter.UserIds'],
    ['an IsMute outside 0-3', { action: 'SetUserBlocked', body: { SdkAppId: 1400000001, RoomId: 1234, UserId: 'bob', IsMute: 4 } }, 'InvalidParameter'],
    ['a user not in the room', { action: 'SetUserBlocked', body: { SdkAppId: 1400000001, RoomId: 1234, UserId: 'zed', IsMute: 1 } }, 'FailedOperation.UserNotExist'],
  ])('answers %s with %s', async (_label, opts, code) => {
    const r = await raw(sb, opts);
    expect(r.Error?.Code).toBe(code);
    expect(r.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('dismisses a room, after which the room does not exist', async () => {
    expect((await raw(sb, { action: 'DismissRoomByStrRoomId', body: { SdkAppId: 1400000001, RoomId: 'abcd' } })).Error).toBeUndefined();
    const again = await raw(sb, { action: 'RemoveUserByStrRoomId', body: { SdkAppId: 1400000001, RoomId: 'abcd', UserIds: ['test1'] } });
    expect(again.Error?.Code).toBe('FailedOperation.RoomNotExist');
    const app = sb.world.apps.get(1400000001)!;
    expect(app.events.filter((e) => e.roomId === 'abcd').map((e) => e.type)).toContain('dismissed');
  });

  it('keeps numeric and string rooms apart', async () => {
    const r = await raw(sb, { action: 'DismissRoomByStrRoomId', body: { SdkAppId: 1400000001, RoomId: '10006' } });
    expect(r.Error?.Code).toBe('FailedOperation.RoomNotExist');
    expect(sb.world.room(sb.world.apps.get(1400000001)!, 'int', 10006)).toBeDefined();
  });

});

describe('sandbox rate limits', () => {
  it('enforces the documented 20 requests per second', async () => {
    const frozen = Date.now();
    const sb = await withSandbox({ now: () => frozen });
    try {
      const body = { SdkAppId: 1400000001, RoomId: 999999 };
      // The sandbox counts by the signed timestamp: the whole burst is signed in one second.
      const timestamp = Math.floor(frozen / 1000);
      const codes = await Promise.all(Array.from({ length: 25 }, () => raw(sb, { action: 'DismissRoom', body, timestamp }).then((r) => r.Error?.Code)));
      expect(codes.filter((c) => c === 'RequestLimitExceeded').length).toBe(5);
      expect(codes.filter((c) => c === 'FailedOperation.RoomNotExist').length).toBe(20);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox with temporary credentials', () => {
  it('requires the matching session token', async () => {
    const sb = await withSandbox({ accounts: [{ secretId: 'tmp-id', secretKey: 'tmp-key-00000', token: 'tok-123456' }] });
    try {
      const body = { SdkAppId: 1400000001, RoomId: 1234 };
      expect((await raw(sb, { body })).Error?.Code).toBe('AuthFailure.TokenFailure');
      expect((await raw(sb, { body, token: 'tok-wrong' })).Error?.Code).toBe('AuthFailure.TokenFailure');
      expect((await raw(sb, { body, token: 'tok-123456' })).Error).toBeUndefined();
    } finally {
      await sb.close();
    }
  });
});
