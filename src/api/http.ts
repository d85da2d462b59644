// One HTTP sender for both API families: got, keep-alive, timeouts, no automatic retries
// (the callers decide what is safe to repeat), and a verdict on whether a failed request left the machine.
import http from 'node:http';
import https from 'node:https';
import type { Got } from 'got';
import { TransportError } from './errors.js';

export interface HttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpResponse {
  status: number;
  body: string;
}

const agent = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

// got is loaded on first use: start-up stays fast, and a server that is only listed pays nothing.
let gotPromise: Promise<Got> | undefined;
const loadGot = () => (gotPromise ??= import('got').then((m) => m.got));

/** Failures in these phases happen before any byte of the request is written. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);
const NOT_SENT_TIMEOUTS = new Set(['lookup', 'connect', 'secureConnect']);

/** Sends requests with one preconfigured got instance (merging options once, not on every call). */
export class HttpSender {
  private instance: Promise<Got> | undefined;

  constructor(private readonly timeoutMs: number) {}

  private client(): Promise<Got> {
    // Connection phases get a shorter limit than the whole request, so a timeout says which phase it hit.
    const phase = Math.min(10_000, Math.ceil(this.timeoutMs * 0.8));
    return (this.instance ??= loadGot().then((got) =>
      got.extend({
        agent,
        timeout: { lookup: phase, connect: phase, secureConnect: phase, request: this.timeoutMs },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
      }),
    ));
  }

  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const got = await this.client();
    try {
      const res = await got(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
      return { status: res.statusCode, body: res.body as string };
    } catch (err) {
      const e = err as { code?: string; name?: string; event?: string; message?: string };
      if (e.name === 'TimeoutError') {
        const sent = e.event && NOT_SENT_TIMEOUTS.has(e.event) ? 'no' : 'maybe';
        throw new TransportError(`timed out after ${this.timeoutMs} ms (${e.event ?? 'request'})`, 'timeout', sent);
      }
      const sent = e.code && NOT_SENT_CODES.has(e.code) ? 'no' : 'maybe';
      throw new TransportError(`network error: ${e.code ?? e.message ?? 'unknown'}`, 'network', sent);
    }
  }
}
