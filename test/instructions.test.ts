// What the server tells the agent holds on the server it runs: on both sites and for every tool list an operator can
// choose, each tool the instructions and prompts name is listed, or introduced as reached through call_tool and
// callable there. An unlisted tool named bare costs the agent a turn (a -32602 error); one of the other site, a step.
import { readFileSync } from 'node:fs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLSETS } from '../tools/define.js';
import { loadConfig } from '../src/config.js';
import { selectTools } from '../src/guardrails/exposure.js';
import { createLogger } from '../src/log.js';
import { createContext, type RuntimeContext } from '../src/server/context.js';
import { createCore } from '../src/server/core.js';
import type { ManifestTool } from '../src/server/tool-list.js';
import { cleanEnv, connectStdio, text } from './helpers.js';

const MANIFEST: ManifestTool[] = JSON.parse(readFileSync(new URL('../dist/manifest.json', import.meta.url), 'utf8'));
const NAMES = MANIFEST.map((t) => t.name);
const VIA_CALL_TOOL = 'call_tool with name "';

/** Every prompt with arguments that work, for a numeric and a string room. */
const PROMPT_ARGS: Array<[string, Record<string, string>]> = [
  ['moderate_room', { roomId: '1234', userId: 'carol' }],
  ['moderate_room', { roomId: 'class-101' }],
  ['ai_conversation_bot', { roomId: 'helpdesk', targetUserId: 'dana' }],
  ['ai_conversation_bot', { roomId: '1234', targetUserId: 'carol' }],
  ['diagnose_call_quality', { userId: 'carol', roomId: '1234' }],
  ['usage_report', { start: '2026-01-01', end: '2026-01-02' }],
];

/** Each mention of a tool in `body`: the name, and whether it is introduced as reached through call_tool. */
function mentions(body: string): Array<{ name: string; viaCallTool: boolean }> {
  return NAMES.flatMap((name) =>
    [...body.matchAll(new RegExp(`(?<![\\w.])${name}(?![\\w])`, 'g'))].map((m) => ({ name, viaCallTool: body.slice(0, m.index).endsWith(VIA_CALL_TOOL) })),
  );
}

/** What a server shows its agent: over MCP (a client), or its core in this process. */
interface Surface {
  listed: ReadonlySet<string>;
  instructions: string;
  prompt(name: string, args: Record<string, string>): Promise<GetPromptResult> | GetPromptResult;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
}

const overMcp = async (client: Client): Promise<Surface> => ({
  listed: new Set((await client.listTools()).tools.map((t) => t.name)),
  instructions: client.getInstructions() ?? '',
  prompt: (name, args) => client.getPrompt({ name, arguments: args }),
  call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
});

/** What one server tells its agent, and which of the tools it names it cannot reach as named. */
async function audit(surface: Surface): Promise<{ texts: string[]; problems: string[] }> {
  const { listed } = surface;
  const texts = [surface.instructions];
  for (const [name, args] of PROMPT_ARGS) texts.push(((await surface.prompt(name, args)).messages[0]!.content as { text: string }).text);
  const problems: string[] = [];
  const throughCallTool = new Set<string>();
  for (const [i, body] of texts.entries()) {
    const where = i === 0 ? 'instructions' : `prompt ${PROMPT_ARGS[i - 1]![0]}`;
    for (const m of mentions(body)) {
      if (m.viaCallTool) throughCallTool.add(m.name);
      else if (!listed.has(m.name)) problems.push(`${where} names ${m.name}, which is not listed and not introduced as reached through call_tool`);
    }
  }
  if (throughCallTool.size && !listed.has('call_tool')) problems.push('names tools to reach through call_tool, which is not listed');
  for (const name of throughCallTool) {
    const described = await surface.call('describe_tool', { name });
    const doc = described.isError ? undefined : (JSON.parse((described.content as Array<{ text: string }>)[0]!.text) as { unavailable?: string });
    if (!doc || doc.unavailable) problems.push(`${name} is named through call_tool but cannot be called here: ${doc?.unavailable ?? text(described)}`);
  }
  return { texts, problems };
}

/** Tool lists an operator can choose, cheap to enumerate: the default, everything, single toolsets, mixes, and narrowing settings. */
const CHOICES: string[][] = [
  [],
  ['--toolsets', 'all'],
  ['--toolsets', 'room'],
  ['--toolsets', 'usage'],
  ['--toolsets', 'ai,events'],
  ['--toolsets', 'record,moderation', '--tools', 'DescribeRoomInfo'],
  ['--read-only'],
  ['--toolsets', 'all', '--read-only'],
  ['--deny-tools', 'RemoveUser,RemoveUserByStrRoomId,list_events'],
  ['--toolsets', 'room', '--dangerously-skip-consent'],
];

