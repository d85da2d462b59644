// Which requests a listener admits before anything else: the Host must name the server, so that a DNS-rebinding
// page gets nothing, and a browser's Origin must be the server's own or one the operator listed. Every listener a
// browser could reach applies them (the MCP port, the approval page's own port).
import type http from 'node:http';
import { normalizeOrigin } from '../config.js';

export interface BrowserChecks {
  /** Why the Host header is refused, or undefined. */
  host(req: http.IncomingMessage): string | undefined;
  /** Why the Origin header (when a browser sends one) is refused, or undefined. */
  origin(req: http.IncomingMessage): string | undefined;
}

/** The checks of a server bound to host:port: its loopback names and --host, plus what the operator listed. */
export function browserChecks(host: string, port: number, allowedHosts: readonly string[] = [], allowedOrigins: readonly string[] = []): BrowserChecks {
  const own = ['localhost', '127.0.0.1', '[::1]', host.includes(':') ? `[${host}]` : host];
  const hosts = new Set([...own, ...allowedHosts].flatMap((n) => [n.toLowerCase(), `${n.toLowerCase()}:${port}`]));
  // Same scheme, host and port as the server, or listed exactly.
  const origins = new Set([...own.map((n) => normalizeOrigin(`http://${n}:${port}`)), ...allowedOrigins].filter((o): o is string => o !== undefined));
  return {
    host: (req) => {
      const name = String(req.headers.host ?? '').toLowerCase();
      return hosts.has(name) ? undefined : hostRefusal(name, '--allowed-hosts (TRTC_MCP_ALLOWED_HOSTS)');
    },
    origin: (req) => {
      const origin = req.headers.origin;
      if (origin === undefined) return undefined;
      const normal = normalizeOrigin(origin);
      return normal && origins.has(normal) ? undefined : `Origin ${origin} is not allowed.`;
    },
  };
}

/**
 * Why a Host is refused, with the setting that admits it: a server reached by its IP address or host name (bound
 * beyond loopback) answers nothing by that name until the operator lists it.
 */
export function hostRefusal(name: string, setting: string): string {
  if (!name) return 'Host (none) is not allowed: send the Host header.';
  const bare = /^(\[[^\]]*\]|[^:]*)(:\d+)?$/.exec(name)?.[1] || name;
  return `Host ${name} is not allowed: to serve requests by that name, add ${bare} to ${setting}.`;
}

/** Both checks as one: why a request is refused, or undefined. */
export const hostAndOrigin = (checks: BrowserChecks) => (req: http.IncomingMessage) => checks.host(req) ?? checks.origin(req);
