// TC3-HMAC-SHA256, the Cloud API 3.0 request signature (seed 004, "Signature v3"). Pure functions.
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
/** The content type we send and sign; the official SDKs send exactly this for JSON requests. */
export const JSON_CONTENT_TYPE = 'application/json';

export interface Tc3Request {
  secretId: string;
  secretKey: string;
  /** Product name in the credential scope, e.g. "trtc". */
  service: string;
  /** Host the request is sent to; a port, if any, is not signed. */
  host: string;
  timestamp: number;
  payload: string;
  method?: 'POST' | 'GET';
  path?: string;
  query?: string;
  contentType?: string;
}

export interface Tc3Signature {
  authorization: string;
  signature: string;
  credentialScope: string;
  signedHeaders: string;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** UTC date of a Unix timestamp, as the credential scope needs it. */
export function utcDate(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/** The product name in a Cloud API host, as the official SDKs derive it (first DNS label). */
export function serviceOf(host: string): string {
  return host.split('.')[0]!;
}

/** The parts of a request that TC3 signs, already in canonical form. */
export interface Tc3Canonical {
  method: string;
  path: string;
  query: string;
  /** "name:value\n" lines, lower-cased, sorted by name. */
  canonicalHeaders: string;
  signedHeaders: string;
  payloadHash: string;
  timestamp: number;
  service: string;
  secretKey: string;
}

// The derived key depends only on the key, the UTC date and the service: derive it once a day, not per request.
let lastKey: { secretKey: string; date: string; service: string; key: Buffer } | undefined;
function signingKey(secretKey: string, date: string, service: string): Buffer {
  if (lastKey?.secretKey !== secretKey || lastKey.date !== date || lastKey.service !== service) {
    lastKey = { secretKey, date, service, key: hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request') };
  }
  return lastKey.key;
}

/** Hex signature of a canonical request (steps 1-3 of the algorithm). */
export function tc3SignatureOf(c: Tc3Canonical): { signature: string; credentialScope: string } {
  const canonicalRequest = [c.method, c.path, c.query, c.canonicalHeaders, c.signedHeaders, c.payloadHash].join('\n');
  const date = utcDate(c.timestamp);
  const credentialScope = `${date}/${c.service}/tc3_request`;
  const stringToSign = [TC3_ALGORITHM, String(c.timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const secretSigning = signingKey(c.secretKey, date, c.service);
  return { signature: createHmac('sha256', secretSigning).update(stringToSign).digest('hex'), credentialScope };
}

export function signTc3(req: Tc3Request): Tc3Signature {
  const contentType = (req.contentType ?? JSON_CONTENT_TYPE).trim().toLowerCase();
  const hostname = req.host.replace(/:\d+$/, '').toLowerCase();
  const signedHeaders = 'content-type;host';
  const { signature, credentialScope } = tc3SignatureOf({
    method: req.method ?? 'POST',
    path: req.path ?? '/',
    query: req.query ?? '',
    canonicalHeaders: `content-type:${contentType}\nhost:${hostname}\n`,
    signedHeaders,
    payloadHash: sha256Hex(req.payload),
    timestamp: req.timestamp,
    service: req.service,
    secretKey: req.secretKey,
  });
  return {
    authorization: `${TC3_ALGORITHM} Credential=${req.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    credentialScope,
    signedHeaders,
  };
}

export interface CloudRequestHeaders {
  action: string;
  version: string;
  region?: string;
  token?: string;
  /** Identifies the calling client to Tencent. */
  client?: string;
}

/** The full header set of a signed Cloud API 3.0 JSON request. */
export function tc3Headers(req: Tc3Request, h: CloudRequestHeaders): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: signTc3(req).authorization,
    'Content-Type': req.contentType ?? JSON_CONTENT_TYPE,
    Host: req.host,
    'X-TC-Action': h.action,
    'X-TC-Timestamp': String(req.timestamp),
    'X-TC-Version': h.version,
  };
  if (h.region) headers['X-TC-Region'] = h.region;
  if (h.token) headers['X-TC-Token'] = h.token;
  if (h.client) headers['X-TC-RequestClient'] = h.client;
  return headers;
}
