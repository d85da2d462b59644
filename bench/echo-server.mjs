// The stack's own ceiling for the throughput benchmark: a bare MCP server with one trivial echo tool over HTTP,
// built with the same SDK line and transport as trtc-mcp in each protocol era. `legacy` (the default): the v1 SDK's
// Streamable HTTP transport, one server per session. `2026-07-28`: the v2 SDK's stateless handler, a fresh server
// per request.
import { randomUUID } from 'node:crypto';
import http from 'node:http';

const era = process.argv[2] ?? 'legacy';
const tools = [{ name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } }, annotations: { readOnlyHint: true } }];
const echo = (args) => ({ content: [{ type: 'text', text: String(args?.text ?? '') }] });
const readJson = async (req) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
};

let handle;
if (era === 'legacy') {
  const { Server } = await import('@modelcontextprotocol/sdk/server/index.js');
  const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
  const { CallToolRequestSchema, isInitializeRequest, ListToolsRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
  const sessions = new Map();
  const newServer = () => {
    const server = new Server({ name: 'echo', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
    server.setRequestHandler(CallToolRequestSchema, async (req) => echo(req.params.arguments));
    return server;
  };
  handle = async (req, res) => {
    const sid = req.headers['mcp-session-id'];
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    let transport = sid ? sessions.get(sid) : undefined;
    if (!transport && req.method === 'POST' && isInitializeRequest(body)) {
      transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (id) => sessions.set(id, transport) });
      await newServer().connect(transport);
    }
    if (!transport) {
      res.writeHead(404).end();
      return;
    }
    await transport.handleRequest(req, res, body);
  };
} else {
  const { createMcpHandler, Server } = await import('@modelcontextprotocol/server');
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const modern = toNodeHandler(
    createMcpHandler(() => {
      const server = new Server({ name: 'echo', version: '1' }, { capabilities: { tools: {} } });
      server.setRequestHandler('tools/list', () => ({ tools }));
      server.setRequestHandler('tools/call', (req) => echo(req.params.arguments));
      return server;
    }, { legacy: 'reject' }),
  );
  handle = async (req, res) => modern(req, res, req.method === 'POST' ? await readJson(req) : undefined);
}
const httpServer = http.createServer((req, res) => void handle(req, res));
httpServer.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${httpServer.address().port}\n`));
