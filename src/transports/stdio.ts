// MCP over stdin/stdout: one client, one connection. Its opening message decides the protocol era for the whole
// connection: a request with the 2026-07-28 _meta envelope, or server/discover, is served by the v2 SDK's stdio
// entry (modern only); anything else, initialize first of all, gets the legacy handshake on the v1 SDK. Only the
// chosen SDK line is loaded.
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { Server as ModernServer } from '@modelcontextprotocol/server';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../log.js';

export interface StdioEras {
  legacy(): Promise<Server>;
  /** A factory of 2026-07-28 servers; `caller` names the connection. */
  modern(): Promise<(caller: string) => ModernServer>;
}

export interface StdioListener {
  /** Whether the connection opened in the 2026-07-28 era; known once the first message has arrived. */
  modern: Promise<boolean>;
  /** Resolves when the client has closed stdin and everything it sent has been read. */
  ended: Promise<void>;
  serve(eras: StdioEras, log: Logger): Promise<() => Promise<void>>;
}

const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
const modernEntry = () => import('@modelcontextprotocol/server/stdio');
const legacyEntry = () => import('@modelcontextprotocol/sdk/server/stdio.js');

/**
 * Starts reading the connection at once, so that the opening message, and with it the era and its SDK line, can
 * load while the rest of the server starts.
 */
export function listenStdio(stdin: Readable = process.stdin): StdioListener {
  const opening = readOpening(stdin);
  // The replayed stream ends only once the transport has read all of it, so nothing sent before the close is lost.
  const ended = opening.then(({ input }) => new Promise<void>((resolve) => input.once('end', () => resolve())));
  const modern = opening.then(({ line }) => isModernOpening(line));
  // The module loader keeps what it loaded: serve() finds it there.
  void modern.then((m): Promise<unknown> => (m ? modernEntry() : legacyEntry())).catch(() => undefined);
  return {
    modern,
    ended,
    async serve(eras, log) {
      const { input } = await opening;
      if (await modern) {
        const [{ serveStdio, StdioServerTransport }, newServer] = await Promise.all([modernEntry(), eras.modern()]);
        const caller = `stdio:${randomUUID()}`;
        const handle = serveStdio(() => newServer(caller), {
          legacy: 'reject',
          transport: new StdioServerTransport(input, process.stdout),
          onerror: (err) => log.debug('2026-07-28 message not served', { error: err.message }),
        });
        log.info('serving MCP over stdio', { era: '2026-07-28' });
        return () => handle.close();
      }
      const [{ StdioServerTransport }, server] = await Promise.all([legacyEntry(), eras.legacy()]);
      await server.connect(new StdioServerTransport(input, process.stdout));
      log.info('serving MCP over stdio', { era: 'legacy' });
      return () => server.close();
    },
  };
}

/** Waits for the first line, then hands back a stream that replays it followed by the rest of stdin. */
function readOpening(stdin: Readable): Promise<{ line: string; input: Readable }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      const input = new PassThrough();
      const buffered = Buffer.concat(chunks);
      input.write(buffered);
      if (stdin.readableEnded) input.end();
      else stdin.pipe(input);
      const newline = buffered.indexOf(0x0a);
      resolve({ line: buffered.subarray(0, newline < 0 ? undefined : newline).toString('utf8'), input });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      if (chunk.includes(0x0a)) done();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
  });
}

function isModernOpening(line: string): boolean {
  let message: { method?: unknown; params?: { _meta?: Record<string, unknown> } };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    return false;
  }
  if (!message || typeof message !== 'object') return false;
  const meta = message.params?._meta;
  return message.method === 'server/discover' || (typeof meta === 'object' && meta !== null && PROTOCOL_VERSION_META_KEY in meta);
}
