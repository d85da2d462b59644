// A call that waits for a human approver, followed as an MCP task (2026-07-28 tasks extension): the call answers at
// once with a task that stays working and names the approval and its page; the approver decides on the page; the
// task then runs the approved call once, in its asker's name, and ends with its result, or follows the job the call
// started; a denial ends it with the approver's words, and nothing is sent. Built server, sandbox, the extension's
// own client, the approval page over HTTP.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { WorldSeed } from '../src/sandbox/world.js';
import { decide, signIn } from './approvals.js';
import { cloudRequests, rememberSecret, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from './helpers.js';
import { connectTasks, until, type TaskClient } from './tasks.js';

const APPROVER_TOKEN = `approver-${randomBytes(16).toString('hex')}`;
rememberSecret(APPROVER_TOKEN);
const WORLD: WorldSeed = { apps: [{ sdkAppId: 1400000001, rooms: [{ roomId: 1234, users: ['alice', 'bob', 'carol'] }, { roomId: 'helpdesk', users: ['dana'] }] }] };

let sb: Sandbox;
let srv: SpawnedHttp;
let cookie: string;
const clients: TaskClient[] = [];

beforeAll(async () => {
  sb = await withSandbox({ world: WORLD });
  // Every write needs consent, and consent goes to the approvers.
  srv = await spawnHttp(['--toolsets', 'all', '--consent-channel', 'approver', '--confirm', 'mutating'], sandboxEnv(sb, { TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN }));
  cookie = (await signIn(srv.url, APPROVER_TOKEN)).cookie!;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await srv?.stop();
  await sb?.close();
});

async function tasks(): Promise<TaskClient> {
  const c = await connectTasks(srv.url);
  clients.push(c);
  return c;
}

/** Calls as a task; the task and the approval it waits for. */
async function asked(name: string, args: Record<string, string | number | object>) {
  const { session } = await tasks();
  const execution = await session.callTool(name, args as never);
  if (execution.kind !== 'task') throw new Error(`not a task: ${JSON.stringify(execution)}`);
  const task = session.task(execution.handle.taskId);
  const first = await task.snapshot();
  const approval = (first.raw._meta as { approval: { id: string; url?: string } }).approval;
  return { task, first, approval };
}

/** The result a completed task holds. */
async function resultOf(task: Awaited<ReturnType<typeof asked>>['task']) {
  const outcome = await task.result();
  if (outcome.status !== 'completed') throw new Error(`the task did not complete: ${JSON.stringify(outcome)}`);
  return outcome.result as unknown as { isError?: boolean; content: Array<{ text?: string }> };
}

describe('a call waiting for an approver, followed as a task', () => {
  it('stays working and names the approval and its page; on the approver\'s yes the call runs once and the task completes with its result', async () => {
    const before = cloudRequests(sb, 'RemoveUser').length;
    const { task, first, approval } = await asked('RemoveUser', { RoomId: 1234, UserIds: ['carol'] });
    expect(first.status).toBe('working');
    expect(first.statusMessage).toBe(`Waiting for a human approver to decide RemoveUser (approval ${approval.id}) on ${approval.url}; nothing was sent.`);
    expect(approval.url).toBe(`${srv.url}/approvals/${approval.id}`);
    expect(cloudRequests(sb, 'RemoveUser').length).toBe(before);

    expect((await decide(srv.url, approval.id, cookie, 'approve')).status).toBe(303);
    const done = await until(() => task.snapshot(), (v) => v.status === 'completed');
    expect(done.statusMessage).toBe('Done: RemoveUser was approved and ran.');
    const result = await resultOf(task);
    expect(result.isError).toBeFalsy();
    expect(cloudRequests(sb, 'RemoveUser').length - before).toBe(1);
    // Looking again runs nothing more.
    await task.snapshot();
    expect(cloudRequests(sb, 'RemoveUser').length - before).toBe(1);
  });

  it('ends with the approver\'s no and reason, and sends nothing', async () => {
    const before = cloudRequests(sb, 'RemoveUser').length;
    const { task, approval } = await asked('RemoveUser', { RoomId: 1234, UserIds: ['bob'] });
    await decide(srv.url, approval.id, cookie, 'deny', 'bob stays');
    const done = await until(() => task.snapshot(), (v) => v.status === 'completed');
    expect(done.statusMessage).toBe('Failed: the approver denied RemoveUser.');
    const result = await resultOf(task);
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('saying \\"bob stays\\"; nothing was sent.');
    expect(cloudRequests(sb, 'RemoveUser').length).toBe(before);
  });

  it('once approved, a start becomes the task of the job it started, followed to its end', async () => {
    const { task, approval } = await asked('StartAIConversation', { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'bot-approved', TargetUserId: 'dana' } });
    await decide(srv.url, approval.id, cookie, 'approve');
    const following = await until(() => task.snapshot(), (v) => /^Approved\. StartAIConversation started the AI conversation/.test(v.statusMessage ?? '') || /the bot joined/.test(v.statusMessage ?? ''));
    expect(following.status).toBe('working');
    const job = (following.raw._meta as { job: { TaskId: string } }).job;
    expect(sb.world.tasks.find(sb.world.apps.get(1400000001)!, job.TaskId)!.endedAt).toBeUndefined();
  });
});
