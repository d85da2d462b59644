// Our UserSig generator and verifier against Tencent's official tls-sig-api-v2.
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeUserSig, genUserSig, verifyUserSig } from '../src/signing/usersig.js';

const require = createRequire(import.meta.url);
const { Api } = require('tls-sig-api-v2') as { Api: new (sdkappid: number, key: string) => { genUserSig(userid: string, expire: number): string } };

// The public sample key and vector recorded in the reference (not a real credential).
const vector = {
  sdkappid: 1400000000,
  key: '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e',
  identifier: 'xiaojun',
  time: 1700000000,
  expire: 86400,
  sig: 'SNF4FmVCPucoXsBOpbVF3fFCf57JPm0ezZ1jeVILlVc=',
  userSig: 'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwhWZiflZpXlQqeKU7MSCgswUJStDEwMogMiUZOamKlkZmqOKplYUZBalKllZmJnAhIoz05WslIL93EzccsOcA0qT8yOKnfwLksLcjNPcnNNMzb0Ccg1Sq6IMs1LDPH1ywpJtlWoBGRkxcA__',
};

afterEach(() => vi.useRealTimers());

describe('UserSig v2', () => {
  it('reproduces the reference test vector byte for byte', () => {
    const ours = genUserSig({ sdkAppId: vector.sdkappid, secretKey: vector.key, userId: vector.identifier, expireSeconds: vector.expire, now: vector.time * 1000 });
    expect(ours).toBe(vector.userSig);
  });

  it('is byte-identical to the official generator at the same clock', () => {
    vi.useFakeTimers({ now: 1_763_000_000_000 });
    const official = new Api(1400000001, 'an-sdk-secret-key-for-tests').genUserSig('administrator', 3600);
    const ours = genUserSig({ sdkAppId: 1400000001, secretKey: 'an-sdk-secret-key-for-tests', userId: 'administrator', expireSeconds: 3600 });
    expect(ours).toBe(official);
  });

  it('verifies UserSigs from the official generator', () => {
    const official = new Api(1400000001, 'k-official-0001').genUserSig('bot_recorder', 600);
    const check = verifyUserSig(official, { sdkAppId: 1400000001, secretKey: 'k-official-0001', userId: 'bot_recorder' });
    expect(check).toMatchObject({ ok: true, claims: { userId: 'bot_recorder', expire: 600 } });
  });

  it('produces UserSigs whose HMAC the official algorithm recomputes', () => {
    const ours = genUserSig({ sdkAppId: 1400000002, secretKey: 'k-ours-0001', userId: 'ai_bot', expireSeconds: 300 });
    const claims = decodeUserSig(ours)!;
    vi.useFakeTimers({ now: claims.time * 1000 });
    expect(new Api(1400000002, 'k-ours-0001').genUserSig('ai_bot', 300)).toBe(ours);
  });

  it.each([
    ['another key', { secretKey: 'wrong-key' }, 'signature'],
    ['another app', { sdkAppId: 1400000009 }, 'sdkappid'],
    ['another user', { userId: 'mallory' }, 'identifier'],
    ['a later clock', { now: Date.now() + 601_000 }, 'expired'],
  ])('rejects a UserSig checked with %s', (_l, change, reason) => {
    const sig = genUserSig({ sdkAppId: 1400000001, secretKey: 'k-0001', userId: 'alice', expireSeconds: 600 });
    expect(verifyUserSig(sig, { sdkAppId: 1400000001, secretKey: 'k-0001', userId: 'alice', ...change })).toMatchObject({ ok: false, reason });
  });

  it('rejects garbage as malformed', () => {
    expect(verifyUserSig('not-a-usersig', { sdkAppId: 1, secretKey: 'k', userId: 'u' })).toEqual({ ok: false, reason: 'malformed' });
  });
});
