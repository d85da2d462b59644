// Fuzzing: thousands of tool calls generated from the JSON Schemas the server lists, valid and invalid, sent one at
// a time through a real MCP client over stdio to a server on the sandbox. Each call's requests to the sandbox are
// counted on their own, so "an invalid call never reaches the sandbox" is checked call by call.
// FUZZ_SEED=<n> replays a run; FUZZ_CALLS=<n> changes its length.
import { randomInt } from 'node:crypto';
import { McpError, CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { ToolDef } from '../../tools/define.js';
import { CATALOG } from '../../tools/index.js';
import { connectStdio, rememberSecret, sandboxEnv, text, withSandbox, type Connected } from '../helpers.js';
import { CallGenerator, HUGE, INVALID_KINDS, Rng, VALID_KINDS, type CallKind, type FuzzCall, type JsonSchema } from './schema-fuzz.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const CALLS = Number(process.env.FUZZ_CALLS ?? 10_000);
/** Share of generated calls that are valid as far as the schema can tell. */
const VALID_SHARE = 0.4;
/** Share of catalog calls sent through call_tool, the discovery path into the same pipeline. */
const VIA_CALL_TOOL = 0.1;
/**
 * The largest result any call may produce: answers are cut to 16 KB of structured content (mirrored as text)
 * plus notes, and errors quote at most a kilobyte of the service's message, whatever the arguments were.
 */
const RESULT_MAX_BYTES = 48 * 1024;
const LOCAL_TOOLS = new Set(['search_tools', 'describe_tool']);
/** Each tool's request on the wire, and the requests that only read (lookups the server may send first). */
const wireName = (d: ToolDef) => (d.api.kind === 'cloud' ? d.api.action : `${d.api.service}/${d.api.command}`);
const WIRE = new Map(CATALOG.map((d) => [d.name, wireName(d)]));
const READS = new Set(CATALOG.filter((d) => d.effect === 'read').map(wireName));
const DISCOVERY = new Set([...LOCAL_TOOLS, 'call_tool']);

type Outcome = 'rejected' | 'refused' | 'local' | 'api-error' | 'ok';

/** What became of a call, read from its result: rejections and refusals say that nothing was sent. */
function outcomeOf(result: CallToolResult, tool: string): Outcome | 'internal' {
  const t = text(result);
  if (/^Invalid arguments for \S+?[;:]/.test(t)) return 'rejected';
  if (/^Refused: | was not sent: /.test(t)) return 'refused';
  if (/failed unexpectedly/.test(t)) return 'internal';
  // Tools outside the catalog (discovery, the event tools) answer from this server alone.
  if (LOCAL_TOOLS.has(tool) || (tool !== 'call_tool' && !WIRE.has(tool)) || /^No callable tool named /.test(t)) return 'local';
  return result.isError ? 'api-error' : 'ok';
}

/** Whether one line of the rejection names the field (or a member of it): "- Field: rule", "- Field[0]: ...". */
const names = (t: string, field: string) => t.split('\n').some((l) => l.startsWith(`- ${field}`) && /^[:.[]/.test(l.slice(2 + field.length)));

const clipped = (json: string) => (json.length > 300 ? `${json.slice(0, 300)}… (${json.length} chars)` : json);
const show = (v: unknown) => clipped(JSON.stringify(v));

describe('fuzzing every tool through a real MCP client', () => {
  let sb: Sandbox;
  let conn: Connected;

  beforeAll(async () => {
    // Rate limits are lifted on both sides: the fuzzer is not testing them, and waiting would only slow it down.
    sb = await withSandbox({ rateLimitScale: 10_000 });
    const llm = { LLMType: 'openai', Model: 'gpt-4o', APIKey: `sk-fuzz-${SEED}-0123456789`, APIUrl: 'https://llm.example.com/v1/chat/completions' };
    const tts = { TTSType: 'tencent', AppId: 1300000000, SecretId: 'AKIDfuzz', SecretKey: `tts-fuzz-${SEED}-0123456789`, VoiceType: 101001 };
    rememberSecret(llm.APIKey, tts.SecretKey);
    conn = await connectStdio(
      ['--toolsets', 'all', '--dangerously-skip-consent', '--rate-limit-scale', '10000', '--log-level', 'warn'],
      sandboxEnv(sb, { TRTC_LLM_CONFIG: JSON.stringify(llm), TRTC_TTS_CONFIG: JSON.stringify(tts) }),
    );
  });
  afterAll(async () => {
    await conn?.close();
    await sb?.close();
  });

  it(`answers every generated call with a result, never reaching the sandbox with an invalid one (seed ${SEED})`, async () => {
    const { client } = conn;
    const { tools } = await client.listTools();
    const rng = new Rng(SEED);
    const gen = new CallGenerator(rng);
    console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${CALLS} calls over ${tools.length} tools`);

    const failures: string[] = [];
    const kinds = new Map<CallKind, number>();
    const outcomes = new Map<string, number>();
    const perTool = new Map<string, { valid: number; invalid: number }>();
    let requests = 0;
    let sentCalls = 0;
    let megabyteCalls = 0;
    const started = Date.now();

    sb.requests.splice(0);
    for (let i = 0; i < CALLS; i++) {
      const def = tools[i % tools.length]!;
      const call: FuzzCall = gen.call(def.name, def.inputSchema as JsonSchema, VALID_SHARE);
      // wait_for_events waits (up to 50 s) for events that never come here: the fuzzer keeps each wait to the minimum.
      if (call.tool === 'wait_for_events' && call.field !== 'timeoutSeconds') call.args.timeoutSeconds = 1;
      const wrapped = !DISCOVERY.has(def.name) && rng.chance(VIA_CALL_TOOL);
      const request = wrapped ? { name: 'call_tool', arguments: { name: call.tool, arguments: call.args } } : { name: call.tool, arguments: call.args };
      const valid = (VALID_KINDS as readonly string[]).includes(call.kind);
      const json = JSON.stringify(call.args);
      if (json.length >= HUGE) megabyteCalls++;
      const where = `#${i} ${call.tool}${wrapped ? ' via call_tool' : ''} (${call.kind}${call.field ? ` of ${call.field}` : ''}, seed ${SEED}) ${clipped(json)}`;
      kinds.set(call.kind, (kinds.get(call.kind) ?? 0) + 1);
      const counts = perTool.get(call.tool) ?? { valid: 0, invalid: 0 };
      counts[valid ? 'valid' : 'invalid']++;
      perTool.set(call.tool, counts);

      let result: CallToolResult;
      try {
        result = (await client.callTool(request)) as CallToolResult;
      } catch (err) {
        failures.push(`${where}: protocol error ${(err as Error).message}`);
        sb.requests.splice(0);
        continue;
      }
      // The server answers only after the sandbox has answered it, so these are exactly this call's requests.
      const reached = sb.requests.splice(0);
      requests += reached.length;
      const t = text(result);
      const outcome = outcomeOf(result, call.tool);
      outcomes.set(`${valid ? 'valid' : 'invalid'}:${outcome}`, (outcomes.get(`${valid ? 'valid' : 'invalid'}:${outcome}`) ?? 0) + 1);

      const bytes = Buffer.byteLength(JSON.stringify(result));
      if (bytes > RESULT_MAX_BYTES) failures.push(`${where}: a result of ${bytes} bytes: ${t.slice(0, 200)}`);
      if (outcome === 'internal') failures.push(`${where}: internal failure: ${t.slice(0, 300)}`);
      else if (outcome === 'rejected' || outcome === 'refused' || outcome === 'local') {
        if (reached.length) failures.push(`${where}: ${outcome}, yet ${reached.length} request(s) reached the sandbox`);
        if (outcome === 'rejected' && !/^- .+?: /m.test(t)) failures.push(`${where}: a rejection that names no field: ${t.slice(0, 300)}`);
      } else {
        sentCalls++;
        // One request per call (a paged read asked for AllPages may send one per page), after any lookups: reads
        // the server makes itself, such as whether a bot's earlier task still runs.
        const own = reached.filter((r) => r.action === WIRE.get(call.tool)).length;
        const lookups = reached.length - own;
        const pages = call.args.AllPages === true ? own >= 1 : own === 1;
        if (!pages || reached.some((r) => r.action !== WIRE.get(call.tool) && !READS.has(r.action!))) {
          failures.push(`${where}: ${outcome} after ${own} request(s) to the sandbox and ${lookups} lookup(s)`);
        }
      }
      if (!valid) {
        if (outcome !== 'rejected') failures.push(`${where}: an invalid call was not rejected (${outcome}): ${t.slice(0, 300)}`);
        else if (!t.startsWith(`Invalid arguments for ${call.tool}`)) failures.push(`${where}: the rejection names another tool: ${t.slice(0, 200)}`);
        else if (!names(t, call.field!)) failures.push(`${where}: the rejection does not name ${call.field}: ${t.slice(0, 300)}`);
      }
      if (failures.length >= 25) break;
    }
    const seconds = (Date.now() - started) / 1000;

    const summary = {
      seed: SEED,
      calls: [...kinds.values()].reduce((a, b) => a + b, 0),
      seconds,
      sentCalls,
      requests,
      megabyteCalls,
      kinds: Object.fromEntries(kinds),
      outcomes: Object.fromEntries([...outcomes].sort()),
    };
    console.log(`fuzz: ${JSON.stringify(summary)}`);
    expect(failures, failures.join('\n')).toEqual([]);

    // The run covered what it claims to: every tool both ways, every way of breaking a call, and real traffic.
    expect(summary.calls).toBe(CALLS);
    for (const [name, c] of perTool) expect(c.valid > 0 && c.invalid > 0, `${name}: ${JSON.stringify(c)}`).toBe(true);
    expect(perTool.size).toBe(tools.length);
    if (CALLS >= 10_000) {
      for (const kind of [...INVALID_KINDS, ...VALID_KINDS]) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(20);
      expect(outcomes.get('valid:ok') ?? 0).toBeGreaterThan(CALLS * 0.02);
      expect(outcomes.get('valid:api-error') ?? 0).toBeGreaterThan(CALLS * 0.1);
    }

    // Still alive and well: it answers a ping and a listing, and never logged a crash.
    await client.ping();
    expect((await client.listTools()).tools.length).toBe(tools.length);
    expect(conn.stderr()).not.toMatch(/Uncaught|Unhandled|RangeError|TypeError|at .+\(.+:\d+:\d+\)/);
  }, 600_000);

  it('answers malformed tools/call requests with JSON-RPC errors, and keeps serving', async () => {
    const { client } = conn;
    // What a broken client (not an agent) might send. The MCP SDK checks the request's shape before the server
    // sees it and answers with a JSON-RPC error that names the bad member; the session goes on.
    const bad: Array<[unknown, RegExp]> = [
      [{ name: 'NoSuchTool', arguments: {} }, /Unknown tool: NoSuchTool/],
      [{ name: 'x'.repeat(1024 * 1024), arguments: {} }, /Unknown tool: x+/],
      [{ name: '', arguments: {} }, /Unknown tool: $/],
      [{ name: 42, arguments: {} }, /"name"/],
      [{ arguments: { RoomId: 1 } }, /"name"/],
      [{ name: 'DismissRoom', arguments: [] }, /"arguments"/],
      [{ name: 'DismissRoom', arguments: 'RoomId=1' }, /"arguments"/],
      [{ name: 'DismissRoom', arguments: null }, /"arguments"/],
      [{ name: 'DismissRoom', arguments: 7 }, /"arguments"/],
    ];
    const before = sb.requests.length;
    for (const [params, message] of bad) {
      const error = await client.request({ method: 'tools/call', params: params as never }, CallToolResultSchema).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error, show(params)).toBeInstanceOf(McpError);
      expect([-32602, -32603], show(params)).toContain((error as McpError).code);
      expect((error as McpError).message.slice(0, 500), show(params)).toMatch(message);
      await client.ping();
    }
    expect(sb.requests.length).toBe(before);
  });

  it('names odd keys exactly, rejects misspelt discovery arguments, and never lets "__proto__" carry parameters', async () => {
    const { client } = conn;
    const before = sb.requests.length;
    const rejected = async (name: string, args: unknown, line: string) => {
      const r = (await client.callTool({ name, arguments: args as Record<string, unknown> })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/^Invalid arguments for \S+?(; nothing was sent)?:\n/);
      expect(text(r).split('\n')).toContain(line);
    };
    // A trailing space or an invisible character in a key is shown, quoted, instead of looking like a valid name.
    await rejected('DismissRoom', { RoomId: 1234, 'RoomId ': 1 }, '- ["RoomId "]: is not a parameter of this tool');
    await rejected('DismissRoom', { RoomId: 1234, 'Room\u200bId': 1 }, '- ["Room\u200bId"]: is not a parameter of this tool');
    await rejected('StartAIConversation', { RoomId: '1', AgentConfig: { UserId: 'b', TargetUserId: 'u', 'x.y': 1 } }, '- AgentConfig["x.y"]: is not a parameter of this tool');
    // call_tool with "args" instead of "arguments" would otherwise run the tool with no arguments at all.
    await rejected('call_tool', { name: 'live_get_room_list', args: { Next: 'x' } }, '- args: is not a parameter of this tool');
    await rejected('search_tools', { query: 'stop a recording', limt: 3 }, '- limt: is not a parameter of this tool');
    // JSON.parse makes "__proto__" an own key; nested, it is an unknown parameter like any other.
    await rejected('StartAIConversation', JSON.parse('{"RoomId":"1","AgentConfig":{"UserId":"b","TargetUserId":"u","__proto__":{"UserSig":"x"}}}'), '- AgentConfig.__proto__: is not a parameter of this tool');
    // At the top level the SDK's request parsing drops it; what it carried must not count as arguments, then or later.
    await rejected('SetUserBlocked', JSON.parse('{"__proto__":{"RoomId":1234,"UserId":"alice","IsMute":1}}'), '- RoomId: is required');
    await rejected('SetUserBlocked', {}, '- UserId: is required');
    expect(sb.requests.length).toBe(before);
  });
});
