// OpenTelemetry export, end to end: the real server (dist/cli.js) exports to an OTLP/HTTP collector the test runs on
// loopback (test/otlp.ts decodes OTLP/JSON). The moderation story forms one trace from the client's traceparent in
// _meta to Tencent's RequestId in the sandbox; metrics carry the story's counts; nothing personal is exported unless
// the operator opts in; every era and transport gets server spans; callbacks are counted; a collector that is down
// neither fails nor holds up a call and is reported once. Exports are captured for the suite's secret sweep.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/config.js';
import { signCallback } from '../src/events/signature.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { DEFAULT_WORLD } from '../src/sandbox/world.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { signalsWanted } from '../src/telemetry/index.js';
import { cleanEnv, CLI, cloudRequests, confirmationTokenOf, connectHttp, connectStdio, rememberSecret, sandboxEnv, spawnHttp, text, waitForLog, withSandbox, type Connected, type SpawnedHttp } from './helpers.js';
import { connectModernHttp, connectModernStdio, envelope, post } from './modern.js';
import { connectTasks } from './tasks.js';
import { Collector, randomId, SPAN_KIND, traceparent, type ExportedSpan } from './otlp.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const LOAD_LOG = fileURLToPath(new URL('./fixtures/load-log.mjs', import.meta.url));
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const COLLECTOR_KEY = `collector-key-${randomId(12)}`;
rememberSecret(COLLECTOR_KEY);

