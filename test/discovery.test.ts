// The agent surface: a small default list, discovery tools that reach the whole catalog through the same
// pipeline, resources and prompts, all through a real MCP client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { servedOn } from '../tools/define.js';
import { CATALOG } from '../tools/index.js';
import { getEncoding } from 'js-tiktoken';
import { DEFAULT_TOOLS } from '../src/config.js';
import { cleanEnv, cloudRequests, confirmationTokenOf, connectStdio, sandboxEnv, text, withSandbox, type Connected } from './helpers.js';

let sb: Sandbox;
const conns: Connected[] = [];
beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await sb.close();
});
async function connect(args: string[] = [], env: Record<string, string> = {}) {
  const c = await connectStdio(args, { ...sandboxEnv(sb), ...env });
  conns.push(c);
  return c.client;
}
const structured = <T>(r: unknown) => (r as { structuredContent?: unknown }).structuredContent as T;

describe('toolsets and discovery', () => {
  it('lists the room and AI toolsets, three quality reads and the three discovery tools by default; --toolsets all lists everything', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names.slice(0, 3)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
    const wanted = CATALOG.filter((d) => (d.toolset === 'room' || d.toolset === 'ai') && servedOn(d.api, 'intl')).map((d) => d.name);
    expect(names.slice(3).sort()).toEqual([...wanted, ...DEFAULT_TOOLS].sort());
    // The whole default list, as a client sends it to its model, within 6,000 tokens (o200k_base, as npm run bench counts).
    const tokens = getEncoding('o200k_base').encode(JSON.stringify(tools)).length;
    console.log(`default tool list: ${tools.length} tools, ${tokens} tokens`);
    expect(tokens).toBeLessThanOrEqual(6000);
    const all = (await (await connect(['--toolsets', 'all'])).listTools()).tools.map((t) => t.name);
    // The catalog's tools of this site, the discovery tools and the two event tools.
    expect(all).toHaveLength(CATALOG.filter((d) => servedOn(d.api, 'intl')).length + 3 + 2);
    // --tools none lists the toolsets alone.
    const bare = (await (await connect(['--tools', 'none'])).listTools()).tools.map((t) => t.name);
    expect(bare).toHaveLength(names.length - DEFAULT_TOOLS.length);
  });

  it('answers a direct call of a tool that exists but is not listed with the way to reach it', async () => {
    const client = await connect();
    await expect(client.callTool({ name: 'DescribeUserEvent', arguments: {} })).rejects.toThrow(
      'DescribeUserEvent is not in this server\'s tool list, but it can be called: use call_tool with {"name": "DescribeUserEvent", "arguments": {...}}. describe_tool with {"name": "DescribeUserEvent"} shows its input schema.',
    );
    // A tool of the other site says where it is served; a name of no tool stays unknown.
    await expect(client.callTool({ name: 'CreatePicture', arguments: {} })).rejects.toThrow(/CreatePicture is documented for the China site only.*--site cn/);
    await expect(client.callTool({ name: 'DescribeUserEvents', arguments: {} })).rejects.toThrow(/^MCP error -32602: Unknown tool: DescribeUserEvents$/);
  });

  it('search_tools finds a read first for a question, and says so when nothing matches well', async () => {
    const client = await connect();
    const who = structured<{ results: Array<{ name: string; listed: boolean; effect: string }> }>(await client.callTool({ name: 'search_tools', arguments: { query: 'who is in a room' } }));
    expect(who.results[0]!.effect).toBe('read');
    expect(who.results.slice(0, 3)).toContainEqual(expect.objectContaining({ name: 'DescribeUserInfo', listed: true }));
    const minutes = structured<{ results: Array<{ name: string; listed: boolean }> }>(await client.callTool({ name: 'search_tools', arguments: { query: 'how much did we use yesterday' } }));
    expect(minutes.results[0]).toMatchObject({ name: 'DescribeTrtcUsage', listed: false });
    const none = await client.callTool({ name: 'search_tools', arguments: { query: 'order a pizza' } });
    const answer = structured<{ results: unknown[]; noGoodMatch: string; toolsets: Array<{ toolset: string; about: string; listed: boolean }> }>(none);
    expect(answer.results).toEqual([]);
    expect(answer.noGoodMatch).toMatch(/^No tool matches "order a pizza" well\./);
    expect(answer.toolsets).toContainEqual({ toolset: 'room', about: expect.stringMatching(/Mute/), listed: true });
    expect(answer.toolsets).toContainEqual({ toolset: 'usage', about: expect.any(String), listed: false });
  });

  it('search_tools answers a request in Chinese, and advises in Chinese when nothing matches', async () => {
    const client = await connect();
    const kick = structured<{ results: Array<{ name: string; listed: boolean }> }>(await client.callTool({ name: 'search_tools', arguments: { query: '请把 bob 请出房间' } }));
    expect(kick.results.slice(0, 2).map((r) => r.name).sort()).toEqual(['RemoveUser', 'RemoveUserByStrRoomId']);
    const minutes = structured<{ results: Array<{ name: string }> }>(await client.callTool({ name: 'search_tools', arguments: { query: '昨天用了多少分钟' } }));
    expect(minutes.results[0]!.name).toBe('DescribeTrtcUsage');
    const none = structured<{ results: unknown[]; noGoodMatch: string; toolsets: Array<{ toolset: string; about: string }> }>(
      await client.callTool({ name: 'search_tools', arguments: { query: '帮我订一张机票' } }),
    );
    expect(none.results).toEqual([]);
    expect(none.noGoodMatch).toMatch(/^没有工具与“帮我订一张机票”匹配得足够好。/);
    expect(none.toolsets).toContainEqual(expect.objectContaining({ toolset: 'room', about: '静音、踢人、解散房间 (Mute, unmute and remove users; close rooms)' }));
  });

  it.each([
    ['kick a user out of a room', 'RemoveUser'],
    ['mute someone', 'SetUserBlocked'],
    ['close the room for everyone', 'DismissRoom'],
  ])('search_tools finds "%s" -> %s', async (query, expected) => {
    const client = await connect();
    const r = await client.callTool({ name: 'search_tools', arguments: { query } });
    const results = structured<{ results: Array<{ name: string; listed: boolean }> }>(r).results;
    expect(results.slice(0, 3).map((x) => x.name)).toContain(expected);
  });

  it('describe_tool returns the full schema of a tool that is not listed', async () => {
    const client = await connect(['--toolsets', 'ai']);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('RemoveUser');
    const r = await client.callTool({ name: 'describe_tool', arguments: { name: 'RemoveUser' } });
    const doc = JSON.parse(text(r).split('\n')[0]!);
    expect(doc).toMatchObject({ name: 'RemoveUser', toolset: 'room', effect: 'destructive', listed: false });
    expect(doc.inputSchema.properties.UserIds).toMatchObject({ type: 'array', maxItems: 10 });
    const missing = await client.callTool({ name: 'describe_tool', arguments: { name: 'RemoveUsers' } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/No callable tool named RemoveUsers\. RemoveUser/);
  });

  it('call_tool goes through the same pipeline: validation, consent and scope all apply', async () => {
    const client = await connect(['--toolsets', 'ai', '--allow-rooms', '1234,10006']);
    const before = cloudRequests(sb).length;
    const bad = await client.callTool({ name: 'call_tool', arguments: { name: 'RemoveUser', arguments: { RoomId: '1234' } } });
    expect(text(bad)).toMatch(/RoomId: must be a number/);
    const outside = await client.callTool({ name: 'call_tool', arguments: { name: 'SetUserBlockedByStrRoomId', arguments: { StrRoomId: 'abcd', UserId: 'test1', IsMute: 1 } } });
    expect(text(outside)).toMatch(/Refused: string room "abcd" is outside/);
    const preview = await client.callTool({ name: 'call_tool', arguments: { name: 'DismissRoom', arguments: { RoomId: 10006 } } });
    expect(text(preview)).toMatch(/Confirmation required; nothing was sent/);
    expect(cloudRequests(sb).length).toBe(before);
    const done = await client.callTool({ name: 'call_tool', arguments: { name: 'DismissRoom', arguments: { RoomId: 10006, confirmationToken: confirmationTokenOf(preview) } } });
    expect(done.isError).toBeFalsy();
    expect(cloudRequests(sb).length).toBe(before + 1);
    expect(sb.world.room(sb.world.apps.get(1400000001)!, 'int', 10006)).toBeUndefined();
  });

  it('call_tool cannot reach what read-only mode or the deny list forbid', async () => {
    const client = await connect(['--read-only', '--deny-tools', 'SetUserBlocked']);
    const listed = (await client.listTools()).tools;
    expect(listed.find((t) => t.name === 'call_tool')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const before = cloudRequests(sb).length;
    const r = await client.callTool({ name: 'call_tool', arguments: { name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } } });
    expect(r.isError).toBe(true);
    expect(text(r)).toContain('Refused: RemoveUser changes state, and this server runs read-only (--read-only). Nothing was sent.');
    await expect(client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } })).rejects.toThrow(/RemoveUser changes state, and this server runs read-only/);
    // What the deny list hides stays unknown.
    expect(text(await client.callTool({ name: 'call_tool', arguments: { name: 'SetUserBlocked', arguments: {} } }))).toContain('No callable tool named SetUserBlocked.');
    const s = structured<{ results: Array<{ name: string }> }>(await client.callTool({ name: 'search_tools', arguments: { query: 'remove user' } }));
    expect(s.results.map((x) => x.name)).not.toContain('RemoveUser');
    expect(cloudRequests(sb).length).toBe(before);
  });

  it('rejects bad discovery arguments by field', async () => {
    const client = await connect();
    const r = await client.callTool({ name: 'search_tools', arguments: { query: '', limit: 99 } });
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/query: must have at least 1 characters/);
    expect(text(r)).toMatch(/limit: must be at most 20/);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('answers %s, a name every plain object has, as any unknown name', async (word) => {
    const client = await connect();
    const search = await client.callTool({ name: 'search_tools', arguments: { query: word } });
    expect(search.isError, text(search)).toBeFalsy();
    // Either some tools or, as for "constructor", the toolsets and a word that nothing matched well.
    const found = search.structuredContent as { results: unknown[]; noGoodMatch?: string };
    expect(Array.isArray(found.results)).toBe(true);
    if (!found.results.length) expect(found.noGoodMatch).toContain(`No tool matches ${JSON.stringify(word)} well.`);
    const described = await client.callTool({ name: 'describe_tool', arguments: { name: word } });
    expect(described.isError).toBe(true);
    expect(text(described)).toContain(`No callable tool named ${word}.`);
    const called = await client.callTool({ name: 'call_tool', arguments: { name: word, arguments: {} } });
    expect(called.isError).toBe(true);
    expect(text(called)).toContain(`No callable tool named ${word}.`);
    await expect(client.callTool({ name: word, arguments: {} })).rejects.toThrow(`Unknown tool: ${word}`);
    await expect(client.readResource({ uri: word })).rejects.toThrow(`Resource not found: ${word}`);
    await expect(client.getPrompt({ name: word })).rejects.toThrow(`Unknown prompt: ${word}`);
    // A profile name comes from the agent, too.
    const profile = await client.callTool({ name: 'StartAIConversation', arguments: { RoomId: '1234', AgentConfig: { UserId: 'bot', TargetUserId: 'alice' }, LLMConfig: { profile: word } } });
    expect(profile.isError).toBe(true);
    expect(text(profile)).toContain(`LLMConfig.profile: no LLM profile named ${JSON.stringify(word)} is configured`);
  });
});

