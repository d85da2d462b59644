// The 2026-07-28 protocol at the wire, with raw JSON-RPC over HTTP and stdio against the built server: the era
// decided per request on /mcp and per connection on stdio, server/discover, cache hints that are true, the
// standard headers checked against the body, admission in front of every request, our own portable tool list,
// and the shape of consent asked as an input_required result.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, connectHttp, spawnHttp, type SpawnedHttp } from './helpers.js';
import { envelope, post, REVISION } from './modern.js';

const HOUR = 3_600_000;
const FORMS = { elicitation: { form: {} } };

describe('/mcp in the 2026-07-28 era', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await spawnHttp(['--sandbox'], cleanEnv());
  });
  afterAll(() => srv.stop());
  const rpc = (method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}, caps: Record<string, unknown> = {}) =>
    post(srv.url, method, { ...params, _meta: envelope(caps) }, headers);

  it('answers server/discover without any session, with the server identity and a cache hint', async () => {
    const r = await rpc('server/discover');
    expect(r.status).toBe(200);
    expect(r.headers.get('mcp-session-id')).toBeNull();
    const { result } = r.messages[0]!;
    expect(result).toMatchObject({
      resultType: 'complete',
      supportedVersions: [REVISION],
      capabilities: { tools: {}, resources: {}, prompts: {}, logging: {} },
      instructions: expect.stringContaining('Operate Tencent RTC'),
      ttlMs: HOUR,
      cacheScope: 'public',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'trtc-mcp', version: expect.any(String) } },
    });
  });

  it('marks the lists and the reference resources public for an hour, and the sandbox world and event resources private and stale at once', async () => {
    for (const method of ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']) {
      const { result } = (await rpc(method)).messages[0]!;
      expect(result, method).toMatchObject({ resultType: 'complete', ttlMs: HOUR, cacheScope: 'public' });
    }
    const reference = (await rpc('resources/read', { uri: 'trtc://error-codes' })).messages[0]!.result;
    expect(reference).toMatchObject({ ttlMs: HOUR, cacheScope: 'public', contents: [{ uri: 'trtc://error-codes' }] });
    const world = (await rpc('resources/read', { uri: 'trtc://sandbox/world' })).messages[0]!.result;
    expect(world).toMatchObject({ ttlMs: 0, cacheScope: 'private', contents: [{ uri: 'trtc://sandbox/world' }] });
    // The event resources grow with every callback.
    const templates = (await rpc('resources/templates/list')).messages[0]!.result.resourceTemplates;
    expect(templates.map((t: { uriTemplate: string }) => t.uriTemplate)).toContain('trtc://apps/{SdkAppId}/rooms/{RoomId}/events');
    const events = (await rpc('resources/read', { uri: 'trtc://apps/1400000001/rooms/1234/events' })).messages[0]!.result;
    expect(events).toMatchObject({ ttlMs: 0, cacheScope: 'private', contents: [{ uri: 'trtc://apps/1400000001/rooms/1234/events' }] });
  });

  it('gives a client that renders MCP Apps a list of its own, private to it, with the console and its data tool', async () => {
    const UI = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
    const own = (await rpc('tools/list', {}, {}, UI)).messages[0]!.result;
    expect(own).toMatchObject({ resultType: 'complete', ttlMs: HOUR, cacheScope: 'private' });
    expect(own.tools.find((t: { name: string }) => t.name === 'room_console')._meta).toEqual({ ui: { resourceUri: 'ui://trtc/room-console', visibility: ['app'] } });
    expect(own.tools.find((t: { name: string }) => t.name === 'RemoveUser')._meta.ui).toEqual({ resourceUri: 'ui://trtc/room-console' });
    const shared = (await rpc('tools/list')).messages[0]!.result.tools;
    expect(shared.some((t: { name: string; _meta?: { ui?: unknown } }) => t.name === 'room_console' || t._meta?.ui)).toBe(false);
    const data = (await rpc('tools/call', { name: 'room_console', arguments: { RoomId: '1234' } }, {}, UI)).messages[0]!.result;
    expect(data.structuredContent).toMatchObject({ Room: { RoomId: '1234', RoomIdType: 0 }, Participants: expect.arrayContaining([expect.objectContaining({ UserId: 'carol', Verdict: 'POOR' })]) });
    const refused = (await rpc('tools/call', { name: 'room_console', arguments: { RoomId: '1234' } })).messages[0]!;
    expect(refused.error?.message).toMatch(/Unknown tool: room_console/);
  });

  it('lists exactly the tools the legacy era lists, with no $schema and no added integer bounds', async () => {
    const modern = (await rpc('tools/list')).messages[0]!.result.tools;
    const legacyClient = await connectHttp(srv.url);
    const { tools: legacy } = await legacyClient.listTools();
    await legacyClient.close();
    expect(modern).toEqual(legacy);
    const json = JSON.stringify(modern);
    expect(json).not.toContain('$schema');
    expect(json).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('refuses an Mcp-Method or Mcp-Name header that contradicts the body with 400 and -32020', async () => {
    const method = await rpc('tools/list', {}, { 'mcp-method': 'prompts/list' });
    expect(method.status).toBe(400);
    expect(method.messages[0]!.error).toMatchObject({ code: -32020 });
    const name = await rpc('tools/call', { name: 'DescribeRoomInfo', arguments: {} }, { 'mcp-name': 'DismissRoom' });
    expect(name.status).toBe(400);
    expect(name.messages[0]!.error).toMatchObject({ code: -32020 });
    const missing = await post(srv.url, 'tools/call', { name: 'DescribeRoomInfo', arguments: {}, _meta: envelope() }, { 'mcp-name': '' });
    expect(missing.status).toBe(400);
  });

  it('refuses a missing envelope or an unknown revision with 400 and the spec codes', async () => {
    const bare = await post(srv.url, 'tools/list', {});
    expect(bare.status).toBe(400);
    expect(bare.messages[0]!.error).toMatchObject({ code: -32602 });
    const future = await post(srv.url, 'tools/list', { _meta: { ...envelope(), 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } }, { 'mcp-protocol-version': '2099-01-01' });
    expect(future.status).toBe(400);
    expect(future.messages[0]!.error).toMatchObject({ code: -32022, data: { supported: [REVISION] } });
  });

  it('answers an unknown resource with -32602 naming the URI', async () => {
    const r = await rpc('resources/read', { uri: 'trtc://nothing' });
    expect(r.messages[0]!.error).toMatchObject({ code: -32602, data: { uri: 'trtc://nothing' } });
  });

  it('asks for consent with an input_required result that carries the typed form and a sealed requestState', async () => {
    const r = await rpc('tools/call', { name: 'DismissRoom', arguments: { RoomId: 1234 } }, {}, FORMS);
    const { result } = r.messages[0]!;
    expect(result).toMatchObject({
      resultType: 'input_required',
      inputRequests: {
        consent: {
          method: 'elicitation/create',
          params: {
            message: expect.stringContaining('Type "1234" to confirm.'),
            requestedSchema: { type: 'object', properties: { confirm: { type: 'string', title: 'Type "1234" to confirm' } }, required: ['confirm'] },
          },
        },
      },
      requestState: expect.stringMatching(/^v1\.[\w-]+\.[\w-]+$/),
    });
    // A retry with the state but no answer asks again, with a fresh state; the first one is spent.
    const again = await rpc('tools/call', { name: 'DismissRoom', arguments: { RoomId: 1234 }, requestState: result.requestState }, {}, FORMS);
    const asked = again.messages[0]!.result;
    expect(asked).toMatchObject({ resultType: 'input_required', inputRequests: { consent: { method: 'elicitation/create' } } });
    expect(asked.requestState).not.toBe(result.requestState);
    const spent = await rpc('tools/call', { name: 'DismissRoom', arguments: { RoomId: 1234 }, requestState: result.requestState, inputResponses: { consent: { action: 'accept', content: { confirm: '1234' } } } }, {}, FORMS);
    expect(spent.messages[0]!.error).toMatchObject({ code: -32602 });
  });

  it('gives a client that declares only URL elicitation the confirmationToken path', async () => {
    const r = await rpc('tools/call', { name: 'DismissRoom', arguments: { RoomId: 1234 } }, {}, { elicitation: { url: {} } });
    expect(r.messages[0]!.result).toMatchObject({ resultType: 'complete', isError: true, _meta: { confirmation: { token: expect.any(String) } } });
  });

  it('keeps the legacy era sessionful on the same endpoint', async () => {
    const init = await fetch(`${srv.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(init.status).toBe(200);
    expect(init.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    await init.body?.cancel();
    const sessionless = await post(srv.url, 'tools/list', {}, { 'mcp-protocol-version': '2025-11-25', 'mcp-method': '' });
    expect(sessionless.status).toBe(400);
    expect(sessionless.messages[0]!.error!.message).toBe('No session: the first request must be initialize.');
  });
});

describe('admission in front of 2026-07-28 requests', () => {
  let srv: SpawnedHttp;
  const token = randomBytes(18).toString('base64url');
  beforeAll(async () => {
    srv = await spawnHttp(['--sandbox'], cleanEnv({ TRTC_MCP_AUTH_TOKEN: token }));
  });
  afterAll(() => srv.stop());
  /** The status of a well-formed server/discover sent with these headers (node:http, which lets a test set Host). */
  const discover = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const { port } = new URL(srv.url);
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } });
      const req = http.request(
        { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': REVISION, 'mcp-method': 'server/discover', ...headers } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.once('error', reject);
      req.end(body);
    });

  it('needs the bearer token, an allowed Host and an allowed Origin', async () => {
    expect(await discover({})).toBe(401);
    expect(await discover({ authorization: 'Bearer wrong-token-000000' })).toBe(401);
    const auth = { authorization: `Bearer ${token}` };
    expect(await discover({ ...auth, host: 'evil.example' })).toBe(403);
    expect(await discover({ ...auth, origin: 'https://evil.example' })).toBe(403);
    expect(await discover(auth)).toBe(200);
  });

  it('answers the probes without the token, behind the Host check, and says where the store lives only with it', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: new URL(srv.url).port, path, headers }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.once('error', reject);
      });
    const open = await get('/healthz');
    expect(open).toMatchObject({ status: 200, body: { status: 'ok', sessions: 0, store: { kind: 'file', reachable: true } } });
    expect(open.body.store.location).toBeUndefined();
    // Named by default after its host and process.
    expect(open.body.replica).toMatch(/^[\w.:@-]+-\d+$/);
    const ready = await get('/readyz', { authorization: `Bearer ${token}` });
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', store: { kind: 'file', reachable: true, location: expect.stringMatching(/store$/) } } });
    expect((await get('/readyz', { host: 'evil.example' })).status).toBe(403);
    expect((await get('/mcp')).status).toBe(401);
  });
});

describe('stdio: the opening message decides the era of the connection', () => {
  /** Sends lines to a fresh server process and collects the JSON-RPC answers to the requests among them. */
  async function exchange(lines: unknown[]): Promise<{ answers: any[]; stderr: string }> {
    const child = spawn(process.execPath, [CLI, '--sandbox'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const expected = lines.filter((l) => (l as { id?: unknown }).id !== undefined).length;
    const answers = await new Promise<any[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer: ${out}\n${stderr}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const parsed = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
        if (parsed.length >= expected) {
          clearTimeout(timer);
          resolve(parsed);
        }
      });
      for (const l of lines) child.stdin.write(`${JSON.stringify(l)}\n`);
    });
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    return { answers, stderr };
  }

  it('serves 2026-07-28 when the first message is server/discover, without a session', async () => {
    const { answers, stderr } = await exchange([
      { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } },
      { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'trtc://sandbox/world', _meta: envelope() } },
    ]);
    expect(answers[0].result).toMatchObject({ supportedVersions: [REVISION], ttlMs: HOUR, cacheScope: 'public' });
    expect(answers[1].result).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
    expect(stderr).toContain('era=2026-07-28');
  });

  it('serves the legacy handshake when the first message is initialize', async () => {
    const { answers, stderr } = await exchange([
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'resources/read', params: { uri: 'trtc://sandbox/world' } },
    ]);
    expect(answers[0].result).toMatchObject({ protocolVersion: '2025-11-25', serverInfo: { name: 'trtc-mcp' } });
    expect(answers[1].result.contents).toHaveLength(1);
    expect(answers[1].result).not.toHaveProperty('ttlMs');
    expect(stderr).toContain('era=legacy');
  });
});
