// End to end: TRTC's long-running jobs as MCP tasks (the 2026-07-28 tasks extension), followed by the official
// extension client (@modelcontextprotocol/ext-tasks) against the real server over Streamable HTTP, with the sandbox
// standing in for TRTC and sending its callbacks to the server's receiver.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { WorldSeed } from '../src/sandbox/world.js';
import { cloudRequests, rememberSecret, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from './helpers.js';
import { connectModernHttp, envelope, post, type FormAnswer } from './modern.js';
import { connectTasks, until, type TaskClient } from './tasks.js';

const KEY = 'e2eTasksCallbackKey0123456789abc';
const APP = 1400000001;
const COS_KEY = 'cos-secret-for-task-tests';
rememberSecret(COS_KEY);
const WORLD: WorldSeed = {
  apps: [{
    sdkAppId: APP,
    rooms: [
      { roomId: 'helpdesk', users: ['dana'] },
      { roomId: 1234, users: ['alice', 'bob'] },
      { roomId: 'studio', users: ['host'] },
    ],
  }],
};
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const accept: FormAnswer = () => ({ action: 'accept', content: { confirm: true } });
const conversation = (bot: string) => ({ RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: bot, TargetUserId: 'dana' } });
const auditOf = (srv: SpawnedHttp) => srv.stderr().split('\n').filter((l) => l.startsWith('{') && l.includes('"type":"audit"')).map((l) => JSON.parse(l) as Record<string, any>);

let sb: Sandbox;
const servers: SpawnedHttp[] = [];
const clients: Array<{ close(): Promise<unknown> }> = [];
beforeAll(async () => {
  sb = await withSandbox({ world: WORLD });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.stop()));
  await sb?.close();
});

/** A server whose callbacks the sandbox sends to it (as the TRTC console would be set up), or one without any. */
async function serve(args: string[] = [], opts: { callbacks?: boolean; env?: Record<string, string> } = {}): Promise<SpawnedHttp> {
  const callbacks = opts.callbacks ?? true;
  const srv = await spawnHttp(['--toolsets', 'all', ...args], sandboxEnv(sb, { ...(callbacks && { TRTC_CALLBACK_KEY: KEY }), ...opts.env }));
  if (callbacks) sb.callbacks.configure({ url: `${srv.url}/callbacks`, key: KEY });
  servers.push(srv);
  return srv;
}
async function tasksOf(url: string, opts: Parameters<typeof connectTasks>[1] = {}): Promise<TaskClient> {
  const c = await connectTasks(url, opts);
  clients.push(c);
  return c;
}
async function plainOf(url: string, elicit?: FormAnswer): Promise<Client> {
  const c = await connectModernHttp(url, { elicit });
  clients.push(c);
  return c;
}

describe('an AI conversation followed as a task', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await serve();
  });

  it('answers the start with a task that goes working -> completed when the bot is stopped, saying what happened in words', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('StartAIConversation', conversation('bot-stop'));
    expect(execution.kind).toBe('task');
    if (execution.kind !== 'task') return;
    const task = session.task(execution.handle.taskId);
    const trtcTask = ((await task.snapshot()).raw._meta as { job: { TaskId: string } }).job.TaskId;
    // What the package's client sees, in order: the bot's start callback moves the task; once the bot is in, the
    // agent stops it with an ordinary call (the human agrees in a form), and the task ends by itself.
    const agent = await plainOf(srv.url, accept);
    const seen: string[] = [];
    let stopped = false;
    const { outcome } = await execution.settle({
      onEvent: async (event) => {
        if (event.type !== 'task') return;
        seen.push(`${event.task.status}: ${event.task.statusMessage}`);
        if (!stopped && /the bot joined the room/.test(event.task.statusMessage ?? '')) {
          stopped = true;
          const stop = await agent.callTool({ name: 'StopAIConversation', arguments: { TaskId: trtcTask } });
          expect(stop.isError, JSON.stringify(stop)).toBeFalsy();
        }
      },
    });
    expect(seen[0]).toMatch(/^working: (StartAIConversation started the AI conversation \(TaskId \S+ in app 1400000001\); following it by TRTC's callbacks\.|The AI conversation: the bot joined the room\.)$/);
    expect(seen).toContain('working: The AI conversation: the bot joined the room.');
    expect(outcome.status, `${JSON.stringify(outcome)} ${(outcome as { error?: Error }).error?.stack} ${seen.join(' | ')}`).toBe('completed');
    if (outcome.status !== 'completed') return;
    const result = outcome.result as unknown as { isError?: boolean; structuredContent: { TaskId: string }; content: Array<{ text: string }> };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.TaskId).toBe(trtcTask);
    expect(result.content.map((c) => c.text).join('\n')).toContain('The AI conversation ended: the bot left (stopped as asked).');
    expect((await task.snapshot()).statusMessage).toBe('Ended: the bot left (stopped as asked).');
  });

  it('keeps answering clients that do not follow tasks as before: the TaskId in the answer, no task', async () => {
    const agent = await plainOf(srv.url);
    const r = await agent.callTool({ name: 'StartAIConversation', arguments: conversation('bot-plain') });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    expect((r.structuredContent as { TaskId: string }).TaskId).toEqual(expect.any(String));
    expect((r as { resultType?: string }).resultType).not.toBe('task');
  });

  it('refuses tasks/get, tasks/update and tasks/cancel without the extension (-32021), and an unknown task (-32602)', async () => {
    for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update']) {
      const answer = await post(srv.url, method, { taskId: 'abc', ...(method === 'tasks/update' && { inputResponses: {} }), _meta: envelope() }, { 'mcp-name': 'abc' });
      expect(answer.messages[0]!.error, JSON.stringify(answer.messages)).toMatchObject({ code: -32021, data: { requiredCapabilities: TASKS } });
    }
    const unknown = await post(srv.url, 'tasks/get', { taskId: 'no-such-task', _meta: envelope(TASKS) }, { 'mcp-name': 'no-such-task' });
    expect(unknown.messages[0]!.error).toMatchObject({ code: -32602, message: expect.stringContaining('Unknown task "no-such-task"') });
    expect((await post(srv.url, 'server/discover', { _meta: envelope() })).messages[0]!.result.capabilities.extensions).toEqual({ 'io.modelcontextprotocol/tasks': {} });
  });
});