/** The environment that exports to `collector` quickly (small batching delays), as OTLP/JSON. */
const otelEnv = (collector: Collector, extra: Record<string, string> = {}) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${COLLECTOR_KEY}`,
  OTEL_BSP_SCHEDULE_DELAY: '50',
  OTEL_METRIC_EXPORT_INTERVAL: '200',
  ...extra,
});

let sb: Sandbox;
let collector: Collector;
let conn: Connected | undefined;
beforeEach(async () => {
  sb = await withSandbox();
  collector = await Collector.start();
});
afterEach(async () => {
  await conn?.close();
  conn = undefined;
  await collector.close();
  await sb.close();
});

/** The server span of the call made with client span `spanId`, once exported. */
const serverSpanOf = (traceId: string, spanId: string) =>
  collector.waitFor(`the server span under ${spanId}`, () => collector.spans().find((s) => s.traceId === traceId && s.parentSpanId === spanId && s.kind === SPAN_KIND.server));

/** Every attribute value of a span, as text, for checks that nothing personal was exported. */
const values = (spans: ExportedSpan[]) => spans.flatMap((s) => [...Object.values(s.attributes), ...s.events.flatMap((e) => Object.values(e.attributes))].flat().map(String));

describe('the moderation story as one trace', () => {
  it('joins the client\'s trace from _meta and reaches Tencent\'s RequestId, with the counts in the metrics', async () => {
    conn = await connectStdio([], sandboxEnv(sb, otelEnv(collector)));
    const traceId = randomId(16);
    const callerSpans: string[] = [];
    const call = async (name: string, args: Record<string, unknown>) => {
      const spanId = randomId(8);
      callerSpans.push(spanId);
      return conn!.client.callTool({ name, arguments: args, _meta: { traceparent: traceparent(traceId, spanId) } });
    };

    const unusual = await call('DescribeUnusualEvent', { RoomId: '1234', StartTime: ago(3540), EndTime: ago(0) });
    const user = (unusual.structuredContent as { AbnormalExperienceList: Array<{ UserId: string }> }).AbnormalExperienceList[0]!.UserId;
    expect((await call('SetUserBlocked', { RoomId: 1234, UserId: user, IsMute: 1 })).isError).toBeFalsy();
    const preview = await call('RemoveUser', { RoomId: 1234, UserIds: [user] });
    const removed = await call('RemoveUser', { RoomId: 1234, UserIds: [user], confirmationToken: confirmationTokenOf(preview) });
    expect(removed.isError, text(removed)).toBeFalsy();
    const requestId = cloudRequests(sb, 'RemoveUser')[0]!.requestId!;
    expect(requestId).toBeTruthy();

    // One trace: each tool call's server span is the child of the client span that sent it, and every other span
    // descends from one of them.
    const trace = await collector.waitFor('the RemoveUser request', () => {
      const spans = collector.spans().filter((s) => s.traceId === traceId);
      return spans.some((s) => s.attributes['trtc.request_id'] === requestId && s.name === 'TRTC RemoveUser') && spans;
    });
    const servers = trace.filter((s) => s.kind === SPAN_KIND.server);
    expect(servers.map((s) => s.name)).toEqual(['tools/call DescribeUnusualEvent', 'tools/call SetUserBlocked', 'tools/call RemoveUser', 'tools/call RemoveUser']);
    expect(servers.map((s) => s.parentSpanId)).toEqual(callerSpans);
    const ids = new Set([...callerSpans, ...trace.map((s) => s.spanId)]);
    expect(trace.filter((s) => !ids.has(s.parentSpanId!))).toEqual([]);
    for (const s of servers) {
      expect(s.attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'gen_ai.operation.name': 'execute_tool', 'network.transport': 'pipe', 'mcp.protocol.version': expect.any(String) });
      expect(s.attributes['jsonrpc.request.id']).toMatch(/^\d+$/);
    }

    // The consented removal: the tool's steps under it, down to Tencent's answer.
    const removal = servers[3]!;
    const children = (parent: ExportedSpan) => trace.filter((s) => s.parentSpanId === parent.spanId);
    const [tool] = children(removal);
    expect(tool).toMatchObject({ name: 'execute_tool RemoveUser', attributes: { 'trtc.outcome': 'ok', 'trtc.effect': 'destructive', 'trtc.consent': 'token', 'trtc.request_id': requestId } });
    const steps = children(tool!);
    expect(steps.map((s) => s.name)).toEqual(expect.arrayContaining(['trtc.scope', 'trtc.consent', 'TRTC RemoveUser']));
    expect(steps.find((s) => s.name === 'trtc.consent')!.attributes).toMatchObject({ 'trtc.consent.channel': 'token', 'trtc.consent.outcome': 'granted' });
    expect(steps.find((s) => s.name === 'TRTC RemoveUser')).toMatchObject({
      kind: SPAN_KIND.client,
      attributes: {
        'trtc.api.family': 'cloud', 'trtc.api.action': 'RemoveUser', 'cloud.region': 'ap-singapore', 'trtc.site': 'intl',
        'http.response.status_code': 200, 'trtc.api.retries': 0, 'trtc.request_id': requestId,
      },
    });
    // The token was spent in the store, under the consent step.
    const consentStep = steps.find((s) => s.name === 'trtc.consent')!;
    expect(children(consentStep).map((s) => `${s.name} ${s.attributes['trtc.store.namespace']}`)).toContain('trtc.store claim spent-token');
    // The preview asked for consent and sent nothing.
    const previewTool = children(servers[2]!)[0]!;
    expect(previewTool.attributes).toMatchObject({ 'trtc.outcome': 'confirmation-required', 'trtc.consent': 'awaiting-token' });
    expect(children(previewTool).some((s) => s.name.startsWith('TRTC '))).toBe(false);
    expect(servers[2]!.attributes['error.type']).toBe('tool_error');

    // Nothing personal: the user and the room are in the arguments, never in what was exported.
    expect(values(collector.spans())).not.toContain(user);
    expect(values(collector.spans())).not.toContain('1234');
    expect(JSON.stringify(collector.spans())).not.toContain(user);
    expect(trace[0]!.resource).toMatchObject({ 'service.name': 'trtc-mcp', 'service.version': expect.any(String) });
    // The collector's key went with every export, and was never logged or exported (the sweep checks).
    expect(collector.received.every((r) => r.headers.authorization === `Bearer ${COLLECTOR_KEY}`)).toBe(true);

    // The metrics count the story. The last thing recorded is the answer to the removal: once it is exported, all is.
    await collector.waitFor('the story in the metrics', () =>
      collector.point('mcp.server.operation.duration', { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'RemoveUser', 'error.type': undefined }));
    const count = (name: string, match: Record<string, string>) => {
      const p = collector.point(name, match);
      return p?.count ?? p?.value;
    };
    expect(count('mcp.server.operation.duration', { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'RemoveUser', 'error.type': undefined as never })).toBe(1);
    expect(count('mcp.server.operation.duration', { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'RemoveUser', 'error.type': 'tool_error' })).toBe(1);
    expect(count('trtc.tool.calls', { 'gen_ai.tool.name': 'RemoveUser', 'trtc.outcome': 'confirmation-required' })).toBe(1);
    expect(count('trtc.tool.calls', { 'gen_ai.tool.name': 'RemoveUser', 'trtc.outcome': 'ok' })).toBe(1);
    expect(count('trtc.consent.decisions', { 'gen_ai.tool.name': 'RemoveUser', 'trtc.consent.channel': 'token', 'trtc.consent.outcome': 'asked' })).toBe(1);
    expect(count('trtc.consent.decisions', { 'gen_ai.tool.name': 'RemoveUser', 'trtc.consent.channel': 'token', 'trtc.consent.outcome': 'granted' })).toBe(1);
    expect(count('trtc.api.request.duration', { 'trtc.api.action': 'RemoveUser' })).toBe(1);
    expect(count('trtc.api.request.duration', { 'trtc.api.action': 'DescribeUnusualEvent' })).toBe(1);
    expect(count('trtc.store.operation.duration', { 'trtc.store.operation': 'claim' })).toBeGreaterThanOrEqual(1);
    expect(collector.point('mcp.server.operation.duration', { 'mcp.method.name': 'tools/call' })!.unit).toBe('s');
  });
});

describe('server spans in both eras, on every transport', () => {
  let srv: SpawnedHttp | undefined;
  afterEach(async () => {
    await srv?.stop();
    srv = undefined;
  });

  const lastHour = () => ({ StartTime: ago(3540), EndTime: ago(0) });

  it('over Streamable HTTP (legacy and 2026-07-28) and legacy SSE: parent from _meta, the HTTP traceparent as a link or as the parent', async () => {
    srv = await spawnHttp([], sandboxEnv(sb, otelEnv(collector)));
    const traceId = randomId(16);
    const meta = (spanId: string) => ({ traceparent: traceparent(traceId, spanId) });

    const legacy = await connectHttp(srv.url);
    const viaLegacy = randomId(8);
    await legacy.callTool({ name: 'DescribeRoomInfo', arguments: lastHour(), _meta: meta(viaLegacy) });
    const sessionId = (legacy.transport as StreamableHTTPClientTransport).sessionId!;
    await legacy.close();
    const sse = await connectHttp(srv.url, 'sse');
    const viaSse = randomId(8);
    await sse.callTool({ name: 'DescribeRoomInfo', arguments: lastHour(), _meta: meta(viaSse) });
    await sse.close();
    const modern = await connectModernHttp(srv.url);
    const viaModern = randomId(8);
    await modern.callTool({ name: 'DescribeRoomInfo', arguments: lastHour(), _meta: meta(viaModern) });
    await modern.close();

    const spans = { legacy: await serverSpanOf(traceId, viaLegacy), sse: await serverSpanOf(traceId, viaSse), modern: await serverSpanOf(traceId, viaModern) };
    for (const s of Object.values(spans)) {
      expect(s).toMatchObject({ name: 'tools/call DescribeRoomInfo', attributes: { 'network.transport': 'tcp', 'network.protocol.name': 'http', 'gen_ai.tool.name': 'DescribeRoomInfo' } });
    }
    expect(spans.modern.attributes['mcp.protocol.version']).toBe('2026-07-28');
    expect(spans.legacy.attributes['mcp.protocol.version']).toMatch(/^20\d\d-\d\d-\d\d$/);
    expect(spans.legacy.attributes['mcp.protocol.version']).not.toBe('2026-07-28');
    // A legacy session is named by a digest of its ID, never by the ID itself (which addresses the session).
    expect(spans.legacy.attributes['mcp.session.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(values(collector.spans())).not.toContain(sessionId);
    expect(spans.modern.attributes['mcp.session.id']).toBeUndefined();

    // The HTTP request's own traceparent: a link beside _meta's parent, or the parent when _meta has none.
    const httpSpan = randomId(8);
    const metaSpan = randomId(8);
    const call = (extraMeta: Record<string, unknown>) =>
      post(srv!.url, 'tools/call', { name: 'DescribeRoomInfo', arguments: lastHour(), _meta: envelope({}, extraMeta) }, { traceparent: traceparent(traceId, httpSpan) });
    expect((await call(meta(metaSpan))).status).toBe(200);
    expect((await serverSpanOf(traceId, metaSpan)).links).toEqual([{ traceId, spanId: httpSpan }]);
    expect((await call({})).status).toBe(200);
    expect((await serverSpanOf(traceId, httpSpan)).links).toEqual([]);

    // Metrics by method, whatever the era.
    await collector.waitFor('the modern call in the metrics', () => collector.point('mcp.server.operation.duration', { 'mcp.protocol.version': '2026-07-28', 'gen_ai.tool.name': 'DescribeRoomInfo' }));
  });

  it('over stdio in the 2026-07-28 era, with prompts and resources named as the conventions say and event URIs without their room', async () => {
    const agree = () => ({ action: 'accept' as const, content: { confirm: '999999' } });
    const modern = await connectModernStdio(['--toolsets', 'room,events'], sandboxEnv(sb, otelEnv(collector)), { elicit: agree });
    onTestFinished(() => modern.close());
    const traceId = randomId(16);
    const [toolSpan, promptSpan, resourceSpan] = [randomId(8), randomId(8), randomId(8)];
    const app = DEFAULT_WORLD.apps[0]!.sdkAppId;
    await modern.client.callTool({ name: 'DismissRoom', arguments: { RoomId: 999_999 }, _meta: { traceparent: traceparent(traceId, toolSpan) } });
    await modern.client.getPrompt({ name: 'moderate_room', arguments: { roomId: '1234' }, _meta: { traceparent: traceparent(traceId, promptSpan) } });
    await modern.client.readResource({ uri: `trtc://apps/${app}/rooms/1234/events`, _meta: { traceparent: traceparent(traceId, resourceSpan) } });

    expect(await serverSpanOf(traceId, toolSpan)).toMatchObject({ name: 'tools/call DismissRoom', attributes: { 'network.transport': 'pipe', 'mcp.protocol.version': '2026-07-28' } });
    expect(await serverSpanOf(traceId, promptSpan)).toMatchObject({ name: 'prompts/get moderate_room', attributes: { 'gen_ai.prompt.name': 'moderate_room', 'mcp.method.name': 'prompts/get' } });
    expect(await serverSpanOf(traceId, resourceSpan)).toMatchObject({
      name: 'resources/read',
      attributes: { 'mcp.method.name': 'resources/read', 'mcp.resource.uri': `trtc://apps/${app}/rooms/{RoomId}/events` },
    });
    // 2026-07-28 consent asks in the call's result (input_required), and the retry brings the answer.
    const consent = (outcome: string) => collector.point('trtc.consent.decisions', { 'gen_ai.tool.name': 'DismissRoom', 'trtc.consent.channel': 'elicitation', 'trtc.consent.outcome': outcome })?.value;
    await collector.waitFor('the answered consent', () => consent('granted'));
    expect([consent('asked'), consent('granted')]).toEqual([1, 1]);
    expect(values(collector.spans())).not.toContain('1234');
  });

  it('keeps names the server refused out of span names and metrics, which must not grow with what clients send', async () => {
    conn = await connectStdio([], sandboxEnv(sb, otelEnv(collector)));
    const traceId = randomId(16);
    const [unknown, odd] = [randomId(8), randomId(8)];
    await expect(conn.client.callTool({ name: 'RemoveUsr', arguments: {}, _meta: { traceparent: traceparent(traceId, unknown) } })).rejects.toThrow(/RemoveUsr/);
    await expect(conn.client.callTool({ name: 'carol@example.com wants out', arguments: {}, _meta: { traceparent: traceparent(traceId, odd) } })).rejects.toThrow();
    // The span, one event among many, keeps a plausible name as the agent sent it; a name MCP does not allow is left out.
    for (const [spanId, name] of [[unknown, 'RemoveUsr'], [odd, undefined]] as const) {
      const span = await serverSpanOf(traceId, spanId);
      expect(span).toMatchObject({ name: 'tools/call', attributes: { 'error.type': '-32602', 'rpc.response.status_code': '-32602' } });
      expect(span.attributes['gen_ai.tool.name']).toBe(name);
    }
    // Both refused calls in one series, with no tool name (an export may come between them: wait for both).
    const refused = await collector.waitFor('both refused calls in the metrics', () => {
      const p = collector.point('mcp.server.operation.duration', { 'mcp.method.name': 'tools/call', 'error.type': '-32602' });
      return p?.count === 2 && p;
    });
    expect(refused.attributes['gen_ai.tool.name']).toBeUndefined();
    expect(collector.metrics('mcp.server.operation.duration').filter((p) => p.attributes['error.type'] === '-32602')).toHaveLength(1);
  });

  it('gives a legacy client\'s elicitation a client span under the consent step', async () => {
    srv = await spawnHttp([], sandboxEnv(sb, otelEnv(collector)));
    const client = await connectHttp(srv.url, 'streamable', {}, () => ({ action: 'accept', content: { confirm: '999999' } }));
    const traceId = randomId(16);
    const caller = randomId(8);
    const r = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 999_999 }, _meta: { traceparent: traceparent(traceId, caller) } });
    await client.close();
    expect(text(r)).toContain('FailedOperation.RoomNotExist');
    const elicit = await collector.waitFor('the elicitation', () => collector.spans().find((s) => s.traceId === traceId && s.name === 'elicitation/create'));
    const consent = collector.spans().find((s) => s.spanId === elicit.parentSpanId)!;
    expect(consent).toMatchObject({ name: 'trtc.consent', attributes: { 'trtc.consent.channel': 'elicitation', 'trtc.consent.outcome': 'granted' } });
    expect(elicit).toMatchObject({ kind: SPAN_KIND.client, attributes: { 'mcp.method.name': 'elicitation/create' } });
    const api = await collector.waitFor('the failed API call', () => collector.spans().find((s) => s.traceId === traceId && s.name === 'TRTC DismissRoom'));
    expect(api.attributes).toMatchObject({ 'error.type': 'FailedOperation.RoomNotExist', 'trtc.error.code': 'FailedOperation.RoomNotExist', 'trtc.request_id': expect.any(String) });
    expect(api.status.code).toBe(2);
  });
});

