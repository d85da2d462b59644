// From a person's click on Approve to the agent's call completing: RUNS approvals, each asked by an agent (legacy
// client over Streamable HTTP), waited on with wait_for_approval, and approved in headless chromium (Debian's
// package, driven by playwright-core). Twice: the page on the agent's own server, and on another replica sharing
// Redis (the waiting call then finds the decision by polling the store).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CLI, fmt, loadTs, median, quantile, standaloneSandbox, start } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 20);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no browser at ${CHROMIUM} (install the Debian package chromium)`);
  process.exit(0);
}
const { chromium } = await import('playwright-core');
const TOKEN = 'bench-approver-token-0001';

const { sandbox, env } = await standaloneSandbox({ TRTC_MCP_APPROVER_TOKEN: TOKEN, TRTC_MCP_CONFIRM_SECRET: 'bench-confirm-secret-0001' });
const { startRedis } = await loadTs('test/redis.ts');
const redis = await startRedis();
const profile = mkdtempSync(join(tmpdir(), 'trtc-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? (await context.newPage());
console.log(`browser: ${await page.evaluate(() => navigator.userAgent.match(/Chrome\/[\d.]+/)[0])} (${CHROMIUM})`);

/** Median and p90 of click-to-completion over RUNS approvals asked on `agentUrl` and approved on `pageUrl`. */
async function measure(label, agentUrl, pageUrl) {
  const client = new Client({ name: 'trtc-mcp-bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${agentUrl}/mcp`)));
  await page.goto(`${pageUrl}/approvals`);
  if (page.url().includes('/login')) {
    await page.fill('#token', TOKEN);
    await Promise.all([page.waitForURL(`${pageUrl}/approvals`), page.click('form.login button[type=submit]')]);
  }
  const times = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const asked = await client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: [`guest-${label}-${i}`] } });
    const { id } = asked._meta.approval;
    await page.goto(`${pageUrl}/approvals/${id}`);
    const waiting = client.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 30 } }, undefined, { timeout: 60_000 });
    // The agent is waiting before the person clicks.
    await new Promise((r) => setTimeout(r, 100));
    const loaded = page.waitForEvent('load');
    const clicked = performance.now();
    await page.click('button[value=approve]');
    const result = await waiting;
    const done = performance.now();
    await loaded;
    if (result.isError) throw new Error(`the approved call failed: ${JSON.stringify(result.content)}`);
    if (i > 0) times.push(done - clicked); // the first warms the page and the catalog
  }
  await client.close();
  console.log(`${label.padEnd(34)} median ${fmt(median(times))}, p90 ${fmt(quantile(times, 0.9))}, min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))} (${RUNS} runs)`);
}

const store = mkdtempSync(join(tmpdir(), 'trtc-bench-store-'));
const single = await start([CLI, '--transport', 'http', '--port', '0', '--consent-channel', 'approver', '--store', store], env);
await measure('page on the agent\'s server', single.url, single.url);
single.child.kill();

const replicas = await Promise.all(['a', 'b'].map((r) => start([CLI, '--transport', 'http', '--port', '0', '--consent-channel', 'approver', '--store', redis.url, '--replica-id', r], env)));
await measure('page on another replica (Redis)', replicas[0].url, replicas[1].url);
for (const r of replicas) r.child.kill();

await context.close();
rmSync(profile, { recursive: true, force: true });
rmSync(store, { recursive: true, force: true });
await redis.stop();
sandbox.child.kill();
process.exit(0);
