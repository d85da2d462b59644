// Measures what answers cost an agent's context: the moderation story's results (find the poor user with every
// metric of the call, mute, remove with consent, check she left), in characters of text and o200k tokens, through
// a real MCP client over stdio against the built-in sandbox.
import { getEncoding } from 'js-tiktoken';
import { CLI, connectStdio } from './lib.mjs';

const enc = getEncoding('o200k_base');
/** The same story's results before answers were sized for a model: this script on the commit before (83dcc4f). */
const BEFORE = { chars: 21_031, tokens: 7_203 };

const { client, close } = await connectStdio(process.execPath, [CLI, '--sandbox', '--log-level', 'error']);
const ago = (s) => new Date(Date.now() - s * 1000).toISOString();
const hour = { StartTime: ago(3540), EndTime: ago(0) };
const steps = [];
const call = async (name, args) => {
  const r = await client.callTool(name === 'DescribeCallDetailInfo' ? { name: 'call_tool', arguments: { name, arguments: args } } : { name, arguments: args });
  const text = r.content.map((c) => c.text ?? '').join('\n');
  steps.push({ name, chars: text.length, tokens: enc.encode(text).length });
  return r;
};

await call('DescribeUnusualEvent', { RoomId: '1234', ...hour });
const comm = (await call('DescribeRoomInfo', { RoomId: '1234', ...hour })).structuredContent.RoomList[0].CommId;
await call('DescribeCallDetailInfo', { CommId: comm, DataType: ['all'], ...hour });
await call('SetUserBlocked', { RoomId: 1234, UserId: 'carol', IsMute: 1 });
const preview = await call('RemoveUser', { RoomId: 1234, UserIds: ['carol'] });
await call('RemoveUser', { RoomId: 1234, UserIds: ['carol'], confirmationToken: preview._meta.confirmation.token });
await call('DescribeUserInfo', { CommId: comm, ...hour });
await close();

const chars = steps.reduce((n, s) => n + s.chars, 0);
const tokens = steps.reduce((n, s) => n + s.tokens, 0);
const largest = Math.max(...steps.map((s) => s.chars));
console.log(`moderation story   ${steps.length} calls  ${chars} characters  ${tokens} tokens  (before the answer budget: ${BEFORE.chars} characters, ${BEFORE.tokens} tokens; now ${(chars / BEFORE.chars).toFixed(2)}x)`);
console.log(`         per call: ${steps.map((s) => `${s.name} ${s.chars}`).join(', ')}`);
console.log(`targets: story <= 8000 characters: ${chars <= 8000 ? 'met' : 'MISSED'} (${chars}); every answer <= 4000: ${largest <= 4000 ? 'met' : 'MISSED'} (largest ${largest})`);