describe('scope decisions', () => {
  it('shows a target placed by a lookup, then by the ledger, and a refusal, in spans and counts', async () => {
    // A store of its own: the ledger starts empty, whatever other tests placed.
    const store = mkdtempSync(`${tmpdir()}/trtc-telemetry-store-`);
    onTestFinished(() => rmSync(store, { recursive: true, force: true }));
    conn = await connectStdio(['--allow-rooms', '1234'], sandboxEnv(sb, otelEnv(collector, { TRTC_MCP_STORE: store })));
    const window = { StartTime: ago(3600), EndTime: ago(-60) };
    const rooms = await conn.client.callTool({ name: 'DescribeRoomInfo', arguments: { RoomId: '1234', ...window } });
    const { CommId } = (rooms.structuredContent as { RoomList: Array<{ CommId: string }> }).RoomList[0]!;
    const traceId = randomId(16);
    const [first, second, outside] = [randomId(8), randomId(8), randomId(8)];
    for (const spanId of [first, second]) {
      const r = await conn.client.callTool({ name: 'DescribeUserInfo', arguments: { CommId, ...window }, _meta: { traceparent: traceparent(traceId, spanId) } });
      expect(r.isError, text(r)).toBeFalsy();
    }
    const refused = await conn.client.callTool({ name: 'DismissRoom', arguments: { RoomId: 999 }, _meta: { traceparent: traceparent(traceId, outside) } });
    expect(text(refused)).toContain('Refused');

    const scopeUnder = async (spanId: string) => {
      const server = await serverSpanOf(traceId, spanId);
      const tool = await collector.waitFor('the tool span', () => collector.spans().find((s) => s.parentSpanId === server.spanId));
      const scope = collector.spans().find((s) => s.parentSpanId === tool.spanId && s.name === 'trtc.scope')!;
      return { tool, scope, steps: collector.spans().filter((s) => s.parentSpanId === scope.spanId).map((s) => s.name) };
    };
    const byLookup = await scopeUnder(first);
    expect(byLookup.scope.attributes).toMatchObject({ 'trtc.scope.decision': 'allowed', 'trtc.scope.resolved.lookup': 1, 'trtc.scope.resolved.ledger': 0 });
    expect(byLookup.steps).toEqual(expect.arrayContaining(['trtc.store get', 'TRTC DescribeRoomInfo', 'trtc.store put']));
    const byLedger = await scopeUnder(second);
    expect(byLedger.scope.attributes).toMatchObject({ 'trtc.scope.decision': 'allowed', 'trtc.scope.resolved.lookup': 0, 'trtc.scope.resolved.ledger': 1 });
    expect(byLedger.steps).not.toContain('TRTC DescribeRoomInfo');
    const byArgs = await scopeUnder(outside);
    expect(byArgs.scope.attributes['trtc.scope.decision']).toBe('refused');
    expect(byArgs.tool.attributes).toMatchObject({ 'trtc.outcome': 'refused:scope', 'error.type': 'refused:scope' });

    await collector.waitFor('the refusal in the metrics', () => collector.point('trtc.refusals', { 'trtc.refusal.reason': 'scope' }));
    expect(collector.point('trtc.refusals', { 'trtc.refusal.reason': 'scope', 'gen_ai.tool.name': 'DismissRoom' })!.value).toBe(1);
    expect(collector.point('trtc.scope.resolutions', { 'trtc.scope.resolved_by': 'lookup' })!.value).toBe(1);
    expect(collector.point('trtc.scope.resolutions', { 'trtc.scope.resolved_by': 'ledger' })!.value).toBe(1);
    expect(values(collector.spans())).not.toContain(CommId);
  });
});

