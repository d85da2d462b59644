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

const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

export async function serveStdio(eras: StdioEras, log: Logger, stdin: Readable = process.stdin): Promise<() => Promise<void>> {
  const { opening, input } = await readOpening(stdin);
  if (isModernOpening(opening)) {
    const [{ serveStdio: serve, StdioServerTransport }, newServer] = await Promise.all([import('@modelcontextprotocol/server/stdio'), eras.modern()]);
    const caller = `stdio:${randomUUID()}`;
    const handle = serve(() => newServer(caller), {
      legacy: 'reject',
      transport: new StdioServerTransport(input, process.stdout),
      onerror: (err) => log.debug('2026-07-28 message not served', { error: err.message }),
    });
    log.info('serving MCP over stdio', { era: '2026-07-28' });
    return () => handle.close();
  }
  const [{ StdioServerTransport }, server] = await Promise.all([import('@modelcontextprotocol/sdk/server/stdio.js'), eras.legacy()]);
  await server.connect(new StdioServerTransport(input, process.stdout));
  log.info('serving MCP over stdio', { era: 'legacy' });
  return () => server.close();
}

/** Waits for the first line, then hands back a stream that replays it followed by the rest of stdin. */
function readOpening(stdin: Readable): Promise<{ opening: string; input: Readable }> {
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
      resolve({ opening: buffered.subarray(0, newline < 0 ? undefined : newline).toString('utf8'), input });
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
  return message.method === 'server/discover' || (typeof message.params?._meta === 'object' && message.params._meta !== null && PROTOCOL_VERSION_META_KEY in message.params._meta);
}
