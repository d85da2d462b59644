// Every answer Tencent may give reaches a validating MCP client (the SDK's Client checks structuredContent
// against the listed outputSchema): each documented example response of every Cloud API action, an answer with
// nothing but a RequestId, and an answer that breaks the documented types. The sandbox replays each body as is.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { servedOn, SITES, type Site } from '../tools/define.js';
import { CATALOG, type ToolDef } from '../tools/index.js';
import examples from './fixtures/seed-examples.json' with { type: 'json' };
import { cloudRequests, connectStdio, sandboxEnv, text, withSandbox, type Connected } from './helpers.js';
import { minimal, recentWindow } from './tool-args.js';

type Json = Record<string, any>;
const APP = 1400000001;
/** Where a documented example request is itself wrong. */
const FIXES: Record<string, Json> = {
  // RoomIdType 1 means a numeric room in StartStreamIngest, and the example's room is a string.
  StartStreamIngest: { RoomIdType: 0 },
  // The example's bot listens to itself (UserId and TargetUserId both "abc"), which the server refuses.
  StartAITranscription: { TranscriptionParams: { UserId: 'abc', UserSig: 'abc', MaxIdleTime: 60, TranscriptionMode: 1, TargetUserId: 'speaker' } },
  // Actions without a documented example whose rules span several members.
  CreateAudioModerationSync: { FileUrl: 'https://example.com/clip.wav' },
  CreateLiveStreamModeration: { Input: { Url: 'rtmp://push.example.com/live/show' } },
  DescribeWebRecord: { RecordId: 'board-1' },
  StartWebRecord: { RecordUrl: 'https://example.com/whiteboard', StorageParams: { CloudVod: { TencentVod: { MediaType: 0 } } } },
  RegisterVoicePrint: { AudioFormat: 0 },
};
/** Actions whose window is not declared as one (account statistics by ISO time): the last ten minutes. */
const STATISTICS = ['DescribeTRTCAIRecognitionUsage', 'DescribeTRTCDedicatedCloudAccUsage', 'DescribeTRTCSegmentModerationUsage'];
const EXAMPLES = examples.actions as Record<string, Array<{ input: Json; output: { Response: Json } }>>;
const CLOUD = CATALOG.filter((d) => d.api.kind === 'cloud');

/** A sandbox playing one Tencent Cloud site, and the server on it with a validating client. */
interface SiteServer {
  sb: Sandbox;
  conn: Connected;
}

