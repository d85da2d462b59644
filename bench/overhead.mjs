// Per-call latency: DescribeRoomInfo N times through trtc-mcp over stdio against the sandbox, and as many times
// through the reference, a minimal MCP server that wraps Tencent's official Node SDK (sdk-wrapper.mjs) and is
// spawned and called the same way, in interleaved blocks, in each protocol era. The official SDK called directly,
// without MCP, is printed too: the floor under both. In the legacy era the same calls are also sent as raw requests,
// which the client does not check against the tool's output schema (its callTool does, and the wrapper's tool has
// none): the difference is the client's share.
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { benchSandbox, CLI, connectEra, ERAS, fmt, median, quantile, ratio, timed, toolCaller } from './lib.mjs';

const N = Number(process.env.CALLS ?? 1000);
const BLOCK = 100;
const WRAPPER = fileURLToPath(new URL('./sdk-wrapper.mjs', import.meta.url));
const require = createRequire(import.meta.url);
const root = 'tencentcloud-sdk-nodejs-intl-en/tencentcloud';
const tencentcloud = require('tencentcloud-sdk-nodejs-intl-en');
const Credential = require(`${root}/common/credential`);
const ClientProfile = require(`${root}/common/profile/client_profile`);
const HttpProfile = require(`${root}/common/profile/http_profile`);

const { sb, env, account, app } = await benchSandbox();
const now = Math.floor(Date.now() / 1000);
const args = { SdkAppId: app.sdkAppId, StartTime: now - 3600, EndTime: now };

const sdk = new tencentcloud.trtc.v20190722.Client(
  new Credential(account.secretId, account.secretKey),
  'ap-singapore',
  new ClientProfile('TC3-HMAC-SHA256', new HttpProfile('http://', new URL(sb.url).host, 'POST', 10)),
);
const direct = () => new Promise((resolve, reject) => sdk.DescribeRoomInfo(args, (err, resp) => (err ? reject(err) : resolve(resp))));
const caller = (c) => toolCaller(c, 'DescribeRoomInfo', args);

console.log(`per-call latency, DescribeRoomInfo x ${N} each against the sandbox, over stdio`);
const verdicts = [];
for (const era of ERAS) {
  const ours = await connectEra(era, process.execPath, [CLI, '--toolsets', 'quality'], env);
  const wrapper = await connectEra(era, process.execPath, [WRAPPER, era], env);
  const subjects = { 'trtc-mcp': caller(ours), 'minimal SDK wrapper': caller(wrapper), 'official SDK, no MCP': direct };
  if (era === 'legacy') subjects['trtc-mcp, raw request'] = () => ours.client.request({ method: 'tools/call', params: { name: 'DescribeRoomInfo', arguments: args } }, CallToolResultSchema);
  const lat = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (const fn of Object.values(subjects)) await timed(fn, 50);
  for (let done = 0; done < N; done += BLOCK) for (const [name, fn] of Object.entries(subjects)) await timed(fn, BLOCK, lat[name]);
  await ours.close();
  await wrapper.close();
  console.log(`  ${era}:`);
  for (const [name, xs] of Object.entries(lat)) console.log(`    ${name.padEnd(22)} median ${fmt(median(xs)).padStart(9)}  p99 ${fmt(quantile(xs, 0.99)).padStart(9)}`);
  const [m1, m2] = [median(lat['trtc-mcp']), median(lat['minimal SDK wrapper'])];
  console.log(`    trtc-mcp / wrapper (median): ${ratio(m1, m2)}, ${m1 <= m2 ? 'faster by' : 'slower by'} ${fmt(Math.abs(m1 - m2))}`);
  if (lat['trtc-mcp, raw request']) console.log(`    the client's output schema check: ${fmt(m1 - median(lat['trtc-mcp, raw request']))} of each call`);
  verdicts.push(`${era}: ${m1 <= m2 ? 'met' : 'MISSED'} (${ratio(m1, m2)})`);
}
await sb.close();
console.log(`  target: median no worse than the minimal wrapper: ${verdicts.join('; ')}`);
