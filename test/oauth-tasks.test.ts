// MCP tasks under OAuth: a task belongs to the identity whose call started it. Another identity, however powerful,
// cannot see, follow, answer or cancel it (it is told there is no such task), and the owner's cancel runs the Stop
// action with the owner's own permissions: a token that may start a bot but not end one gets a cancel that says
// which scope it lacks, and nothing reaches TRTC. Real authorization server (oidc-provider), built server, sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import type { WorldSeed } from '../src/sandbox/world.js';
import { cloudRequests, recordAttack, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from './helpers.js';
import { envelope, post } from './modern.js';
import { freePort, oauthArgs, oauthFiles, SCOPE, startAuthServer, type AuthServer } from './oauth.js';
import { connectTasks, until, type TaskClient } from './tasks.js';

const APP = 1400000001;
const WORLD: WorldSeed = { apps: [{ sdkAppId: APP, rooms: [{ roomId: 'helpdesk', users: ['dana'] }] }] };
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const conversation = (bot: string) => ({ RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: bot, TargetUserId: 'dana' } });

let sb: Sandbox;
let as: AuthServer;
let srv: SpawnedHttp;
const tokens: Record<string, string> = {};
const clients: TaskClient[] = [];

beforeAll(async () => {
  sb = await withSandbox({ world: WORLD });
  as = await startAuthServer();
  const files = oauthFiles();
  const port = await freePort();
  const resource = `http://127.0.0.1:${port}`;
  srv = await spawnHttp(['--port', String(port), ...oauthArgs(as, resource, files.policy), '--toolsets', 'ai,events', '--store', 'memory'], sandboxEnv(sb));
  tokens.mo = await as.token('mo', `${SCOPE.read} ${SCOPE.write}`, resource);
  tokens.ada = await as.token('ada', Object.values(SCOPE).join(' '), resource);
  tokens.abe = await as.token('abe', Object.values(SCOPE).join(' '), resource);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await srv?.stop();
  await as?.close();
  await sb?.close();
});

async function tasksAs(user: string, accept = false): Promise<TaskClient> {
  const c = await connectTasks(srv.url, { headers: bearer(tokens[user]!), ...(accept && { elicit: () => ({ action: 'accept', content: { confirm: true } }) }) });
  clients.push(c);
  return c;
}
/** A request of the task surface as this identity, raw. */
const asked = (user: string, method: string, params: Record<string, unknown>) =>
  post(srv.url, method, { ...params, _meta: envelope(TASKS) }, { ...bearer(tokens[user]!), ...(typeof params.taskId === 'string' && { 'mcp-name': params.taskId }) });

describe('a task belongs to the identity that started it', () => {
  it('another identity, an admin with every scope, is told there is no such task, whatever it asks; the owner still has it', async () => {
    const mo = await tasksAs('mo');
    const execution = await mo.session.callTool('StartAIConversation', conversation('bot-mo'));
    if (execution.kind !== 'task') throw new Error(`not a task: ${JSON.stringify(execution)}`);
    const taskId = execution.handle.taskId;
    const before = cloudRequests(sb).length;

    const unknown = { code: -32602, message: expect.stringMatching(/Unknown task .*: it does not exist, has expired, or is not this caller's\.$/) };
    const get = await asked('ada', 'tasks/get', { taskId });
    const cancel = await asked('ada', 'tasks/cancel', { taskId });
    const update = await asked('ada', 'tasks/update', { taskId, inputResponses: { 'cancel-1': { action: 'accept', content: { confirm: true } } } });
    for (const r of [get, cancel, update]) expect(r.messages[0]!.error).toMatchObject(unknown);
    // The same answer as for a task that never existed: nobody learns whose tasks exist.
    expect((await asked('ada', 'tasks/get', { taskId: 'never-was' })).messages[0]!.error!.message).toMatch(/Unknown task "never-was": it does not exist/);

    const listen = await asked('abe', 'subscriptions/listen', { notifications: { taskIds: [taskId] } });
    expect(listen.messages[0]).toMatchObject({ method: 'notifications/subscriptions/acknowledged', params: { notifications: { taskIds: [] } } });

    const stops = cloudRequests(sb).slice(before).filter((r) => /^Stop|^Describe/.test(r.action ?? ''));
    recordAttack('oauth tasks: an admin reads, follows, answers and cancels another identity\'s task', stops.length);
    expect(stops).toEqual([]);
    const mine = await mo.session.task(taskId).snapshot();
    expect(mine.status).toBe('working');
    expect(mine.statusMessage).not.toMatch(/Not cancelled|cancel/i);
  });

  it('the owner\'s cancel runs with the owner\'s permissions: a token that may start a bot but not end one is told the scope it lacks', async () => {
    const mo = await tasksAs('mo', true);
    const execution = await mo.session.callTool('StartAIConversation', conversation('bot-mo-cancel'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = mo.session.task(execution.handle.taskId);
    const before = cloudRequests(sb, 'StopAIConversation').length;
    await task.cancel();
    const told = await until(() => task.snapshot(), (v) => /Not cancelled/.test(v.statusMessage ?? ''));
    expect(told.status).toBe('working');
    expect(told.statusMessage).toContain('Not cancelled: ending it calls StopAIConversation, and your access token does not allow that: it needs the scope trtc:destructive. Authorize again with that scope and cancel again');
    expect(cloudRequests(sb, 'StopAIConversation').length - before).toBe(0);
    const trtcTask = (told.raw._meta as { job: { TaskId: string } }).job.TaskId;
    expect(sb.world.tasks.find(sb.world.apps.get(APP)!, trtcTask)!.endedAt).toBeUndefined();
  });

  it('an admin cancels her own task after her consent, in the task itself', async () => {
    const ada = await tasksAs('ada', true);
    const execution = await ada.session.callTool('StartAIConversation', conversation('bot-ada'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = ada.session.task(execution.handle.taskId);
    await task.cancel();
    const asking = await until(() => task.snapshot(), (v) => v.status === 'input_required');
    const [key, request] = Object.entries(asking.raw.inputRequests as Record<string, { params: { message: string } }>)[0]!;
    expect(request.params.message).toMatch(/StopAIConversation/);
    await task.update({ [key]: { action: 'accept', content: { confirm: true } } });
    const ended = await until(() => task.snapshot(), (v) => v.status === 'cancelled');
    expect(ended.statusMessage).toMatch(/^Cancelled: StopAIConversation ended the AI conversation at the owner's request\./);
  });
});
