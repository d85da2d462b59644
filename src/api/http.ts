// One HTTP sender for both API families, on Node's own http/https: keep-alive, a connection timeout and a
// whole-request timeout, a cap on answer size, no automatic retries (the callers decide what is safe to repeat),
// and a verdict on whether a failed request left the machine.
//
// Why not an HTTP client library: got was the first choice, and it costs about 0.3 ms of CPU per request
// (measured), which took the server from 0.74x to 0.59x of the MCP stack's own throughput ceiling. A request
// here is always the same small JSON POST, which needs none of got's features.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { TransportError } from './errors.js';
import { telemetry } from '../telemetry/index.js';

// Loaded through require, and on the first request: on Node 22+, an ESM import of node:http builds its full export
// list, which loads Node's whole fetch stack (undici) for nothing, about 9 ms of every start; and http, https and
// tls together are some 20 ms of a start that sends nothing before its first tool call.
const require = createRequire(import.meta.url);

export interface HttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpResponse {
  status: number;
  body: string;
  contentType?: string;
  /** X-TC-RequestId: streamed answers carry their RequestId here rather than in the body. */
  requestId?: string;
}

/**
 * A connection idle this long is closed by us, well before servers close theirs (commonly 5 s or more): a server that
 * closes a kept-alive connection as a request goes out on it resets that request, and its outcome is then unknown.
 */
export const IDLE_CONNECTION_MS = 4_000;
type Client = { request: typeof import('node:http').request; agent: import('node:http').Agent };
let clients: Record<string, Client> | undefined;
const client = (lib: typeof import('node:http') | typeof import('node:https')): Client => ({
  request: lib.request as Client['request'],
  agent: new lib.Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
});
const clientFor = (protocol: string): Client | undefined =>
  (clients ??= { 'http:': client(require('node:http')), 'https:': client(require('node:https')) })[protocol];

/** Errors that happen before any byte of the request is written. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);
/** No TRTC answer comes near this; a larger one is refused rather than buffered. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export class HttpSender {
  /** Connecting (DNS, TCP, TLS) gets a shorter limit than the whole request, so a timeout says whether it was sent. */
  private readonly connectMs: number;

  constructor(private readonly timeoutMs: number) {
    this.connectMs = Math.min(10_000, Math.ceil(timeoutMs * 0.8));
  }

  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const url = new URL(req.url);
    const { request: send, agent } = clientFor(url.protocol) ?? {};
    if (!send || !agent) return Promise.reject(new TransportError(`unsupported protocol ${url.protocol}`, 'network', 'no'));
    const attempt = telemetry.httpAttempt();
    return new Promise((resolve, reject) => {
      let connected = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (err: TransportError | undefined, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        attempt(res?.status ?? err?.status);
        for (const t of timers) clearTimeout(t);
        if (err) {
          request.destroy();
          reject(err);
        } else resolve(res!);
      };

      const request = send(
        url,
        { method: req.method, headers: { ...req.headers, 'Content-Length': String(Buffer.byteLength(req.body)) }, agent, signal },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) finish(new TransportError(`the answer exceeds ${MAX_ANSWER_BYTES} bytes`, 'malformed', 'maybe', res.statusCode));
            else chunks.push(chunk);
          });
          res.on('end', () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              contentType: res.headers['content-type'],
              requestId: [res.headers['x-tc-requestid']].flat()[0],
            }),
          );
          res.on('error', (err) => finish(networkError(err, connected)));
        },
      );
      request.on('socket', (socket: Socket) => {
        const ready = url.protocol === 'https:' ? 'secureConnect' : 'connect';
        // A reused keep-alive socket is connected already.
        if (!socket.connecting && (url.protocol !== 'https:' || (socket as Socket & { encrypted?: boolean }).encrypted)) connected = true;
        else socket.once(ready, () => (connected = true));
      });
      request.on('error', (err) => finish(networkError(err, connected)));
      timers.push(
        setTimeout(() => {
          if (!connected) finish(new TransportError(`timed out after ${this.connectMs} ms while connecting`, 'timeout', 'no'));
        }, this.connectMs),
        setTimeout(() => finish(new TransportError(`timed out after ${this.timeoutMs} ms`, 'timeout', connected ? 'maybe' : 'no')), this.timeoutMs),
      );
      request.end(req.body);
    });
  }
}

function networkError(err: Error & { code?: string }, connected: boolean): TransportError {
  const sent = !connected && err.code !== undefined && NOT_SENT_CODES.has(err.code) ? 'no' : 'maybe';
  return new TransportError(`network error: ${err.code ?? err.message}`, 'network', sent);
}
