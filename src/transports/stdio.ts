// MCP over stdin/stdout: one client, one server.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from '../log.js';

export async function serveStdio(server: Server, log: Logger): Promise<() => Promise<void>> {
  const transport = new StdioServerTransport();
  await server.connect(transport);
  log.info('serving MCP over stdio');
  return () => server.close();
}