describe('the default encoding', () => {
  it('exports OTLP/protobuf to /v1/traces and /v1/metrics when no protocol is set', async () => {
    const { OTEL_EXPORTER_OTLP_PROTOCOL: _json, ...protobuf } = otelEnv(collector);
    conn = await connectStdio([], sandboxEnv(sb, protobuf));
    await conn.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: ago(3540), EndTime: ago(0) } });
    // Protobuf carries strings as they are: the span's name is in the body.
    await collector.waitFor('the call in a protobuf trace export', () =>
      collector.received.find((r) => r.path === '/v1/traces' && r.body.toString('latin1').includes('tools/call DescribeRoomInfo')));
    await collector.waitFor('a protobuf metrics export', () => collector.received.find((r) => r.path === '/v1/metrics'));
    expect(collector.received.map((r) => r.contentType)).toEqual(collector.received.map(() => 'application/x-protobuf'));
  });
});

describe('a Tencent API request that is retried', () => {
  it('counts the retries and keeps the status and RequestId of the attempt that answered', async () => {
    conn = await connectStdio([], sandboxEnv(sb, otelEnv(collector)));
    sb.faults.inject({ kind: 'http5xx', action: 'DescribeRoomInfo', times: 1 });
    const traceId = randomId(16);
    const r = await conn.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: ago(3540), EndTime: ago(0) }, _meta: { traceparent: traceparent(traceId, randomId(8)) } });
    expect(r.isError, text(r)).toBeFalsy();
    const answered = cloudRequests(sb, 'DescribeRoomInfo').at(-1)!.requestId;
    const api = await collector.waitFor('the API span', () => collector.spans().find((s) => s.traceId === traceId && s.name === 'TRTC DescribeRoomInfo'));
    expect(api.attributes).toMatchObject({ 'trtc.api.retries': 1, 'http.response.status_code': 200, 'trtc.request_id': answered });
    expect(api.attributes['error.type']).toBeUndefined();
  });
});

