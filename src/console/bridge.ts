/// <reference lib="dom" />
// The view's side of the MCP Apps protocol (2026-01-26): JSON-RPC 2.0 over postMessage with the host, spoken
// directly. The extension's App class would bring the MCP client and zod into the page (about 660 KB); the few
// messages a view needs take a page of code, and the tests drive this code from the extension's own host bridge.
import type { McpUiHostContext, McpUiInitializeResult } from '@modelcontextprotocol/ext-apps';

export const PROTOCOL_VERSION = '2026-01-26';

type Pending = { resolve(value: unknown): void; reject(err: Error): void };
type Message = { jsonrpc?: string; id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { code?: number; message?: string } };

/** A JSON-RPC error the host answered with (a refusal by the server comes through as one too). */
export class HostError extends Error {
  constructor(readonly code: number | undefined, message: string) {
    super(message);
  }
}

export class HostBridge {
  private next = 1;
  private readonly pending = new Map<number | string, Pending>();
  private readonly handlers = new Map<string, (params: any) => void>();

  /** `host`: the window the view talks to (its parent: the host, or the host's sandbox proxy). */
  constructor(private readonly host: Window) {
    window.addEventListener('message', (e) => {
      // Only the host speaks to the view; anything else posting to it is ignored.
      if (e.source !== this.host) return;
      this.receive(e.data as Message);
    });
  }

  on(method: string, handler: (params: any) => void): void {
    this.handlers.set(method, handler);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.post({ jsonrpc: '2.0', method, params });
  }

  /** The handshake: the host's context (theme, styles, sizes) once the host knows the view. */
  async initialize(name: string, version: string): Promise<McpUiHostContext> {
    const result = await this.request<McpUiInitializeResult>('ui/initialize', {
      appInfo: { name, version },
      appCapabilities: { availableDisplayModes: ['inline'] },
      protocolVersion: PROTOCOL_VERSION,
    });
    this.notify('ui/notifications/initialized', {});
    return result.hostContext ?? {};
  }

  private post(message: Message): void {
    this.host.postMessage(message, '*');
  }

  private receive(m: Message): void {
    if (!m || m.jsonrpc !== '2.0') return;
    if (m.id !== undefined && m.method === undefined) {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new HostError(m.error.code, String(m.error.message ?? 'error')));
      else p.resolve(m.result);
      return;
    }
    if (m.method === undefined) return;
    if (m.id !== undefined) {
      // Requests from the host: a view answers teardown and ping; it offers nothing else.
      if (m.method === 'ui/resource-teardown' || m.method === 'ping') this.post({ jsonrpc: '2.0', id: m.id, result: {} });
      else this.post({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: `Method not found: ${m.method}` } });
      return;
    }
    this.handlers.get(m.method)?.(m.params);
  }
}