describe('every answer Tencent may give, through a validating client', () => {
  const servers = {} as Record<Site, SiteServer>;
  const inputSchemas = new Map<string, Json>();
  /** Each action is asked of a server on a site that offers it. */
  const on = (def: ToolDef) => servers[servedOn(def.api, 'intl') ? 'intl' : 'cn'];

  beforeAll(async () => {
    for (const site of SITES) {
      const sb = await withSandbox({ site });
      // Everything listed, so the client holds every output schema; consent would stop writes before the wire, and
      // DescribeTrtcRoomUsage's documented rate (once per 15 s) the second call of it.
      const conn = await connectStdio(['--site', site, '--toolsets', 'all', '--dangerously-skip-consent', '--rate-limit-scale', '100'], sandboxEnv(sb));
      servers[site] = { sb, conn };
      for (const t of (await conn.client.listTools()).tools) inputSchemas.set(t.name, t.inputSchema);
    }
  });
  afterAll(async () => {
    for (const { conn, sb } of Object.values(servers)) {
      await conn.close();
      await sb.close();
    }
  });

  /**
   * Arguments that pass the server's checks: the docs' example request, else the fewest the schema requires; with
   * the times moved to now, the app made the configured one, and LLM and TTS settings as the objects agents pass.
   */
  const argsFor = (def: ToolDef): Json => {
    const args: Json = { ...(EXAMPLES[def.name]?.[0]?.input ?? (minimal(inputSchemas.get(def.name)!) as Json)), ...recentWindow(def), ...FIXES[def.name] };
    if (STATISTICS.includes(def.name)) Object.assign(args, { StartTime: new Date(Date.now() - 600_000).toISOString(), EndTime: new Date().toISOString() });
    for (const field of ['SdkAppId', 'SdkAppid']) if (field in args) args[field] = APP;
    for (const field of ['LLMConfig', 'TTSConfig']) {
      // Some examples hold a placeholder rather than JSON (where the setting is optional): left out.
      if (typeof args[field] === 'string') {
        if (/^\s*\{/.test(args[field])) args[field] = JSON.parse(args[field]);
        else delete args[field];
      }
    }
    return args;
  };

  /** Calls the tool with the sandbox answering `body` as it is; returns the result the client accepted. */
  const replayed = async (def: ToolDef, body: unknown) => {
    const { sb, conn } = on(def);
    const client: Client = conn.client;
    const before = cloudRequests(sb, def.name).length;
    sb.faults.inject({ kind: 'replay', action: def.name, body });
    const result = await client.callTool({ name: def.name, arguments: argsFor(def) }).finally(() => sb.faults.clear());
    // The call reached the sandbox, which answered with the body.
    expect(cloudRequests(sb, def.name).length - before, text(result)).toBe(1);
    expect(sb.faults.list()).toEqual([]);
    return result;
  };

  const cases = CLOUD.flatMap((def) => [
    ...(EXAMPLES[def.name] ?? []).map((e, i) => [`${def.name}: the documented example ${i + 1}`, def, e.output] as const),
    [`${def.name}: an answer with only a RequestId`, def, { Response: { RequestId: `only-${def.name}` } }] as const,
  ]);

  it('covers every Cloud API action, and every example the reference documents', () => {
    expect(CLOUD.length).toBeGreaterThanOrEqual(40);
    for (const action of Object.keys(EXAMPLES)) expect(CLOUD.map((d) => d.name)).toContain(action);
    expect(cases.length).toBe(CLOUD.length + Object.values(EXAMPLES).flat().length);
  });

  it.each(cases)('%s', async (_label, def, body) => {
    const result = await replayed(def, body);
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ RequestId: body.Response.RequestId });
    expect(text(result)).not.toContain('do not match the documented output');
  });

  it('keeps structuredContent within the output schema when an answer breaks the documented types, and loses nothing', async () => {
    const def = CLOUD.find((d) => d.name === 'DescribeRoomInfo')!;
    const body = {
      Response: {
        Total: 'two',
        RoomList: [
          { CommId: '1400000001_1234_1700000000', RoomString: '1234', CreateTime: 1700000000, IsFinished: 'no' },
          { CommId: 42, RoomString: 'abcd' },
        ],
        RequestId: 'odd-types',
      },
    };
    // The client validates structuredContent against the listed schema, and would throw if it did not match.
    const result = await replayed(def, body);
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      RequestId: 'odd-types',
      RoomList: [{ CommId: '1400000001_1234_1700000000', RoomString: '1234', CreateTime: 1700000000 }, { RoomString: 'abcd' }],
    });
    expect(result.structuredContent).not.toHaveProperty('Total');
    expect(JSON.stringify(result.structuredContent)).not.toMatch(/"IsFinished"|"CommId":42/);
    // What was left out is in the text, as it came.
    expect(text(result)).toContain('These fields of the answer do not match the documented output');
    expect(text(result)).toMatch(/- Total \(.*\): "two"/);
    expect(text(result)).toMatch(/- RoomList\[0\]\.IsFinished \(.*\): "no"/);
    expect(text(result)).toMatch(/- RoomList\[1\]\.CommId \(.*\): 42/);
    expect(on(def).conn.stderr()).toContain('response does not match the documented output');
  });

  it('publishes output schemas that require no field, keeping each documented type', async () => {
    const tools = (await Promise.all(SITES.map(async (site) => (await servers[site].conn.client.listTools()).tools))).flat();
    const required = (s: Json): string[] => [
      ...(s.required ?? []),
      ...Object.values((s.properties ?? {}) as Record<string, Json>).flatMap(required),
      ...(s.items ? required(s.items) : []),
    ];
    for (const t of tools.filter((t) => CATALOG.some((d) => d.name === t.name))) expect(required(t.outputSchema ?? {}), t.name).toEqual([]);
    const status = tools.find((t) => t.name === 'DescribeAIConversation')!.outputSchema!.properties!.Status as Json;
    expect(status).toEqual({ type: 'string', description: 'Known values: Idle, Preparing, InProgress, Stopped' });
  });
});