describe('resources', () => {
  it('lists stable trtc:// resources and reads each as JSON', async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['trtc://regions', 'trtc://error-codes', 'trtc://event-ids', 'trtc://datatypes', 'trtc://toolsets']));
    for (const uri of uris) {
      const { contents } = await client.readResource({ uri });
      // The room console is the one view among them (an MCP Apps page); the rest is reference data.
      if (uri.startsWith('ui://')) {
        expect(contents[0]).toMatchObject({ uri: 'ui://trtc/room-console', mimeType: 'text/html;profile=mcp-app' });
        continue;
      }
      expect(contents[0]).toMatchObject({ uri, mimeType: 'application/json' });
      expect(() => JSON.parse((contents[0] as { text: string }).text)).not.toThrow();
    }
    const regions = JSON.parse(((await client.readResource({ uri: 'trtc://regions' })).contents[0] as { text: string }).text);
    expect(regions.regions.find((r: { region: string }) => r.region === 'ap-singapore').tools).toContain('DismissRoom');
    const codes = JSON.parse(((await client.readResource({ uri: 'trtc://error-codes' })).contents[0] as { text: string }).text);
    expect(codes.codes.find((c: { code: string }) => c.code === 'FailedOperation.RoomNotExist')).toMatchObject({
      meaning: 'The operation could not be carried out: room not exist.',
      tools: expect.arrayContaining(['DismissRoom', 'RemoveUser']),
    });
    // Every code has a meaning of its own, the REST APIs' numeric codes included.
    for (const c of codes.codes as Array<{ code: string; meaning: string }>) expect(c.meaning, c.code).toMatch(/^.+: .+\.$|^[A-Z][^:]+\.$/);
    expect(new Set(codes.codes.map((c: { meaning: string }) => c.meaning)).has('Error.')).toBe(false);
    expect(codes.codes.filter((c: { code: string }) => /^10000[1-6]$/.test(c.code)).map((c: { code: string; meaning: string }) => [c.code, c.meaning])).toEqual([
      ['100001', 'Tencent had an internal error; a retry may succeed.'],
      ['100002', 'A parameter is invalid; the error message says which.'],
      ['100003', 'The room ID is already taken.'],
      ['100004', 'The room does not exist, or has been dismissed.'],
      ['100005', 'The user is not a member of the room.'],
      ['100006', 'Not permitted: the account lacks the right, or the room is of the other type (Live or Conference).'],
    ]);
    const events = JSON.parse(((await client.readResource({ uri: 'trtc://event-ids' })).contents[0] as { text: string }).text);
    expect(events.userEvents).toEqual(expect.arrayContaining([
      { eventId: 7001, source: 'sdk', byParamOne: { 0: 'Left the room normally', 1: 'Left the room: connection timed out', 2: 'Left the room: removed (kicked out)' } },
      { eventId: 4003, source: 'sdk', meaning: 'Video resolution changed to {ParamOne}x{ParamTwo}' },
      { eventId: 32788, source: 'web', meaning: 'Joined the room' },
    ]));
    const types = JSON.parse(((await client.readResource({ uri: 'trtc://datatypes' })).contents[0] as { text: string }).text);
    for (const name of ['RecordParams', 'StorageParams', 'MixLayoutParams', 'AgentConfig', 'STTConfig', 'TranscriptionParams', 'ServerPushText', 'McuVideoParams']) {
      expect(types[name], name).toMatchObject({ type: 'object', properties: expect.any(Object) });
    }
    expect(types.AgentConfig.required).toEqual(expect.arrayContaining(['UserId', 'UserSig', 'TargetUserId']));
    await expect(client.readResource({ uri: 'trtc://nothing' })).rejects.toThrow(/Resource not found/);
  });

  it('shows the sandbox world only in sandbox mode', async () => {
    const real = await connect();
    expect((await real.listResources()).resources.map((r) => r.uri)).not.toContain('trtc://sandbox/world');
    const c = await connectStdio(['--sandbox'], cleanEnv());
    conns.push(c);
    const world = JSON.parse(((await c.client.readResource({ uri: 'trtc://sandbox/world' })).contents[0] as { text: string }).text);
    expect(world.apps[0].rooms.map((r: { roomId: unknown }) => r.roomId)).toContain(1234);
  });
});
