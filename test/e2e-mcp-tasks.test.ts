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
import { cloudRequests, recordAttack, rememberSecret, sandboxEnv, spawnHttp, withSandbox, type SpawnedHttp } from './helpers.js';
import { connectModernHttp, envelope, post, type FormAnswer } from './modern.js';
import { connectTasks, until, type TaskClient } from './tasks.js';
import { startFleet, type Fleet } from './fleet.js';
import { CATALOG } from '../tools/index.js';

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

  it('makes the same task when the start goes through call_tool, and does not for a start that fails', async () => {
    const { session } = await tasksOf(srv.url);
    const viaCall = await session.callTool('call_tool', { name: 'StartAIConversation', arguments: conversation('bot-via-call-tool') });
    expect(viaCall.kind).toBe('task');
    if (viaCall.kind !== 'task') return;
    expect(await session.task(viaCall.handle.taskId).snapshot()).toMatchObject({ status: 'working', raw: { _meta: { job: { tool: 'StartAIConversation' } } } });
    await session.task(viaCall.handle.taskId).cancel();
    // Arguments that fail validation: the error result, sent nothing, and no task.
    const invalid = await session.callTool('StartAIConversation', { RoomId: 'helpdesk' });
    expect(invalid.kind).toBe('immediate');
    const { outcome } = await invalid.settle();
    expect(outcome.status === 'completed' && (outcome.result as { isError?: boolean }).isError).toBe(true);
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

describe('task status notifications on subscriptions/listen (Streamable HTTP)', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await serve();
  });

  /** Opens a listen stream and collects its messages as they come. */
  async function listen(taskIds: string[], capabilities: Record<string, unknown> = TASKS) {
    const res = await fetch(`${srv.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'subscriptions/listen' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'sub-1', method: 'subscriptions/listen', params: { notifications: { taskIds }, _meta: envelope(capabilities) } }),
    });
    const messages: Array<Record<string, any>> = [];
    const reader = res.body!.getReader();
    const done = (async () => {
      let buffer = '';
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) return;
        buffer += new TextDecoder().decode(value);
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data:'));
          if (data) messages.push(JSON.parse(data.slice(5)));
        }
      }
    })();
    return { messages, done, cancel: () => reader.cancel() };
  }

  it('acknowledges the tasks this caller may follow, sends each change as tasks/get shows it, and ends once they ended', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('StartAIConversation', conversation('bot-listen'));
    if (execution.kind !== 'task') throw new Error('not a task');
    await execution.detach();
    const stream = await listen([execution.handle.taskId, 'not-a-task']);
    const joined = await until(async () => ({ status: 'seen', messages: stream.messages }), (v) => v.messages.some((m) => /the bot joined the room/.test(m.params?.statusMessage ?? '')));
    expect(joined.messages[0]).toEqual({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications: { taskIds: [execution.handle.taskId] }, _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } } });
    const trtcTask = joined.messages.find((m) => m.method === 'notifications/tasks')!.params._meta.job.TaskId as string;
    const agent = await plainOf(srv.url, accept);
    await agent.callTool({ name: 'StopAIConversation', arguments: { TaskId: trtcTask } });
    await stream.done;
    const tasks = stream.messages.filter((m) => m.method === 'notifications/tasks').map((m) => m.params);
    expect(tasks.at(-1)).toMatchObject({ taskId: execution.handle.taskId, status: 'completed', statusMessage: 'Ended: the bot left (stopped as asked).', result: { resultType: 'complete', structuredContent: { TaskId: trtcTask } } });
    expect(stream.messages.at(-1)).toEqual({ jsonrpc: '2.0', id: 'sub-1', result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub-1' } } });
  });

  it('refuses a listen for tasks from a client that does not declare the extension (-32021)', async () => {
    const stream = await listen(['anything'], {});
    await stream.done;
    expect(stream.messages).toEqual([{ jsonrpc: '2.0', id: 'sub-1', error: { code: -32021, message: expect.stringContaining('subscriptions/listen for taskIds'), data: { requiredCapabilities: TASKS } } }]);
  });
});

describe('a recording followed as a task', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await serve();
  });
  const recording = (recorder: string, Bucket: string) => ({
    RoomId: '1234', RoomIdType: 1, UserId: recorder, RecordParams: { RecordMode: 1, OutputFormat: 3 },
    StorageParams: { CloudStorage: { Vendor: 0, Region: 'ap-singapore', Bucket, AccessKey: 'AKID-cos', SecretKey: COS_KEY } },
  });

  it('fails with TRTC\'s reason when its bucket does not exist: the problem shows while it runs, and the end is an error result', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('CreateCloudRecording', recording('rec-bad', 'no-app-id'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    const trtcTask = ((await task.snapshot()).raw._meta as { job: { TaskId: string } }).job.TaskId;
    // TRTC reports the upload failing to start while the recorder keeps recording.
    const troubled = await until(() => task.snapshot(), (v) => /Problem: TRTC could not start uploading to your storage \(UploadStart Status 1\)/.test(v.statusMessage ?? ''));
    expect(troubled.status).toBe('working');
    // The agent stops it; the recorder leaves and reports that its files never reached the bucket.
    const agent = await plainOf(srv.url, accept);
    expect((await agent.callTool({ name: 'DeleteCloudRecording', arguments: { TaskId: trtcTask } })).isError).toBeFalsy();
    const { outcome } = await execution.settle();
    if (outcome.status !== 'completed') throw new Error(`not completed: ${JSON.stringify(outcome)}`);
    const result = outcome.result as unknown as { isError?: boolean; content: Array<{ text: string }>; _meta: { job: { problem: string } } };
    expect(result.isError).toBe(true);
    const said = result.content.map((c) => c.text).join('\n');
    expect(said).toContain('The recording ended: the MP4 recording stopped.');
    expect(said).toContain('Problem: TRTC reports that the MP4 recording exited abnormally (Mp4Stop Status 2), so its files did not reach your storage.');
    expect(outcome.task?.statusMessage).toMatch(/^Failed: TRTC reports that the MP4 recording exited abnormally/);
  });

  it('completes with the files TRTC reported when the bucket exists', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('CreateCloudRecording', recording('rec-good', 'rec-1300000000'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    await until(() => task.snapshot(), (v) => /the recorder joined the room and records it/.test(v.statusMessage ?? ''));
    const trtcTask = ((await task.snapshot()).raw._meta as { job: { TaskId: string } }).job.TaskId;
    const agent = await plainOf(srv.url, accept);
    await agent.callTool({ name: 'DeleteCloudRecording', arguments: { TaskId: trtcTask } });
    // Between the recorder leaving and the upload report, the task says it uploads.
    const uploading = await until(() => task.snapshot(), (v) => v.status !== 'working' || /its files are being uploaded/.test(v.statusMessage ?? ''));
    expect(uploading.statusMessage).toMatch(/the recorder left the room \(stopped as asked\); its files are being uploaded|Ended/);
    const { outcome } = await execution.settle();
    if (outcome.status !== 'completed') throw new Error(`not completed: ${JSON.stringify(outcome)}`);
    const result = outcome.result as unknown as { isError?: boolean; _meta: { job: { files: string[]; ended: string } } };
    expect(result.isError).toBeFalsy();
    expect(result._meta.job).toMatchObject({ ended: 'its MP4 files reached your storage', files: [`${trtcTask}__UserId_s_alice__UserId_e.mp4`, `${trtcTask}__UserId_s_bob__UserId_e.mp4`] });
  });
});

describe('relays and ingests followed as tasks, by their callbacks (groups 4 and 7)', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await serve();
  });

  it('shows a relay publishing to one CDN address and failing the other with TRTC\'s error, and ends it when stopped', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('StartPublishCdnStream', {
      RoomId: '1234', RoomIdType: 0, WithTranscoding: 1, AgentParams: { UserId: 'relay-task', MaxIdleTime: 60 },
      AudioParams: { AudioEncode: { SampleRate: 48000, Channel: 2, BitRate: 64 } },
      PublishCdnParams: [{ PublishCdnUrl: 'rtmp://live.example.com/app/key-1' }, { PublishCdnUrl: 'rtmp://cdn.invalid/app/key-2' }],
    });
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    const troubled = await until(() => task.snapshot(), (v) => /publishes to 1 of 2 CDN addresses/.test(v.statusMessage ?? '') && /Problem/.test(v.statusMessage ?? ''));
    expect(troubled.statusMessage).toContain('Problem: publishing to a CDN address failed: "could not connect to cdn.invalid" (ErrorCode -1); fix the address with UpdatePublishCdnStream.');
    // The addresses themselves (which may hold stream keys) are never shown.
    expect(troubled.statusMessage).not.toContain('key-1');
    const agent = await plainOf(srv.url, accept);
    await agent.callTool({ name: 'StopPublishCdnStream', arguments: { TaskId: (troubled.raw._meta as { job: { TaskId: string } }).job.TaskId } });
    const { outcome } = await execution.settle();
    expect(outcome).toMatchObject({ status: 'completed', result: { isError: true }, task: { statusMessage: expect.stringMatching(/^Failed: publishing to a CDN address failed/) } });
  });

  it('ends an ingest whose source cannot be played with an error result that says to check the source', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('StartStreamIngest', { RoomId: '1234', RoomIdType: 1, UserId: 'ingest-task', StreamUrl: 'https://media.invalid/a.mp4' });
    if (execution.kind !== 'task') throw new Error('not a task');
    const { outcome } = await execution.settle();
    if (outcome.status !== 'completed') throw new Error(JSON.stringify(outcome));
    const said = (outcome.result as unknown as { isError: boolean; content: Array<{ text: string }> });
    expect(said.isError).toBe(true);
    expect(said.content.map((c) => c.text).join('\n')).toContain('The stream ingest ended: the ingest stopped.\nProblem: the stream could not start (StreamIngestStart Status 1): check that the source URL plays.');
  });
});

describe('cancelling a task: the Stop action runs through the pipeline, with the human\'s consent asked in the task', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await serve();
  });

  it('asks the human in the task, and on their yes stops the bot once: cancelled, audited as consented by elicitation', async () => {
    const forms: string[] = [];
    const { session } = await tasksOf(srv.url, { elicit: (params) => (forms.push(params.message ?? ''), { action: 'accept', content: { confirm: true } }) });
    const execution = await session.callTool('StartAIConversation', conversation('bot-cancel'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    const trtcTask = ((await task.snapshot()).raw._meta as { job: { TaskId: string } }).job.TaskId;
    await task.cancel();
    // The cancel waits on the human: the question is the consent form of StopAIConversation, with this TaskId.
    const asking = await until(() => task.snapshot(), (v) => v.status === 'input_required');
    const requests = asking.raw.inputRequests as Record<string, { method: string; params: { message: string; requestedSchema: unknown } }>;
    const [key, question] = Object.entries(requests)[0]!;
    expect(question).toMatchObject({ method: 'elicitation/create', params: { mode: 'form', message: expect.stringContaining(`StopAIConversation on app ${APP}`) } });
    expect(question.params.message).toContain(`TaskId: "${trtcTask}"`);
    const stops = cloudRequests(sb, 'StopAIConversation').length;
    await task.update({ [key]: { action: 'accept', content: { confirm: true } } });
    const done = await until(() => task.snapshot(), (v) => v.status !== 'input_required' && v.status !== 'working');
    expect(done).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled: StopAIConversation ended the AI conversation at the owner\'s request.' });
    // The answer counts once: the same key again changes nothing and sends nothing.
    await task.update({ [key]: { action: 'accept', content: { confirm: true } } });
    expect((await task.snapshot()).status).toBe('cancelled');
    expect(cloudRequests(sb, 'StopAIConversation').length - stops).toBe(1);
    // Every attempt is audited: the round that asked, then the Stop the human agreed to.
    expect(auditOf(srv).filter((a) => a.tool === 'StopAIConversation' && a.args.TaskId === trtcTask).map((a) => [a.outcome, a.consent])).toEqual([['input-required', 'asked-in-result'], ['ok', 'elicitation']]);
    expect(forms).toEqual([]);
  });

  it('keeps the job when the human says no, and says so beside its status', async () => {
    const { session } = await tasksOf(srv.url, { elicit: () => ({ action: 'decline' }) });
    const execution = await session.callTool('StartAIConversation', conversation('bot-kept'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    await task.cancel();
    const asking = await until(() => task.snapshot(), (v) => v.status === 'input_required');
    const key = Object.keys(asking.raw.inputRequests as object)[0]!;
    await task.update({ [key]: { action: 'decline' } });
    const kept = await until(() => task.snapshot(), (v) => v.status === 'working' && /Not cancelled/.test(v.statusMessage ?? ''));
    expect(kept.statusMessage).toContain('Not cancelled: The user declined; nothing was sent.');
    const trtcTask = (kept.raw._meta as { job: { TaskId: string } }).job.TaskId;
    expect(sb.world.tasks.find(sb.world.apps.get(APP)!, trtcTask)!.endedAt).toBeUndefined();
  });

  it('cannot be consented to by a client that shows no forms: the task says how to stop the job instead', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('StartAIConversation', conversation('bot-noform'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    await task.cancel();
    const told = await until(() => task.snapshot(), (v) => /Not cancelled/.test(v.statusMessage ?? ''));
    expect(told.status).toBe('working');
    expect(told.statusMessage).toContain('Not cancelled: ending it needs the user\'s consent, and this client cannot ask them. Call StopAIConversation with {"TaskId":');
  });

  it('acknowledges a cancel of a task that ended already, and leaves it as it was', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('wait_for_events', { RoomId: 'studio', types: [103], timeoutSeconds: 1 });
    if (execution.kind !== 'task') throw new Error('not a task');
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('completed');
    await session.task(execution.handle.taskId).cancel();
    expect((await session.task(execution.handle.taskId).snapshot()).status).toBe('completed');
  });
});

describe('every other starting tool is a task that tasks/cancel ends with the human\'s consent', () => {
  // The starts the stories above follow; the table below covers each other tool whose job the catalog declares.
  const FOLLOWED_ABOVE = ['StartAIConversation', 'CreateCloudRecording', 'StartPublishCdnStream', 'StartStreamIngest', 'StartMCUMixTranscode'];
  const mix = {
    OutputParams: { StreamId: 'abcd_mix' }, LayoutParams: { Template: 1 },
    EncodeParams: { AudioSampleRate: 48000, AudioBitrate: 64, AudioChannels: 2, VideoWidth: 1280, VideoHeight: 720, VideoBitrate: 1500, VideoFramerate: 15, VideoGop: 2 },
  };
  // Minimal valid starts; the China-site rows (docs/sites.md) run against a server and sandbox with --site cn.
  const STARTS: Array<{ tool: string; site: 'intl' | 'cn'; stop: string; noun: string; args: Record<string, any> }> = [
    { tool: 'StartAITranscription', site: 'intl', stop: 'StopAITranscription', noun: 'AI transcription', args: { RoomId: '1234', TranscriptionParams: { UserId: 'asr-cancel' } } },
    { tool: 'CreateCloudModeration', site: 'intl', stop: 'DeleteCloudModeration', noun: 'moderation', args: { RoomId: '1234', UserId: 'mod-cancel', ModerationParams: {}, ModerationStorageParams: {} } },
    { tool: 'CreateCloudSliceTask', site: 'intl', stop: 'DeleteCloudSliceTask', noun: 'slicing', args: { RoomId: '1234', UserId: 'slicer-cancel', SliceParams: {}, SliceStorageParams: {} } },
    { tool: 'StartWebRecord', site: 'intl', stop: 'StopWebRecord', noun: 'web page recording', args: { RecordUrl: 'https://example.com/board', StorageParams: { CloudVod: { TencentVod: { MediaType: 0 } } } } },
    { tool: 'CreateCloudTranscription', site: 'cn', stop: 'DeleteCloudTranscription', noun: 'cloud transcription', args: { RoomId: '1234', RoomIdType: 0, TranscriptionParam: { UserId: 'asr-cn-cancel' }, AsrParam: { Lang: 'bigmodel-zh' } } },
    { tool: 'CreateLiveStreamModeration', site: 'cn', stop: 'DeleteLiveStreamModeration', noun: 'live-stream moderation', args: { Input: { Url: 'rtmp://push.example.com/live/show' }, LiveModerationParams: {} } },
    { tool: 'StartMCUMixTranscodeByStrRoomId', site: 'cn', stop: 'StopMCUMixTranscodeByStrRoomId', noun: 'room mix', args: { StrRoomId: 'abcd', ...mix } },
  ];
  let cn: Sandbox;
  const on: Record<'intl' | 'cn', { sb: Sandbox; srv: SpawnedHttp }> = {} as never;
  beforeAll(async () => {
    on.intl = { sb, srv: await serve() };
    cn = await withSandbox({ site: 'cn', world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: 1234, users: ['alice', 'bob'] }, { roomId: 'abcd', users: ['host', 'guest'] }] }] } });
    const srv = await spawnHttp(['--toolsets', 'all', '--site', 'cn'], sandboxEnv(cn, { TRTC_CALLBACK_KEY: KEY }));
    servers.push(srv);
    cn.callbacks.configure({ url: `${srv.url}/callbacks`, key: KEY });
    on.cn = { sb: cn, srv };
  });
  afterAll(async () => {
    await cn?.close();
  });

  it('covers every tool whose job the catalog declares', () => {
    expect(CATALOG.filter((d) => d.job).map((d) => d.name).sort()).toEqual([...FOLLOWED_ABOVE, ...STARTS.map((s) => s.tool)].sort());
  });

  it.each(STARTS)('$tool ($site site): working, said in words; cancelled on the human\'s yes by one $stop', async ({ tool, site, stop, noun, args }) => {
    const { sb: world, srv } = on[site];
    const { session } = await tasksOf(srv.url, { elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    const execution = await session.callTool(tool, args);
    expect(execution.kind, JSON.stringify(execution)).toBe('task');
    if (execution.kind !== 'task') return;
    const task = session.task(execution.handle.taskId);
    const started = await task.snapshot();
    expect(started.status).toBe('working');
    expect(started.statusMessage).toMatch(new RegExp(`^(${tool} started the ${noun} \\((TaskId \\S+|StrRoomId "abcd") in app ${APP}\\); following it by .+|The ${noun}: .+)\\.$`));
    await task.cancel();
    const asking = await until(() => task.snapshot(), (v) => v.status === 'input_required');
    const [key, question] = Object.entries(asking.raw.inputRequests as Record<string, { method: string; params: { message: string } }>)[0]!;
    expect(question).toMatchObject({ method: 'elicitation/create', params: { mode: 'form', message: expect.stringContaining(`${stop} on app ${APP}`) } });
    const stops = cloudRequests(world, stop).length;
    await task.update({ [key]: { action: 'accept', content: { confirm: true } } });
    const done = await until(() => task.snapshot(), (v) => v.status !== 'input_required' && v.status !== 'working');
    expect(done).toMatchObject({ status: 'cancelled', statusMessage: `Cancelled: ${stop} ended the ${noun} at the owner's request.` });
    expect(cloudRequests(world, stop).slice(stops).map((r) => r.code)).toEqual(['OK']);
  });
});

