// Clients of the 2026-07-28 protocol for the tests: the v2 SDK's real Client pinned to that revision (no
// initialize, a _meta envelope on every request), over stdio against the built server or over HTTP, and a raw
// JSON-RPC poster for what a client library would never send (tampered state, mismatched headers).
import { Client, StreamableHTTPClientTransport, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { capture, CLI } from './helpers.js';

export const REVISION = '2026-07-28';

/** How a test client answers a form; without one the client declares no elicitation capability. */
export type FormAnswer = (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;

export interface ModernOptions {
  elicit?: FormAnswer;
  /** Requests pass through this fetch (HTTP only), for tests that watch or alter the wire. */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/** A v2 Client pinned to 2026-07-28 that captures every tool result for the secret sweep. */
export function modernClient(elicit?: FormAnswer): Client {
  const client = new Client(
    { name: 'trtc-mcp-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: REVISION } }, capabilities: elicit ? { elicitation: { form: {} } } : {} },
  );
  if (elicit) client.setRequestHandler('elicitation/create', async (req) => elicit(req.params));
  const callTool = client.callTool.bind(client);
  client.callTool = async (...args) => {
    const result = await callTool(...args);
    capture(JSON.stringify(result));
    return result;
  };
  return client;
}

export interface ModernConnected {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

export async function connectModernStdio(args: string[], env: Record<string, string>, opts: ModernOptions = {}): Promise<ModernConnected> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    capture(d);
  });
  const client = modernClient(opts.elicit);
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}

export async function connectModernHttp(url: string, opts: ModernOptions = {}): Promise<Client> {
  const client = modernClient(opts.elicit);
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: opts.headers ?? {} }, fetch: opts.fetch }));
  return client;
}

/** A retry as the client sent it: the request that carries a requestState, to replay by hand. */
export interface SentRetry {
  body: string;
  headers: Headers;
}

/**
 * A fetch that sends every request as asked, except retries that carry a requestState: those it remembers and
 * hands to `route` (another replica, say), as a load balancer might.
 */
export function routeRetries(route: (init: RequestInit) => Promise<Response>, seen: SentRetry[] = []): typeof fetch {
  return async (url, init) => {
    if (typeof init?.body === 'string' && init.body.includes('"requestState"')) {
      seen.push({ body: init.body, headers: new Headers(init.headers) });
      return route(init);
    }
    return fetch(url, init);
  };
}

/** The _meta envelope every 2026-07-28 request carries. */
export function envelope(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    'io.modelcontextprotocol/protocolVersion': REVISION,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': capabilities,
    ...extra,
  };
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  /** The JSON-RPC messages of the answer: one for a JSON body, each event's for a stream. */
  messages: Array<{ id?: unknown; method?: string; params?: any; result?: any; error?: { code: number; message: string; data?: any } }>;
}

/**
 * Posts one JSON-RPC request to /mcp with the standard headers of its method (unless overridden), as a
 * 2026-07-28 client would, and reads the whole answer.
 */
export async function post(url: string, method: string, params: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const name = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': REVISION,
      'mcp-method': method,
      ...(name !== undefined && { 'mcp-name': name }),
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.text();
  capture(body);
  const type = res.headers.get('content-type') ?? '';
  const messages = type.includes('text/event-stream')
    ? body.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)))
    : body ? [JSON.parse(body)] : [];
  return { status: res.status, headers: res.headers, messages };
}
