import { benchSandbox, CLI, connectStdio, median } from './lib.mjs';
const { sb, env, app } = await benchSandbox();
const now = Math.floor(Date.now() / 1000);
const ours = await connectStdio(process.execPath, [...(process.env.NODEFLAGS ? process.env.NODEFLAGS.split(' ') : []), CLI, '--toolsets', 'quality'], env);
async function m(label, fn, n = 500) { for (let i = 0; i < 50; i++) await fn(); const xs = []; for (let i = 0; i < n; i++) { const t = performance.now(); await fn(); xs.push(performance.now() - t); } console.log(label.padEnd(30), median(xs).toFixed(3)); }
for (let k = 0; k < 2; k++) {
await m('ping', () => ours.client.ping());
await m('describe_tool', () => ours.client.callTool({ name: 'describe_tool', arguments: { name: 'RemoveUser' } }));
await m('invalid DescribeRoomInfo', () => ours.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: 'x' } }));
await m('DescribeRoomInfo', () => ours.client.callTool({ name: 'DescribeRoomInfo', arguments: { SdkAppId: app.sdkAppId, StartTime: now - 3600, EndTime: now } }));
}
await ours.close(); await sb.close();
