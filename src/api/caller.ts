// The interface the pipeline calls, whatever the API family.
import type { ToolDef } from '../../tools/define.js';
import type { RateShare } from '../rate-limit.js';
import type { HttpRequest } from './http.js';

/** How one call is sent: it may be cancelled, and it counts against its caller's share of the rate limits. */
export interface InvokeOptions {
  signal?: AbortSignal;
  share?: RateShare;
}

export interface ApiResult {
  response: Record<string, unknown>;
  requestId?: string;
  attempts: number;
}

export interface ApiCaller {
  /** Sends the call, or throws PreflightError when it must not be sent. */
  invoke(def: ToolDef, params: Record<string, unknown>, opts?: InvokeOptions): Promise<ApiResult>;
  /** The exact request `invoke` would send now (used by dry runs, after redaction). */
  preview(def: ToolDef, params: Record<string, unknown>): HttpRequest;
}
