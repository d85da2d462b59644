// The IM-style REST caller (`POST /v4/{service}/{command}`): an app admin's UserSig in the query string,
// a JSON body, HTTP 200 even on failure, and the ActionStatus/ErrorCode envelope.
import { randomInt } from 'node:crypto';
import type { ToolDef } from '../../tools/define.js';
import type { Logger } from '../log.js';
import type { RateGate } from '../rate-limit.js';
import { addSecret } from '../redact.js';
import { genUserSig } from '../signing/usersig.js';
import type { ApiCaller, ApiResult, InvokeOptions } from './caller.js';
import { ApiError, PreflightError, TransportError } from './errors.js';
import { HttpSender, type HttpRequest } from './http.js';
import { acquireSlot, describeError, jittered, withRetries } from './retry.js';

export interface RestCallerOptions {
  /** Base URL, e.g. https://adminapisgp.im.qcloud.com/ */
  endpoint: string;
  /** The app every call addresses: the admin UserSig is only valid for it. */
  sdkAppId: number | undefined;
  adminUserId: string;
  sdkSecretKey: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  log: Logger;
  /** Keeps every attempt under the command's documented rate. */
  gate?: RateGate;
  now?: () => number;
}

/** Validity of the admin UserSig we mint. Tencent advises at least a day for admin signatures. */
export const ADMIN_USERSIG_TTL_S = 86_400;
/** A cached signature is replaced this long before it expires, so clock skew never lets one lapse in flight. */
const RENEW_BEFORE_S = 3_600;

const EXPIRED = new Set(['70001', '70052']);
const THROTTLED = new Set(['60007', '60011', '60018', '60019']);
const TRANSIENT = new Set(['60008', '60014', '70169', '70202', '70500', '100001', '101001']);

export class RestApiCaller implements ApiCaller {
  private readonly base: URL;
  private readonly now: () => number;
  private readonly http: HttpSender;
  private cached?: { sig: string; renewAt: number };

  constructor(private readonly opts: RestCallerOptions) {
    this.base = new URL(opts.endpoint);
    this.now = opts.now ?? Date.now;
    this.http = new HttpSender(opts.timeoutMs);
  }

  async invoke(def: ToolDef, params: Record<string, unknown>, opts: InvokeOptions = {}): Promise<ApiResult> {
    const api = restApiOf(def);
    const command = `${api.service}/${api.command}`;
    const readOnly = def.effect === 'read';
    const log = this.opts.log;
    const { value, attempts } = await withRetries(
      {
        maxRetries: this.opts.maxRetries,
        signal: opts.signal,
        safeToRepeat: (err) => isSafeToRepeatRest(err, readOnly),
        delayMs: (err, attempt) => (err instanceof ApiError && EXPIRED.has(err.code) ? 0 : jittered(err instanceof ApiError && THROTTLED.has(err.code) ? 1000 : 100, attempt)),
        onAttempt: ({ attempt, ms, value, error, retry }) => {
          // A rejected signature is never reused: the next attempt mints a fresh one.
          if (error instanceof ApiError && EXPIRED.has(error.code)) this.cached = undefined;
          if (error) log.debug('rest call failed', { command, attempt, ms, error: describeError(error), retry });
          else log.debug('rest call', { command, attempt, ms, requestId: value?.requestId });
        },
      },
      async () => {
        if (this.opts.gate) await acquireSlot(this.opts.gate, def.name, def.rateLimit, opts.share);
        const res = await this.http.send(this.preview(def, params), opts.signal);
        return parseRestResponse(res.status, res.body);
      },
    );
    return { ...value, attempts };
  }

  /** The exact request `invoke` sends now; its URL carries the admin UserSig, so only log it redacted. */
  preview(def: ToolDef, params: Record<string, unknown>): HttpRequest {
    const api = restApiOf(def);
    const { sdkAppId, adminUserId } = this.opts;
    if (sdkAppId === undefined) throw new PreflightError('no SDKAppID is configured. Set TRTC_SDK_APP_ID to the app these REST APIs address.');
    const url = new URL(`v4/${api.service}/${api.command}`, this.base);
    url.search = new URLSearchParams({
      sdkappid: String(sdkAppId),
      identifier: adminUserId,
      usersig: this.adminUserSig(sdkAppId),
      random: String(randomInt(0, 2 ** 32)),
      contenttype: 'json',
    }).toString();
    // The body must never be empty: a command without parameters sends {}.
    return { method: 'POST', url: url.href, headers: { 'content-type': 'application/json' }, body: JSON.stringify(params ?? {}) };
  }

  private adminUserSig(sdkAppId: number): string {
    const now = this.now();
    if (this.cached && now < this.cached.renewAt) return this.cached.sig;
    const secretKey = this.opts.sdkSecretKey;
    if (!secretKey) {
      throw new PreflightError("the REST APIs sign with an admin UserSig minted from the app's SDK secret key. Set TRTC_SDK_SECRET_KEY.");
    }
    const sig = genUserSig({ sdkAppId, secretKey, userId: this.opts.adminUserId, expireSeconds: ADMIN_USERSIG_TTL_S, now });
    addSecret(sig);
    this.cached = { sig, renewAt: now + (ADMIN_USERSIG_TTL_S - RENEW_BEFORE_S) * 1000 };
    return sig;
  }
}

function restApiOf(def: ToolDef) {
  if (def.api.kind !== 'rest') throw new Error(`${def.name} is not a REST API command`);
  return def.api;
}

/**
 * Reads the envelope. The agent gets one flat object: RequestId, any top-level data (create_room's RoomId)
 * and the members of `Response`.
 */
export function parseRestResponse(status: number, body: string): { response: Record<string, unknown>; requestId: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TransportError(`HTTP ${status} with a body that is not JSON`, status === 200 ? 'malformed' : 'http', 'maybe', status);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('ErrorCode' in parsed || 'ActionStatus' in parsed)) {
    throw new TransportError(`HTTP ${status} without an ActionStatus envelope`, status === 200 ? 'malformed' : 'http', 'maybe', status);
  }
  const { ActionStatus, ErrorCode, ErrorInfo, RequestId, Response, ...top } = parsed as Record<string, unknown>;
  const requestId = typeof RequestId === 'string' ? RequestId : '';
  const code = Number(ErrorCode ?? 0);
  if (code !== 0 || (ActionStatus !== undefined && ActionStatus !== 'OK')) {
    throw new ApiError(code ? String(code) : String(ActionStatus), String(ErrorInfo ?? ''), requestId || undefined, 'rest');
  }
  if (status !== 200) throw new TransportError(`HTTP ${status}`, 'http', 'maybe', status, requestId || undefined);
  const data = Response && typeof Response === 'object' && !Array.isArray(Response) ? (Response as Record<string, unknown>) : {};
  return { response: { RequestId: requestId, ...top, ...data }, requestId };
}

/**
 * Reads may be repeated after any transient failure. Writes only when they provably had no effect:
 * they never left this machine, or Tencent refused the signature before looking at the command.
 */
export function isSafeToRepeatRest(err: unknown, readOnly: boolean): boolean {
  if (err instanceof TransportError) return err.sent === 'no' || readOnly;
  if (err instanceof ApiError) return EXPIRED.has(err.code) || (readOnly && (THROTTLED.has(err.code) || TRANSIENT.has(err.code)));
  return false;
}