describe('wait_for_events followed as a task', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await serve();
  });

  it('stays working until a matching event is stored, then completes with the events', async () => {
    const { session } = await tasksOf(srv.url);
    const execution = await session.callTool('wait_for_events', { RoomId: 'studio', types: [103], timeoutSeconds: 30 });
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    expect(await task.snapshot()).toMatchObject({ status: 'working', statusMessage: expect.stringMatching(/^Waiting for events of app 1400000001 after cursor \d+ \(RoomId "studio", types \[103\]\)/) });
    await fetch(`${sb.url}_sandbox/act`, { method: 'POST', body: JSON.stringify({ action: 'enter', roomId: 'studio', userId: 'guest-1' }) });
    const { outcome } = await execution.settle();
    if (outcome.status !== 'completed') throw new Error(`not completed: ${JSON.stringify(outcome)}`);
    const result = outcome.result as unknown as { structuredContent: { events: Array<{ type: number; untrusted: { UserId: string } }>; timedOut: boolean } };
    expect(result.structuredContent.timedOut).toBe(false);
    expect(result.structuredContent.events.map((e) => [e.type, e.untrusted.UserId])).toEqual([[103, 'guest-1']]);
  });
});

describe('without callbacks, a task follows its job by reading its Describe* action', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    sb.callbacks.configure(undefined);
    srv = await serve(['--task-poll', '2'], { callbacks: false });
  });

  it('reads DescribeAIConversation at most once per interval, and ends when the read says the bot stopped', async () => {
    const { session } = await tasksOf(srv.url);
    const before = cloudRequests(sb, 'DescribeAIConversation').length;
    const execution = await session.callTool('StartAIConversation', conversation('bot-polled'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    const first = await task.snapshot();
    expect(first.statusMessage).toMatch(/following it by reading DescribeAIConversation every 2 s\.$/);
    expect(first.suggestedPollIntervalMs).toBe(2_000);
    const running = await until(() => task.snapshot(), (v) => /its bot is in the room \(InProgress\)/.test(v.statusMessage ?? ''));
    const trtcTask = (running.raw._meta as { job: { TaskId: string } }).job.TaskId;
    const agent = await plainOf(srv.url, accept);
    const started = Date.now();
    await agent.callTool({ name: 'StopAIConversation', arguments: { TaskId: trtcTask } });
    const done = await until(() => task.snapshot(), (v) => v.status === 'completed');
    expect(done.statusMessage).toBe('Ended: its bot has stopped (Stopped).');
    // The test looked every 100 ms; the server read TRTC at most once per 2 s interval (plus the slot it began in).
    const reads = cloudRequests(sb, 'DescribeAIConversation').length - before;
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(Math.ceil((Date.now() - Number(new Date(first.createdAt!))) / 2_000) + 1);
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});

describe('a task outlives its server: restarted mid-task, it is read back and followed to its end', () => {
  it('resumes the task the client persisted, on the restarted server, and sees it complete', async () => {
    sb.callbacks.configure(undefined);
    const store = mkdtempSync(join(tmpdir(), 'trtc-tasks-restart-'));
    let srv = await serve(['--store', store]);
    const before = await tasksOf(srv.url, { endpointId: 'restart-story' });
    const execution = await before.session.callTool('StartAIConversation', conversation('bot-restart'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = before.session.task(execution.handle.taskId);
    const joined = await until(() => task.snapshot(), (v) => /the bot joined the room/.test(v.statusMessage ?? ''));
    const trtcTask = (joined.raw._meta as { job: { TaskId: string } }).job.TaskId;
    // The client keeps a reference, as the extension asks clients to; then the server goes away.
    const reference = execution.serializeReference();
    await execution.detach();
    await before.close();
    await srv.stop();

    srv = await serve(['--store', store]);
    const after = await tasksOf(srv.url, { endpointId: 'restart-story' });
    const resumed = await after.session.resumeTask(reference);
    expect(resumed.kind).toBe('task');
    expect(await after.session.task(execution.handle.taskId).snapshot()).toMatchObject({ status: 'working', statusMessage: 'The AI conversation: the bot joined the room.' });
    // The bot is stopped after the restart; the restarted server hears of it and ends the task.
    const agent = await plainOf(srv.url, accept);
    expect((await agent.callTool({ name: 'StopAIConversation', arguments: { TaskId: trtcTask } })).isError).toBeFalsy();
    const { outcome } = await resumed.settle();
    expect(outcome.status).toBe('completed');
    expect(outcome.task?.statusMessage).toBe('Ended: the bot left (stopped as asked).');
  });

  it('refuses the task to a server of the same store whose scope does not reach its room (-32602, as for no task)', async () => {
    sb.callbacks.configure(undefined);
    const store = mkdtempSync(join(tmpdir(), 'trtc-tasks-scope-'));
    const wide = await serve(['--store', store]);
    const { session } = await tasksOf(wide.url);
    const execution = await session.callTool('StartAIConversation', conversation('bot-scope'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const narrow = await serve(['--store', store, '--allow-rooms', 'class-*'], { callbacks: false });
    const stops = cloudRequests(sb, 'StopAIConversation').length;
    for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update'] as const) {
      const params = { taskId: execution.handle.taskId, ...(method === 'tasks/update' && { inputResponses: { 'cancel-1': { action: 'accept', content: { confirm: true } } } }), _meta: envelope(TASKS) };
      const answer = await post(narrow.url, method, params, { 'mcp-name': execution.handle.taskId });
      expect(answer.messages[0]!.error).toMatchObject({ code: -32602, message: expect.stringContaining('is not this caller\'s') });
    }
    expect(narrow.stderr()).toContain('why="outside the scope"');
    // Nothing was stopped by the refused cancel, and the wide server still answers for it.
    const sent = cloudRequests(sb, 'StopAIConversation').length - stops;
    recordAttack('tasks: read, cancel and answer a task from a server whose scope does not reach it', sent);
    expect(sent).toBe(0);
    expect((await session.task(execution.handle.taskId).snapshot()).status).toBe('working');
  });
});

describe('two replicas sharing Redis: a task created on one is read, cancelled and consented to on the other', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(sb, { replicas: 2, args: ['--toolsets', 'all'], env: { TRTC_CALLBACK_KEY: KEY } });
    // TRTC sends to one URL: the balancer's, which passes each callback to either replica.
    sb.callbacks.configure({ url: `${fleet.balancer.url}/callbacks`, key: KEY });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
  });

  it('follows the job on B from what A started, cancels it on B, and takes the human\'s yes on A', async () => {
    const [A, B] = fleet.replicas;
    const yes = () => ({ action: 'accept' as const, content: { confirm: true } });
    const onA = await tasksOf(A!.url, { elicit: yes });
    const onB = await tasksOf(B!.url, { elicit: yes });
    const execution = await onA.session.callTool('StartAIConversation', conversation('bot-fleet'));
    if (execution.kind !== 'task') throw new Error('not a task');
    const id = execution.handle.taskId;
    // Created on A, durable before A answered: B reads it at once, and follows the callbacks whichever replica took them.
    expect((await onB.session.task(id).snapshot()).taskId).toBe(id);
    const joined = await until(() => onB.session.task(id).snapshot(), (v) => /the bot joined the room/.test(v.statusMessage ?? ''));
    const trtcTask = (joined.raw._meta as { job: { TaskId: string } }).job.TaskId;
    await execution.detach();
    // Cancelled on B, which asks the human in the task; the answer arrives through A.
    await onB.session.task(id).cancel();
    const asking = await until(() => onA.session.task(id).snapshot(), (v) => v.status === 'input_required');
    const key = Object.keys(asking.raw.inputRequests as object)[0]!;
    await onA.session.task(id).update({ [key]: { action: 'accept', content: { confirm: true } } });
    const done = await until(() => onB.session.task(id).snapshot(), (v) => v.status === 'cancelled');
    expect(done.statusMessage).toBe('Cancelled: StopAIConversation ended the AI conversation at the owner\'s request.');
    expect(sb.world.tasks.find(sb.world.apps.get(APP)!, trtcTask)!.endReason).toBe('stopped');
  });
});

describe('a room\'s mix followed as a task (China site): TRTC has no read of a mix, so the room\'s callbacks end it', () => {
  let cn: Sandbox;
  let srv: SpawnedHttp;
  beforeAll(async () => {
    cn = await withSandbox({ site: 'cn', world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: 4321, users: ['host', 'guest'] }] }] } });
    srv = await spawnHttp(['--toolsets', 'all', '--site', 'cn'], sandboxEnv(cn, { TRTC_CALLBACK_KEY: KEY }));
    servers.push(srv);
    cn.callbacks.configure({ url: `${srv.url}/callbacks`, key: KEY });
  });
  afterAll(async () => {
    await cn?.close();
  });

  it('is working while the room is mixed, and completes when the room closes', async () => {
    const { session } = await tasksOf(srv.url);
    const mix = {
      RoomId: 4321, OutputParams: { StreamId: 'room4321_mix' }, LayoutParams: { Template: 1 },
      EncodeParams: { AudioSampleRate: 48000, AudioBitrate: 64, AudioChannels: 2, VideoWidth: 1280, VideoHeight: 720, VideoBitrate: 1500, VideoFramerate: 15, VideoGop: 2 },
    };
    const execution = await session.callTool('StartMCUMixTranscode', mix);
    if (execution.kind !== 'task') throw new Error('not a task');
    const task = session.task(execution.handle.taskId);
    expect(await task.snapshot()).toMatchObject({
      status: 'working', statusMessage: 'StartMCUMixTranscode started the room mix (RoomId 4321 in app 1400000001); following it by TRTC\'s callbacks.',
      raw: { _meta: { job: { SdkAppId: APP, RoomId: 4321, tool: 'StartMCUMixTranscode' } } },
    });
    const agent = await plainOf(srv.url, () => ({ action: 'accept', content: { confirm: '4321' } }));
    expect((await agent.callTool({ name: 'DismissRoom', arguments: { RoomId: 4321 } })).isError).toBeFalsy();
    const { outcome } = await execution.settle();
    expect(outcome).toMatchObject({ status: 'completed', task: { statusMessage: 'Ended: its room closed, so the mix ended.' } });
  });
});
