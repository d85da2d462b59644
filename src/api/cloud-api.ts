// The Cloud API 3.0 caller: signs with TC3, POSTs JSON, times out, and retries only what is safe to repeat.
import type { ToolDef } from '../../tools/define.js';
import type { Credentials } from '../credentials.js';
import type { Logger } from '../log.js';
import { RateLimitedError, type RateGate } from '../rate-limit.js';
import { serviceOf, tc3Headers } from '../signing/tc3.js';
import type { ApiCaller, ApiResult } from './caller.js';
import { ApiError, PreflightError, TransportError } from './errors.js';
import { send, type HttpRequest } from './http.js';

export interface CloudCallerOptions {
  /** Base URL, e.g. https://trtc.intl.tencentcloudapi.com/ */
  endpoint: string;
  credentials: () => Credentials;
  region: string;
  timeoutMs: number;
  maxRetries: number;
  log: Logger;
  client: string;
  /** Keeps every attempt under the action's documented rate. */
  gate?: RateGate;
}

export interface CloudCall {
  action: string;
  version: string;
  params: Record<string, unknown>;
  /** Read-only actions may be repeated; writes are repeated only when they never left this machine. */
  readOnly: boolean;
  /** Documented limit, requests per second; each attempt waits for a slot. */
  rateLimit?: number;
  signal?: AbortSignal;
}

export interface CloudResult {
  response: Record<string, unknown>;
  requestId: string;
  attempts: number;
}

export class CloudApiCaller implements ApiCaller {
  private readonly url: URL;

  constructor(private readonly opts: CloudCallerOptions) {
    this.url = new URL(opts.endpoint);
  }

  async invoke(def: ToolDef, params: Record<string, unknown>, opts: { signal?: AbortSignal } = {}): Promise<ApiResult> {
    const api = cloudApiOf(def);
    if (api.regions && !api.regions.includes(this.opts.region)) {
      throw new PreflightError(
        `${def.name} is served only in ${api.regions.join(', ')}, and this server is configured for ${this.opts.region}. Restart it with --region set to one of those.`,
      );
    }
    return this.call({ action: api.action, version: api.version, params, readOnly: def.effect === 'read', rateLimit: def.rateLimit, signal: opts.signal });
  }

  preview(def: ToolDef, params: Record<string, unknown>) {
    const api = cloudApiOf(def);
    return this.buildRequest({ action: api.action, version: api.version, params });
  }

  /** The exact request that would be sent now (used by the caller itself and by dry runs). */
  buildRequest(call: Pick<CloudCall, 'action' | 'version' | 'params'>): HttpRequest {
    const creds = this.opts.credentials();
    const body = JSON.stringify(call.params);
    const headers = tc3Headers(
      {
        secretId: creds.secretId,
        secretKey: creds.secretKey,
        service: serviceOf(this.url.hostname),
        host: this.url.host,
        timestamp: Math.floor(Date.now() / 1000),
        payload: body,
      },
      { action: call.action, version: call.version, region: this.opts.region, token: creds.token, client: this.opts.client },
    );
    return { method: 'POST', url: this.url.href, headers, body };
  }

  async call(call: CloudCall): Promise<CloudResult> {
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      if (this.opts.gate && call.rateLimit) {
        try {
          await this.opts.gate.acquire(call.action, call.rateLimit);
        } catch (err) {
          throw err instanceof RateLimitedError ? new PreflightError(err.message) : err;
        }
      }
      try {
        const res = await send(this.buildRequest(call), { timeoutMs: this.opts.timeoutMs, signal: call.signal });
        const result = parseCloudResponse(res.status, res.body);
        this.opts.log.debug('cloud call', { action: call.action, attempt, ms: Date.now() - started, requestId: result.requestId });
        return { ...result, attempts: attempt };
      } catch (err) {
        const retry = attempt <= this.opts.maxRetries && isSafeToRepeat(err, call.readOnly) && !call.signal?.aborted;
        this.opts.log.debug('cloud call failed', {
          action: call.action, attempt, ms: Date.now() - started, error: describeError(err), retry,
        });
        if (!retry) throw err;
        await sleep(backoff(err, attempt));
      }
    }
  }
}

function cloudApiOf(def: ToolDef) {
  if (def.api.kind !== 'cloud') throw new Error(`${def.name} is not a Cloud API action`);
  return def.api;
}

function parseCloudResponse(status: number, body: string): Omit<CloudResult, 'attempts'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TransportError(`HTTP ${status} with a body that is not JSON`, status === 200 ? 'malformed' : 'http', 'maybe', status);
  }
  const response = (parsed as { Response?: Record<string, unknown> } | null)?.Response;
  if (!response || typeof response !== 'object') {
    throw new TransportError(`HTTP ${status} without a Response envelope`, status === 200 ? 'malformed' : 'http', 'maybe', status);
  }
  const requestId = typeof response.RequestId === 'string' ? response.RequestId : '';
  const error = response.Error as { Code?: unknown; Message?: unknown } | undefined;
  if (error) throw new ApiError(String(error.Code ?? 'InternalError'), String(error.Message ?? ''), requestId || undefined, 'cloud');
  if (status !== 200) throw new TransportError(`HTTP ${status}`, 'http', 'maybe', status, requestId || undefined);
  return { response, requestId };
}

/** Whether a failed call may be sent again without risking a duplicate effect. */
export function isSafeToRepeat(err: unknown, readOnly: boolean): boolean {
  if (err instanceof TransportError) return err.sent === 'no' || readOnly;
  if (err instanceof ApiError) {
    return readOnly && /^(RequestLimitExceeded|InternalError|ServiceUnavailable|ResourceUnavailable)/.test(err.code);
  }
  return false;
}

function backoff(err: unknown, attempt: number): number {
  const base = err instanceof ApiError && err.code.startsWith('RequestLimitExceeded') ? 1000 : 100;
  return base * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

