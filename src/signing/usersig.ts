// TLS UserSig v2: the ticket a TRTC or IM user (or the REST admin) presents. Pure functions.
// UserSig = base64url'(zlib(JSON{TLS.ver, TLS.identifier, TLS.sdkappid, TLS.time, TLS.expire, TLS.sig}))
// where TLS.sig = base64(HMAC-SHA256(secretKey, "TLS.identifier:..\nTLS.sdkappid:..\nTLS.time:..\nTLS.expire:..\n")).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

// zlib is loaded on the first UserSig, not at every start.
const require = createRequire(import.meta.url);
const zlib = () => require('node:zlib') as typeof import('node:zlib');

export interface UserSigClaims {
  sdkAppId: number;
  userId: string;
  /** Issue time, Unix seconds. */
  time: number;
  /** Validity in seconds, counted from `time`. */
  expire: number;
}

function signature(secretKey: string, c: UserSigClaims): string {
  const content = `TLS.identifier:${c.userId}\nTLS.sdkappid:${c.sdkAppId}\nTLS.time:${c.time}\nTLS.expire:${c.expire}\n`;
  return createHmac('sha256', secretKey).update(content).digest('base64');
}

// Tencent's base64 variant: standard alphabet with + / = replaced by * - _ (padding kept).
const escape = (b64: string) => b64.replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
const unescape = (s: string) => s.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+');

export function genUserSig(opts: { sdkAppId: number; secretKey: string; userId: string; expireSeconds: number; now?: number }): string {
  const claims: UserSigClaims = {
    sdkAppId: opts.sdkAppId,
    userId: opts.userId,
    time: Math.floor((opts.now ?? Date.now()) / 1000),
    expire: opts.expireSeconds,
  };
  // Key order and compact JSON as the official generator writes them, so outputs are byte-identical.
  const doc = {
    'TLS.ver': '2.0',
    'TLS.identifier': claims.userId,
    'TLS.sdkappid': claims.sdkAppId,
    'TLS.time': claims.time,
    'TLS.expire': claims.expire,
    'TLS.sig': signature(opts.secretKey, claims),
  };
  return escape(zlib().deflateSync(Buffer.from(JSON.stringify(doc))).toString('base64'));
}

export type UserSigCheck =
  | { ok: true; claims: UserSigClaims }
  | { ok: false; reason: 'malformed' | 'sdkappid' | 'identifier' | 'expired' | 'signature'; claims?: UserSigClaims };

/** Reads a UserSig without checking it (for error messages and expiry bookkeeping). */
export function decodeUserSig(sig: string): UserSigClaims | undefined {
  try {
    const doc = JSON.parse(zlib().inflateSync(Buffer.from(unescape(sig), 'base64')).toString('utf8')) as Record<string, unknown>;
    const claims = {
      sdkAppId: Number(doc['TLS.sdkappid']),
      userId: String(doc['TLS.identifier'] ?? ''),
      time: Number(doc['TLS.time']),
      expire: Number(doc['TLS.expire']),
    };
    if (doc['TLS.ver'] !== '2.0' || typeof doc['TLS.sig'] !== 'string' || ![claims.sdkAppId, claims.time, claims.expire].every(Number.isFinite)) {
      return undefined;
    }
    return claims;
  } catch {
    return undefined;
  }
}

/** Verifies a UserSig as Tencent's servers do: app, identifier, expiry, then the HMAC. */
export function verifyUserSig(sig: string, expect: { sdkAppId: number; secretKey: string; userId: string; now?: number }): UserSigCheck {
  const claims = decodeUserSig(sig);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.sdkAppId !== expect.sdkAppId) return { ok: false, reason: 'sdkappid', claims };
  if (claims.userId !== expect.userId) return { ok: false, reason: 'identifier', claims };
  if ((expect.now ?? Date.now()) / 1000 > claims.time + claims.expire) return { ok: false, reason: 'expired', claims };
  const doc = JSON.parse(zlib().inflateSync(Buffer.from(unescape(sig), 'base64')).toString('utf8')) as { 'TLS.sig': string };
  const want = Buffer.from(signature(expect.secretKey, claims));
  const got = Buffer.from(doc['TLS.sig']);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'signature', claims };
  return { ok: true, claims };
}
