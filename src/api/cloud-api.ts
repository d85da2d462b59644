// The Cloud API 3.0 caller: signs with TC3, POSTs JSON, times out, and retries only what is safe to repeat.
import { regionsOn, type Site, type ToolDef } from '../../tools/define.js';
import type { Credentials } from '../credentials.js';
import type { Logger } from '../log.js';
import type { RateGate, RateShare } from '../rate-limit.js';
import { serviceOf, tc3Headers } from '../signing/tc3.js';
import type { ApiCaller, ApiResult, InvokeOptions } from './caller.js';
import { ApiError, PreflightError, TransportError } from './errors.js';
import { HttpSender, type HttpRequest } from './http.js';
import { acquireSlot, describeError, jittered, withRetries } from './retry.js';
import { telemetry } from '../telemetry/index.js';

export interface CloudCallerOptions {
  /** Base URL, e.g. https://trtc.intl.tencentcloudapi.com/ */
  endpoint: string;
  /** The site the server works with: it picks each action's regions and, for actions with a domain of their own, the domain. */
  site: Site;
  /** Set when the endpoint was given explicitly (a private endpoint, the sandbox): every action goes there. */
  fixedEndpoint?: boolean;
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
  /** The action's own domain, when it has one. */
  host?: string;
  params: Record<string, unknown>;
  /** Read-only actions may be repeated; writes are repeated only when they never left this machine. */
  readOnly: boolean;
  /** Documented limit, requests per second; each attempt waits for a slot. */
  rateLimit?: number;
  signal?: AbortSignal;
  /** The caller's share of the rate limit, when an identity has one. */
  share?: RateShare;
}

export interface CloudResult {
  response: Record<string, unknown>;
  requestId: string;
  attempts: number;
}

export class CloudApiCaller implements ApiCaller {
  private readonly url: URL;
  private readonly http: HttpSender;

  constructor(private readonly opts: CloudCallerOptions) {
    this.url = new URL(opts.endpoint);
    this.http = new HttpSender(opts.timeoutMs);
  }

  invoke(def: ToolDef, params: Record<string, unknown>, opts: InvokeOptions = {}): Promise<ApiResult> {
    const { action, host } = this.target(def);
    const info = { family: 'cloud' as const, action, host: host ?? this.url.host, region: this.opts.region, site: this.opts.site };
    return telemetry.apiCall(info, () => this.send(def, params, opts));
  }

  private async send(def: ToolDef, params: Record<string, unknown>, opts: InvokeOptions): Promise<ApiResult> {
    const api = cloudApiOf(def);
    const regions = regionsOn(api, this.opts.site);
    if (regions && !regions.includes(this.opts.region)) {
      throw new PreflightError(
        `${def.name} is served only in ${regions.join(', ')}, and this server is configured for ${this.opts.region}. Restart it with --region set to one of those.`,
      );
    }
    return this.call({ ...this.target(def), params, readOnly: def.effect === 'read', rateLimit: def.rateLimit, signal: opts.signal, share: opts.share });
  }

  preview(def: ToolDef, params: Record<string, unknown>) {
    return this.buildRequest({ ...this.target(def), params });
  }

  private target(def: ToolDef): Pick<CloudCall, 'action' | 'version' | 'host'> {
    const api = cloudApiOf(def);
    return { action: api.action, version: api.version, host: this.opts.fixedEndpoint ? undefined : api.hosts?.[this.opts.site] };
  }

  /**
   * The exact request that would be sent now (used by the caller itself and by dry runs), stamped with the time of
   * its rate slot when it has one.
   */
  buildRequest(call: Pick<CloudCall, 'action' | 'version' | 'host' | 'params'>, slotAt?: number): HttpRequest {
    const creds = this.opts.credentials();
    const body = JSON.stringify(call.params);
    const url = call.host ? new URL(`https://${call.host}/`) : this.url;
    const headers = tc3Headers(
      {
        secretId: creds.secretId,
        secretKey: creds.secretKey,
        service: serviceOf(url.hostname),
        host: url.host,
        timestamp: Math.floor(stampOf(slotAt) / 1000),
        payload: body,
      },
      { action: call.action, version: call.version, region: this.opts.region, token: creds.token, client: this.opts.client },
    );
    return { method: 'POST', url: url.href, headers, body };
  }

  async call(call: CloudCall): Promise<CloudResult> {
    const log = this.opts.log;
    const { value, attempts } = await withRetries(
      {
        maxRetries: this.opts.maxRetries,
        signal: call.signal,
        safeToRepeat: (err) => isSafeToRepeat(err, call.readOnly),
        delayMs: backoff,
        onAttempt: ({ attempt, ms, value, error, retry }) =>
          error
            ? log.debug('cloud call failed', { action: call.action, attempt, ms, error: describeError(error), retry })
            : log.debug('cloud call', { action: call.action, attempt, ms, requestId: value?.requestId }),
      },
      async () => {
        const slotAt = this.opts.gate && call.rateLimit ? await acquireSlot(this.opts.gate, call.action, call.rateLimit, call.share) : undefined;
        const res = await this.http.send(this.buildRequest(call, slotAt), call.signal);
        return /^text\/event-stream/i.test(res.contentType ?? '') ? parseEventStream(res.status, res.body, res.requestId) : parseCloudResponse(res.status, res.body);
      },
    );
    return { ...value, attempts };
  }
}

/**
 * The time a request is signed with: its rate slot's, so that a timer that fired late does not move the request into
 * the service's next one-second window (Tencent counts requests by X-TC-Timestamp). A slot in the future or long past
 * is no stamp (a request is valid for minutes only): then now.
 */
export function stampOf(slotAt: number | undefined, now = Date.now()): number {
  return slotAt !== undefined && slotAt <= now && now - slotAt < 30_000 ? slotAt : now;
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

/**
 * A streamed answer: each `data:` line holds one event. The events become the answer's Events, and an error
 * event fails the call like an error answer does (the audio streamed before it is of no use).
 */
export function parseEventStream(status: number, body: string, requestId = ''): Omit<CloudResult, 'attempts'> {
  const events: Array<Record<string, unknown>> = [];
  for (const line of body.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      events.push(JSON.parse(line.slice(5).trim()) as Record<string, unknown>);
    } catch {
      throw new TransportError(`HTTP ${status} with an event that is not JSON`, 'malformed', 'maybe', status, requestId || undefined);
    }
  }
  const id = requestId || String(events.find((e) => typeof e.RequestId === 'string')?.RequestId ?? '');
  const failed = events.find((e) => e.Type === 'error') as { Error?: { Code?: unknown; Message?: unknown } } | undefined;
  if (failed) throw new ApiError(String(failed.Error?.Code ?? 'InternalError'), String(failed.Error?.Message ?? ''), id || undefined, 'cloud');
  if (status !== 200) throw new TransportError(`HTTP ${status}`, 'http', 'maybe', status, id || undefined);
  return { response: { Events: events, RequestId: id }, requestId: id };
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
  return jittered(err instanceof ApiError && err.code.startsWith('RequestLimitExceeded') ? 1000 : 100, attempt);
}
