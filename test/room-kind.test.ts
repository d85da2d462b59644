// End to end: a task started with a RoomIdType that names the other kind of room than the one people are in does not
// fail; it waits in an empty room. The answer says so where the server can tell without asking Tencent more: the
// in-process sandbox knows every room, so the start says it; against an API (here a sandbox reached at its URL, as
// Tencent would be), the task's read that answers Idle says it, from the room the ledger recorded at the start.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { cleanEnv, cloudRequests, connectStdio, rememberSecret, sandboxEnv, text, withSandbox, type Connected } from './helpers.js';

const COS_KEY = `cos-room-kind-${process.pid}`;
rememberSecret(COS_KEY);
const storage = { CloudStorage: { Vendor: 0, Region: 'ap-singapore', Bucket: 'rec-1300000000', AccessKey: 'AKID-cos', SecretKey: COS_KEY } };
/** CreateCloudRecording in room "1234": for it, RoomIdType 0 names string room "1234", 1 numeric room 1234 (where the default world's users are). */
const record = (UserId: string, RoomIdType: 0 | 1) => ({ RoomId: '1234', RoomIdType, UserId, RecordParams: { RecordMode: 1, MaxIdleTime: 60 }, StorageParams: storage });
const notes = (r: CallToolResult) => (r.content as Array<{ text: string }>).slice(1).map((c) => c.text);
const taskOf = (r: CallToolResult) => (r.structuredContent as { TaskId: string }).TaskId;

async function ok(conn: Connected, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const r = (await conn.client.callTool({ name, arguments: args })) as CallToolResult;
  expect(r.isError, text(r)).toBeFalsy();
  return r;
}

describe('the in-process sandbox: the start itself says the room is the wrong one', () => {
  let conn: Connected;
  beforeAll(async () => {
    conn = await connectStdio(['--sandbox', '--toolsets', 'record,ai'], cleanEnv());
  });
  afterAll(() => conn.close());

  it('CreateCloudRecording with RoomIdType 0 in "1234": string room "1234" is empty while numeric room 1234 has users', async () => {
    const wrong = await ok(conn, 'CreateCloudRecording', record('rec_wrong', 0));
    const note = notes(wrong).find((n) => n.includes('RoomIdType'));
    expect(note).toMatch(/^String room "1234" is empty, while numeric room 1234 has \d+ users: for CreateCloudRecording, RoomIdType 0 means a string room and 1 a numeric room/);
    expect(note).toContain('start it again with RoomIdType 1');
    const read = await ok(conn, 'DescribeCloudRecording', { TaskId: taskOf(wrong) });
    expect((read.structuredContent as { Status: string }).Status).toBe('Idle');
    expect(notes(read).join('\n')).toMatch(/Idle: nobody is in string room "1234", where this task's bot waits, while numeric room 1234 has \d+ users/);
  });

  it('says nothing when the task is where the people are, whichever value names that room for the action', async () => {
    const right = await ok(conn, 'CreateCloudRecording', record('rec_right', 1));
    expect(notes(right).join('\n')).not.toContain('RoomIdType');
    const read = await ok(conn, 'DescribeCloudRecording', { TaskId: taskOf(right) });
    expect((read.structuredContent as { Status: string }).Status).toBe('InProgress');
    expect(notes(read).join('\n')).not.toContain('RoomIdType');
    // For the AI actions 0 is the numeric room: the same value that misled the recording is right here.
    const bot = await ok(conn, 'StartAIConversation', { RoomId: '1234', RoomIdType: 0, AgentConfig: { UserId: 'bot_kind', TargetUserId: 'carol' } });
    expect(notes(bot).join('\n')).not.toContain('RoomIdType');
  });
});

describe('an API reached at its URL: only the read that answers Idle can tell', () => {
  let sb: Sandbox;
  let conn: Connected;
  beforeAll(async () => {
    sb = await withSandbox();
    conn = await connectStdio(['--toolsets', 'record'], sandboxEnv(sb));
  });
  afterAll(async () => {
    await conn.close();
    await sb.close();
  });

  it('the start says nothing (the server asks nothing extra), and the Idle read names both rooms and the value to use', async () => {
    const before = cloudRequests(sb).length;
    const wrong = await ok(conn, 'CreateCloudRecording', record('rec_url', 0));
    expect(notes(wrong).join('\n')).not.toContain('RoomIdType');
    const read = await ok(conn, 'DescribeCloudRecording', { TaskId: taskOf(wrong) });
    expect(notes(read).join('\n')).toContain(
      'Idle: nobody is in string room "1234", where this task\'s bot waits. If the people you meant are in numeric room 1234, the task was started in the wrong room (for CreateCloudRecording, RoomIdType 0 means a string room and 1 a numeric room; other tools read it the other way round): stop this task and start it again with RoomIdType 1.',
    );
    expect(cloudRequests(sb).slice(before).map((r) => r.action)).toEqual(['CreateCloudRecording', 'DescribeCloudRecording']);
  });
});
