// TRTC's callback signature: Sign = base64(HMAC-SHA256(callback key, the raw request body)).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function signCallback(key: string, body: string | Buffer): string {
  return createHmac('sha256', key).update(body).digest('base64');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time: hashing both sides first makes their lengths equal, whatever was sent. */
export function verifyCallback(key: string, body: Buffer, sign: string): boolean {
  return timingSafeEqual(digest(signCallback(key, body)), digest(sign));
}