describe.each(['intl', 'cn'] as const)('on the %s site, the instructions and prompts name only what the agent can reach as named', (site) => {
  it.each(CHOICES.map((c) => [c.join(' ') || '(default)', c] as const))('%s', async (_label, choice) => {
    // The in-process sandbox over stdio receives TRTC's callbacks, so the instructions speak of events.
    const conn = await connectStdio(['--sandbox', '--site', site, ...choice], cleanEnv());
    try {
      const { texts, problems } = await audit(await overMcp(conn.client));
      expect(problems).toEqual([]);
      // The instructions say RoomIdType varies, and never state one convention for every tool.
      expect(texts[0]).toContain('RoomIdType does not mean the same everywhere');
      expect(texts.join('\n')).not.toMatch(/RoomIdType 1 instead/);
      if (site === 'cn') for (const body of texts) expect(body).not.toMatch(/SetUserBlocked/);
      // The prompt list promises only what this server can do: muting is an international-site action.
      const moderate = (await conn.client.listPrompts()).prompts.find((p) => p.name === 'moderate_room')!.description;
      if (site === 'cn' || choice.includes('--read-only')) expect(moderate).not.toMatch(/mute/);
    } finally {
      await conn.close();
    }
  });
});

describe('every single toolset, on both sites, by the server core in this process', () => {
  let runtime: RuntimeContext;
  beforeAll(async () => {
    const config = loadConfig(['--sandbox', '--store', 'memory', '--log-level', 'error'], {});
    runtime = await createContext(config, createLogger({ level: config.logLevel, format: config.logFormat }));
    // As when TRTC's callbacks reach the server: the instructions then speak of the event tools.
    runtime.ctx.events!.receiving = 'http://127.0.0.1:9/callbacks';
  });
  afterAll(() => runtime.close());

  it.each((['intl', 'cn'] as const).flatMap((site) => TOOLSETS.map((set) => [site, set] as const)))('%s, --toolsets %s', async (site, set) => {
    const config = loadConfig(['--sandbox', '--store', 'memory', '--site', site, '--toolsets', set], {});
    const ctx = { ...runtime.ctx, config: { ...runtime.ctx.config, site: config.site, toolsets: config.toolsets } };
    const core = createCore(ctx, selectTools(MANIFEST, ctx.config), MANIFEST);
    const surface: Surface = {
      listed: new Set((await core.listTools()).tools.map((t) => t.name)),
      instructions: core.instructions,
      prompt: (name, args) => core.getPrompt(name, args),
      call: (name, args) => core.callTool(name, args, {}, async () => undefined),
    };
    expect((await audit(surface)).problems).toEqual([]);
  });
});

describe('the checks above can fail', () => {
  it('finds a bare unlisted tool, and accepts one introduced through call_tool', () => {
    const found = mentions('use list_events, then call_tool with name "wait_for_events"');
    expect(found).toContainEqual({ name: 'list_events', viaCallTool: false });
    expect(found).toContainEqual({ name: 'wait_for_events', viaCallTool: true });
    expect(mentions('SetUserBlockedByStrRoomId').map((m) => m.name)).toEqual(['SetUserBlockedByStrRoomId']);
  });

  it('the default list leaves the event tools out, and the instructions reach them through call_tool', async () => {
    const conn = await connectStdio(['--sandbox'], cleanEnv());
    try {
      const listed = (await conn.client.listTools()).tools.map((t) => t.name);
      expect(listed).not.toContain('list_events');
      expect(conn.client.getInstructions()).toContain(`${VIA_CALL_TOOL}list_events" and ${VIA_CALL_TOOL}wait_for_events" show users entering and leaving`);
      const events = await conn.client.callTool({ name: 'call_tool', arguments: { name: 'list_events', arguments: {} } });
      expect(events.isError, text(events)).toBeFalsy();
    } finally {
      await conn.close();
    }
  });
});

describe('RoomIdType, as the instructions describe it', () => {
  /** The kinds of action the instructions name for each reading of RoomIdType, by toolset. */
  const ZERO_IS_NUMERIC = ['ai', 'transcription', 'relay'];
  const ZERO_IS_STRING = ['record', 'ingest', 'moderation', 'slice'];

  it("matches every tool's own description of the field", () => {
    const withField = MANIFEST.filter((t) => (t.inputSchema.properties as Record<string, unknown> | undefined)?.RoomIdType);
    expect(withField.length).toBeGreaterThanOrEqual(8);
    for (const t of withField) {
      const description = ((t.inputSchema.properties as Record<string, { description?: string }>).RoomIdType!.description ?? '');
      const expected = ZERO_IS_NUMERIC.includes(t.toolset) ? /^0 numeric room/ : ZERO_IS_STRING.includes(t.toolset) ? /^0 string room/ : undefined;
      expect(expected, `${t.name} (${t.toolset}) is in a kind of action the instructions name`).toBeDefined();
      expect(description, t.name).toMatch(expected!);
    }
  });
});