describe('what the operator opts into', () => {
  it('records the room and user IDs a call names with --otel-record-ids, and still no other argument', async () => {
    conn = await connectStdio(['--otel-record-ids'], sandboxEnv(sb, otelEnv(collector)));
    const traceId = randomId(16);
    await conn.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'carol', IsMute: 1 }, _meta: { traceparent: traceparent(traceId, randomId(8)) } });
    const tool = await collector.waitFor('the tool span', () => collector.spans().find((s) => s.traceId === traceId && s.name === 'execute_tool SetUserBlocked'));
    expect(tool.attributes).toMatchObject({ 'trtc.room.ids': ['1234'], 'trtc.user.ids': ['carol'], 'trtc.outcome': 'ok' });
    expect(Object.keys(tool.attributes).filter((k) => /IsMute|arguments/i.test(k))).toEqual([]);
  });
});

describe('TRTC callbacks', () => {
  it('counts callbacks stored, duplicated and refused (with the reason), each in a span with its store write', async () => {
    const key = `cbKey${randomId(12)}`;
    const srv = await spawnHttp([], sandboxEnv(sb, otelEnv(collector, { TRTC_CALLBACK_KEY: key })));
    try {
      const app = String(DEFAULT_WORLD.apps[0]!.sdkAppId);
      const body = JSON.stringify({ EventGroupId: 1, EventType: 103, CallbackTs: Date.now(), EventInfo: { RoomId: 1234, EventTs: Math.floor(Date.now() / 1000), UserId: 'alice', Role: 20 } });
      const send = (headers: Record<string, string>) => fetch(`${srv.url}/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json', SdkAppId: app, ...headers }, body });
      expect((await send({ Sign: signCallback(key, body) })).status).toBe(200);
      expect((await send({ Sign: signCallback(key, body) })).status).toBe(200);
      expect((await send({ Sign: signCallback('notTheKey', body) })).status).toBe(401);
      expect((await send({})).status).toBe(401);

      const count = (match: Record<string, string>) => collector.point('trtc.callbacks', match)?.value;
      await collector.waitFor('four callbacks in the metrics', () => count({ 'trtc.callback.outcome': 'refused', 'trtc.callback.refusal': 'unsigned' }));
      expect(count({ 'trtc.callback.outcome': 'stored', 'trtc.callback.event_group': 1 as never })).toBe(1);
      expect(count({ 'trtc.callback.outcome': 'duplicate' })).toBe(1);
      expect(count({ 'trtc.callback.outcome': 'refused', 'trtc.callback.refusal': 'forged' })).toBe(1);
      const stored = await collector.waitFor('the stored callback span', () => collector.spans().find((s) => s.name === 'trtc.callback' && s.attributes['trtc.callback.outcome'] === 'stored'));
      expect(stored).toMatchObject({ kind: SPAN_KIND.server, attributes: { 'trtc.app': Number(app), 'trtc.callback.event_type': 103 } });
      expect(collector.spans().filter((s) => s.parentSpanId === stored.spanId).map((s) => s.name)).toEqual(['trtc.store append']);
      // Room and user stay out without the operator's opt-in.
      expect(values(collector.spans())).not.toContain('alice');
    } finally {
      await srv.stop();
    }
  });
});

describe('TRTC jobs followed as MCP tasks', () => {
  it('gives every status change a span and counts the tasks by status: working, then completed once the bot is stopped', async () => {
    const key = `taskKey${randomId(12)}`;
    const srv = await spawnHttp(['--toolsets', 'all'], sandboxEnv(sb, otelEnv(collector, { TRTC_CALLBACK_KEY: key })));
    sb.callbacks.configure({ url: `${srv.url}/callbacks`, key });
    const tasks = await connectTasks(srv.url);
    const agent = await connectModernHttp(srv.url, { elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    try {
      const execution = await tasks.session.callTool('StartAIConversation', { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'otel-bot', TargetUserId: 'dana' } });
      expect(execution.kind).toBe('task');
      const changes = () => collector.spans().filter((s) => s.name === 'trtc.task.status');
      await collector.waitFor('the working span', () => changes().find((s) => s.attributes['trtc.task.status'] === 'working'));
      if (execution.kind !== 'task') return;
      const snapshot = await tasks.session.task(execution.handle.taskId).snapshot();
      const taskId = (snapshot.raw._meta as { job: { TaskId: string } }).job.TaskId;
      expect((await agent.callTool({ name: 'StopAIConversation', arguments: { TaskId: taskId } })).isError).toBeFalsy();
      const completed = await collector.waitFor('the completed span', () => changes().find((s) => s.attributes['trtc.task.status'] === 'completed'));
      expect(completed.attributes).toMatchObject({ 'trtc.task.previous_status': 'working', 'gen_ai.tool.name': 'StartAIConversation' });
      expect(changes().map((s) => s.attributes['trtc.task.status'])).toEqual(['working', 'completed']);
      // The counter counts entries into each status; the up-down counter leaves the task under its last status only.
      const point = (name: string, status: string) => collector.point(name, { 'trtc.task.status': status })?.value;
      await collector.waitFor('the completed count', () => point('trtc.tasks', 'completed') === 1);
      expect(point('trtc.task.status_changes', 'working')).toBe(1);
      expect(point('trtc.task.status_changes', 'completed')).toBe(1);
      expect(point('trtc.tasks', 'working')).toBe(0);
      // The bot's user and room stay out without the operator's opt-in.
      expect(values(collector.spans())).not.toContain('otel-bot');
    } finally {
      await tasks.close();
      await agent.close();
      await srv.stop();
    }
  });
});

describe('a collector that is down', () => {
  const calls = async (n: number) => {
    const results = [];
    for (let i = 0; i < n; i++) results.push(await conn!.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: ago(3540), EndTime: ago(0) } }));
    return results;
  };

  it('never holds up a call: calls complete while the export they produced is still waiting for an answer', async () => {
    collector.mode = 'hang';
    conn = await connectStdio([], sandboxEnv(sb, otelEnv(collector, { OTEL_EXPORTER_OTLP_TIMEOUT: '120000', OTEL_BSP_EXPORT_TIMEOUT: '120000', OTEL_METRIC_EXPORT_INTERVAL: '120000' })));
    const results = await calls(40);
    expect(results.filter((r) => r.isError)).toEqual([]);
    // The first batch of spans is still being sent, unanswered: the calls did not wait for it, and none started
    // another export of its own.
    await collector.waitFor('an export held open', () => collector.pending > 0);
    expect(collector.received.filter((r) => r.path === '/v1/traces')).toHaveLength(1);
    expect(conn.stderr()).not.toMatch(/telemetry cannot be exported/);
  });

  it('drops what it cannot send, from a bounded queue, says so once, and says when it can send again', async () => {
    collector.mode = 'unavailable';
    conn = await connectStdio([], sandboxEnv(sb, otelEnv(collector, { OTEL_EXPORTER_OTLP_TIMEOUT: '300', OTEL_BSP_MAX_QUEUE_SIZE: '8', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '8' })));
    const failed = /telemetry cannot be exported; tool calls go on, and what cannot be sent is dropped \(at most 8 spans wait\)/g;
    const results = await calls(40);
    expect(results.filter((r) => r.isError)).toEqual([]);
    await waitForLog(conn.stderr, failed);
    await collector.waitFor('several refused exports', () => collector.received.length >= 3);
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect(conn.stderr().match(failed)).toHaveLength(1);

    collector.mode = 'ok';
    await calls(5);
    await waitForLog(conn.stderr, /telemetry is exported again/);
    await collector.waitFor('spans after the outage', () => collector.spans().some((s) => s.name === 'tools/call DescribeRoomInfo'));
    expect(conn.stderr().match(failed)).toHaveLength(1);
    expect(conn.stderr().match(/telemetry is exported again/g)).toHaveLength(1);
  });
});

describe('off unless configured', () => {
  const otelChunks = () => readdirSync(DIST).filter((f) => f.endsWith('.js') && readFileSync(`${DIST}${f}`, 'utf8').includes('OTEL_BSP_MAX_QUEUE_SIZE'));

  it.each([
    ['without OTEL_* settings, loads none of the OpenTelemetry SDK', {}, false],
    ['with an endpoint but OTEL_SDK_DISABLED, loads none of it', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/', OTEL_SDK_DISABLED: 'true' }, false],
    ['with an endpoint, loads it', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/', OTEL_BSP_SCHEDULE_DELAY: '60000' }, true],
  ] as const)('%s', async (_what, env, loaded) => {
    const chunks = otelChunks();
    expect(chunks.length).toBeGreaterThan(0);
    const dir = mkdtempSync(`${tmpdir()}/trtc-loads-`);
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const log = `${dir}/loads.txt`;
    conn = await connectStdio([], sandboxEnv(sb, { ...env, NODE_OPTIONS: `--import=${LOAD_LOG}`, LOAD_LOG: log }));
    expect((await conn.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: ago(3540), EndTime: ago(0) } })).isError).toBeFalsy();
    const loads = readFileSync(log, 'utf8');
    expect(loads).toContain('/dist/cli.js');
    expect(chunks.some((c) => loads.includes(`/dist/${c}`))).toBe(loaded);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /Invalid setting OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json \(gRPC is not supported/],
    [{ OTEL_TRACES_EXPORTER: 'console' }, /Invalid setting OTEL_TRACES_EXPORTER: must be otlp or none/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /Invalid setting OTEL_EXPORTER_OTLP_ENDPOINT/],
  ])('refuses %o at start, with exit code 2', (env, message) => {
    const r = spawnSync(process.execPath, [CLI], { env: cleanEnv(env), encoding: 'utf8', input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [{}, []],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, ['traces', 'metrics']],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, ['traces']],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRICS_EXPORTER: 'none' }, ['traces']],
    [{ OTEL_METRICS_EXPORTER: 'otlp' }, ['metrics']],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, []],
    [{ OTEL_SERVICE_NAME: 'trtc', OTEL_RESOURCE_ATTRIBUTES: 'team=rtc' }, []],
  ])('exports %o as %o', (env, signals) => {
    expect(signalsWanted(loadConfig([], env))).toEqual(signals);
  });
});
