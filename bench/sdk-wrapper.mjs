// The reference for per-call latency: the smallest MCP server one could write around Tencent's official Node SDK,
// with one tool (DescribeRoomInfo) and no guardrails, in either protocol era. `node sdk-wrapper.mjs legacy` is a v1
// McpServer on stdio; `node sdk-wrapper.mjs 2026-07-28` is a v2 McpServer served by serveStdio. Credentials and the
// endpoint come from the environment, as for trtc-mcp.
import { createRequire } from 'node:module';
import { z } from 'zod';

const require = createRequire(import.meta.url);
const root = 'tencentcloud-sdk-nodejs-intl-en/tencentcloud';
const tencentcloud = require('tencentcloud-sdk-nodejs-intl-en');
const Credential = require(`${root}/common/credential`);
const ClientProfile = require(`${root}/common/profile/client_profile`);
const HttpProfile = require(`${root}/common/profile/http_profile`);

const endpoint = new URL(process.env.TRTC_ENDPOINT);
const sdk = new tencentcloud.trtc.v20190722.Client(
  new Credential(process.env.TENCENTCLOUD_SECRET_ID, process.env.TENCENTCLOUD_SECRET_KEY),
  'ap-singapore',
  new ClientProfile('TC3-HMAC-SHA256', new HttpProfile(`${endpoint.protocol}//`, endpoint.host, 'POST', 10)),
);
const inputSchema = { SdkAppId: z.number().int(), StartTime: z.number().int(), EndTime: z.number().int(), RoomId: z.string().optional() };
const describeRoomInfo = (args) =>
  new Promise((resolve) =>
    sdk.DescribeRoomInfo(args, (err, resp) =>
      resolve(err ? { isError: true, content: [{ type: 'text', text: String(err.message ?? err) }] } : { content: [{ type: 'text', text: JSON.stringify(resp) }], structuredContent: { ...resp } }),
    ),
  );
const tool = { description: 'Calls (room sessions) of an app', inputSchema };

if (process.argv[2] === 'legacy') {
  const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const server = new McpServer({ name: 'sdk-wrapper', version: '1' });
  server.registerTool('DescribeRoomInfo', tool, describeRoomInfo);
  await server.connect(new StdioServerTransport());
} else {
  const { McpServer } = await import('@modelcontextprotocol/server');
  const { serveStdio } = await import('@modelcontextprotocol/server/stdio');
  serveStdio(() => {
    const server = new McpServer({ name: 'sdk-wrapper', version: '1' });
    server.registerTool('DescribeRoomInfo', { ...tool, inputSchema: z.object(inputSchema) }, describeRoomInfo);
    return server;
  });
}
