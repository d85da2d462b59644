// Which requests a listener admits before anything else: the Host must name the server, so that a DNS-rebinding
// page gets nothing, and a browser's Origin must be the server's own or one the operator listed. Every listener a
// browser could reach applies it (the MCP port, the approval page's own port).
import type http from 'node:http';
import { normalizeOrigin } from '../config.js';

/**
 * The Host and Origin checks of a server bound to host:port, as a function that says why a request is refused (or
 * undefined): the Host must name the server (a rebinding page must get nothing), and a browser's Origin must be one
 * of the server's own (same scheme, host and port) or one the operator listed.
 */
export function hostAndOrigin(host: string, port: number, allowedHosts: readonly string[] = [], allowedOrigins: readonly string[] = []): (req: http.IncomingMessage) => string | undefined {
  const own = ['localhost', '127.0.0.1', '[::1]', host.includes(':') ? `[${host}]` : host];
  const hosts = new Set([...own, ...allowedHosts].flatMap((n) => [n.toLowerCase(), `${n.toLowerCase()}:${port}`]));
  const origins = new Set([...own.map((n) => normalizeOrigin(`http://${n}:${port}`)), ...allowedOrigins].filter((o): o is string => o !== undefined));
  return (req) => {
    const name = String(req.headers.host ?? '').toLowerCase();
    if (!hosts.has(name)) return `Host ${name || '(none)'} is not allowed.`;
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    const normal = normalizeOrigin(origin);
    return normal && origins.has(normal) ? undefined : `Origin ${origin} is not allowed.`;
  };
}

