// Tasks (TRTC jobs followed as MCP tasks, 2026-07-28): how soon a callback moves a task, and what following a task
// costs in Describe* requests when no callback reports it.
// - Latency: the sandbox (in this process) ends an AI conversation; its AIStop callback goes to the server's
//   receiver, which moves the task at once. The figure is the task's lastUpdatedAt minus when the sandbox sent the
//   callback (both this machine's clock, in ms), read only after the callback was delivered, so that no read of the
//   task moved it first.
// - Polling: a server without callbacks follows tasks by reading DescribeAIConversation; a client looks at each
//   task every second (faster than the task asks), and the sandbox counts the reads per task and minute.
import { spawn } from 'node:child_process';
import { benchSandbox, CLI, fmt, median, quantile } from './lib.mjs';

const KEY = 'benchTasksCallbackKey0123456789a';
const SAMPLES = Number(process.env.BENCH_TASK_SAMPLES ?? 100);
const POLL_SECONDS = Number(process.env.BENCH_TASK_POLL_SECONDS ?? 60);
const POLLED_TASKS = 5;
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench-tasks', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': TASKS };

function serve(args, env) {
  // Info level: the line that says where it listens.
  const child = spawn(process.execPath, [CLI, '--transport', 'http', '--port', '0', '--store', 'memory', '--log-level', 'info', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /streamableHttp=(http:\/\/\S+)\/mcp/.exec(err);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

let id = 0;
async function rpc(url, method, params) {
  const name = params.taskId ?? params.name;
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name && { 'mcp-name': name }) },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params: { ...params, _meta: meta } }),
  });
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith('data:'));
  const msg = JSON.parse(line ? line.slice(5) : text);
  if (msg.error) throw new Error(`${method}: ${msg.error.message}`);
  return msg.result;
}
const startBot = (url, n) => rpc(url, 'tools/call', { name: 'StartAIConversation', arguments: { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: `bench-bot-${n}`, TargetUserId: 'dana' } } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { sb, env, app } = await benchSandbox();

// Callback -> status change.
{
  const { child, url } = await serve([], { ...env, TRTC_CALLBACK_KEY: KEY });
  sb.callbacks.configure({ url: `${url}/callbacks`, key: KEY });
  const lat = [];
  for (let n = 0; n < SAMPLES; n++) {
    const task = await startBot(url, n);
    const trtcTask = task._meta.job.TaskId;
    await sb.callbacks.idle();
    sb.world.tasks.end(sb.world.tasks.find(app, trtcTask), 'stopped');
    await sb.callbacks.idle();
    const sent = sb.callbacks.sent.findLast((c) => c.type === 902 && c.info.TaskId === trtcTask);
    await sleep(20);
    const after = await rpc(url, 'tasks/get', { taskId: task.taskId });
    if (after.status !== 'completed') throw new Error(`task not completed by the callback: ${JSON.stringify(after)}`);
    lat.push(Date.parse(after.lastUpdatedAt) - sent.sentAt);
  }
  child.kill();
  console.log(`callback -> task status, ${SAMPLES} AI conversations ended by the sandbox (AIStop 902 to completed): median ${fmt(median(lat))}, p99 ${fmt(quantile(lat, 0.99))}, max ${fmt(Math.max(...lat))} (ms resolution)`);
}

// Polling cost without callbacks.
{
  sb.callbacks.configure(undefined);
  const { child, url } = await serve([], env);
  const before = sb.requests.filter((r) => r.action === 'DescribeAIConversation').length;
  const tasks = [];
  for (let n = 0; n < POLLED_TASKS; n++) tasks.push(await startBot(url, `polled-${n}`));
  const started = Date.now();
  // The client looks every second, ten times as often as the tasks ask (pollIntervalMs).
  while (Date.now() - started < POLL_SECONDS * 1000) {
    await Promise.all(tasks.map((t) => rpc(url, 'tasks/get', { taskId: t.taskId })));
    await sleep(1000);
  }
  const minutes = (Date.now() - started) / 60_000;
  const reads = sb.requests.filter((r) => r.action === 'DescribeAIConversation').length - before;
  child.kill();
  console.log(
    `polling without callbacks: ${POLLED_TASKS} tasks followed ${minutes.toFixed(2)} min (pollIntervalMs ${tasks[0].pollIntervalMs}), a client looking every 1 s: ` +
      `${reads} DescribeAIConversation requests = ${(reads / POLLED_TASKS / minutes).toFixed(1)} per task per minute (one per interval at most: ${(60_000 / tasks[0].pollIntervalMs).toFixed(0)})`,
  );
}
await sb.close();
