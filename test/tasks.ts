// A client that speaks the tasks extension (io.modelcontextprotocol/tasks) for the tests: the official package's
// requester session (@modelcontextprotocol/ext-tasks) over the v2 SDK's Client, pinned to 2026-07-28. The SDK's
// codecs do not carry the extension's wire shapes, so, as the package asks of a host, requests of the task surface go
// through a raw dispatch: one JSON-RPC POST to /mcp with the standard headers (Mcp-Method, and Mcp-Name naming the
// tool or the task). Every answer is captured for the secret sweep.
import { createApplicationInputHandler, createTaskSessionFromClient, type ApplicationElicitResult, type JsonRpcResponse, type TaskEnabledSession } from '@modelcontextprotocol/ext-tasks/client';
import type { Client } from '@modelcontextprotocol/client';
import { capture } from './helpers.js';
import { connectModernHttp, REVISION } from './modern.js';

/** How the human answers a form a task asks (a cancel's consent); without one the client declares no elicitation. */
export type TaskFormAnswer = (params: { message?: string; requestedSchema?: unknown }) => ApplicationElicitResult | Promise<ApplicationElicitResult>;

export interface TaskClient {
  /** The SDK's own client of the same server, for ordinary calls. */
  client: Client;
  session: TaskEnabledSession;
  /** The JSON-RPC requests the session sent, method by method. */
  sent: string[];
  close(): Promise<void>;
}

let seq = 0;

/** One JSON-RPC request as a 2026-07-28 client posts it, answered as the package expects. */
export function rawDispatcher(url: string, sent: string[] = [], headers: Record<string, string> = {}) {
  return async (request: unknown, options?: { context?: { headers?: Readonly<Record<string, string>> } }): Promise<JsonRpcResponse> => {
    const message = request as { method: string; params?: Record<string, unknown> };
    sent.push(message.method);
    const name = message.params?.taskId ?? message.params?.name;
    const id = ++seq;
    // The package names the task in Mcp-Name itself on the task methods; the standard headers are ours otherwise.
    const sending = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': REVISION, 'mcp-method': message.method });
    if (typeof name === 'string') sending.set('mcp-name', name);
    for (const [k, v] of Object.entries({ ...headers, ...options?.context?.headers })) sending.set(k, v);
    const res = await fetch(`${url}/mcp`, { method: 'POST', headers: sending, body: JSON.stringify({ jsonrpc: '2.0', id, ...message }) });
    const body = await res.text();
    capture(body);
    const messages = (res.headers.get('content-type') ?? '').includes('text/event-stream')
      ? body.split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)))
      : [JSON.parse(body)];
    const answer = messages.find((m) => m.id === id || (m.id === null && m.error)) as { result?: any; error?: any } | undefined;
    if (!answer) throw new Error(`no answer to ${message.method} (HTTP ${res.status}): ${body.slice(0, 500)}`);
    return answer.error ? { kind: 'error', error: answer.error } : { kind: 'result', result: answer.result };
  };
}

/**
 * A task session with the server at `url`. `endpointId` scopes serialized task references: a session with the same
 * one may resume what another started (after a restart, or on another replica).
 */
export async function connectTasks(url: string, opts: { elicit?: TaskFormAnswer; endpointId?: string; headers?: Record<string, string> } = {}): Promise<TaskClient> {
  const client = await connectModernHttp(url, { headers: opts.headers });
  const sent: string[] = [];
  const capabilities: Record<string, { form: Record<string, never> }> = opts.elicit ? { elicitation: { form: {} } } : {};
  const session = createTaskSessionFromClient(client, {
    endpointId: opts.endpointId ?? 'trtc-mcp-tests',
    rawDispatch: rawDispatcher(url, sent, opts.headers),
    v2RequestFraming: { protocolVersion: REVISION, clientInfo: { name: 'trtc-mcp-task-test', version: '1.0.0' }, clientCapabilities: capabilities },
    ...(opts.elicit && {
      onInputRequest: createApplicationInputHandler({
        elicitation: async (request) => opts.elicit!(request.params as { message?: string }),
        sampling: async () => {
          throw new Error('the tests never sample');
        },
        roots: async () => ({ roots: [] }),
      }),
    }),
  });
  return {
    client,
    session,
    sent,
    close: async () => {
      await session.close().catch(() => undefined);
      await client.close().catch(() => undefined);
    },
  };
}

/** Polls a task (through the package's controller) until `done` says its view is what the test waits for. */
export async function until<T extends { status: string }>(look: () => Promise<T>, done: (view: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await look();
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`the task did not get there in ${timeoutMs} ms; it is ${JSON.stringify(view).slice(0, 600)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
