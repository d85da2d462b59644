// Per-call overhead: DescribeRoomInfo N times through trtc-mcp over stdio against the sandbox, and the same
// number of times directly with Tencent's official Node SDK against the same sandbox, in interleaved blocks.
import { createRequire } from 'node:module';
import { benchSandbox, CLI, connectStdio, fmt, median, quantile, ratio } from './lib.mjs';

const N = Number(process.env.CALLS ?? 1000);
const BLOCK = 100;
const require = createRequire(import.meta.url);
const root = 'tencentcloud-sdk-nodejs-intl-en/tencentcloud';
const tencentcloud = require('tencentcloud-sdk-nodejs-intl-en');
const Credential = require(`${root}/common/credential`);
const ClientProfile = require(`${root}/common/profile/client_profile`);
const HttpProfile = require(`${root}/common/profile/http_profile`);

const { sb, env, account, app } = await benchSandbox();
const now = Math.floor(Date.now() / 1000);
const args = { SdkAppId: app.sdkAppId, StartTime: now - 3600, EndTime: now };

const ours = await connectStdio(process.execPath, [CLI, '--toolsets', 'quality'], env);
const sdk = new tencentcloud.trtc.v20190722.Client(
  new Credential(account.secretId, account.secretKey),
  'ap-singapore',
  new ClientProfile('TC3-HMAC-SHA256', new HttpProfile('http://', new URL(sb.url).host, 'POST', 10)),
);
const sdkCall = () => new Promise((resolve, reject) => sdk.DescribeRoomInfo(args, (err, resp) => (err ? reject(err) : resolve(resp))));
const oursCall = async () => {
  const r = await ours.client.callTool({ name: 'DescribeRoomInfo', arguments: args });
  if (r.isError) throw new Error(r.content[0].text);
};

async function timed(fn, n, into) {
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    into?.push(performance.now() - t);
  }
}
await timed(oursCall, 50);
await timed(sdkCall, 50);
const lat = { 'trtc-mcp (stdio)': [], 'official SDK': [] };
for (let done = 0; done < N; done += BLOCK) {
  await timed(oursCall, BLOCK, lat['trtc-mcp (stdio)']);
  await timed(sdkCall, BLOCK, lat['official SDK']);
}
await ours.close();
await sb.close();

const [m1, m2] = [median(lat['trtc-mcp (stdio)']), median(lat['official SDK'])];
console.log(`per-call latency, DescribeRoomInfo x ${N} each against the sandbox`);
for (const [name, xs] of Object.entries(lat)) console.log(`  ${name.padEnd(18)} median ${fmt(median(xs)).padStart(9)}  p99 ${fmt(quantile(xs, 0.99)).padStart(9)}`);
console.log(`  ratio (median): ${ratio(m1, m2)}; overhead trtc-mcp adds: ${fmt(m1 - m2)}`);
console.log(`  targets: median <= 1.5x the SDK's: ${m1 / m2 <= 1.5 ? 'met' : 'MISSED'}; added overhead < 1 ms: ${m1 - m2 < 1 ? 'met' : 'MISSED'}`);
