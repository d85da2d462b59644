// What stdio answers before any SDK is loaded (src/server/early.ts) must be the SDK's own answer, byte for byte, in
// every configuration; and lines that are no JSON-RPC message get the errors JSON-RPC prescribes, in both eras.
import { spawn } from 'node:child_process';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { LEGACY_VERSIONS } from '../src/server/early.js';
import { CLI, cleanEnv } from './helpers.js';
import { envelope } from './modern.js';

const EARLY = 'answered before the SDK line loaded';

/**
 * One connection to a fresh server: each line is sent once the answers to the requests before it have arrived, as
 * a client does. Returns the raw answer lines by id, in the order they came, and stderr.
 */
async function session(args: string[], lines: Array<Record<string, unknown> | string>, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, '--sandbox', ...args], { env: cleanEnv({ TRTC_MCP_LOG_LEVEL: 'debug', ...env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const answers: string[] = [];
  let waiting: (() => void) | undefined;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const done = out.split('\n');
    out = done.pop()!;
    answers.push(...done);
    waiting?.();
  });
  const until = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer (${answers.length} of ${n}):\n${stderr}`)), 20_000);
      waiting = () => answers.length >= n && (clearTimeout(timer), resolve());
      waiting();
    });
  let expected = 0;
  for (const line of lines) {
    child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
    if (typeof line === 'string' || line.id !== undefined || line.method === undefined) await until(++expected);
  }
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  const byId = new Map(answers.map((a) => [JSON.stringify((JSON.parse(a) as { id: unknown }).id), a]));
  return { answers, byId, stderr, early: stderr.split('\n').filter((l) => l.includes(EARLY)).length };
}

const initialize = (capabilities: Record<string, unknown> = {}, protocolVersion = '2025-11-25') => ({
  jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion, capabilities, clientInfo: { name: 'front-test', version: '1' } },
});
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
/** A request only the SDK answers: from it on, everything goes through the SDK. */
const ping = (params?: Record<string, unknown>) => ({ jsonrpc: '2.0', id: 'first', method: 'ping', ...(params && { params }) });

const CONFIGS = [[], ['--toolsets', 'all'], ['--read-only'], ['--site', 'cn', '--toolsets', 'room,ai'], ['--confirm', 'mutating'], ['--deny-tools', 'DismissRoom']];

describe('early answers on stdio', () => {
  it('negotiates the protocol versions the v1 SDK does', () => {
    expect(LEGACY_VERSIONS).toEqual(SUPPORTED_PROTOCOL_VERSIONS);
  });

  it.each(CONFIGS)('legacy initialize and tools/list are the SDK\'s, byte for byte (%s)', async (...args) => {
    for (const [capabilities, version] of [[{}, '2025-11-25'], [{ elicitation: { form: {} }, roots: { listChanged: true } }, '2024-11-05'], [{ sampling: {} }, '2099-01-01']] as const) {
      const early = await session(args, [initialize(capabilities, version), initialized, toolsList]);
      const sdk = await session(args, [ping(), initialize(capabilities, version), initialized, toolsList]);
      expect(early.early).toBe(2);
      expect(sdk.early).toBe(0);
      for (const id of ['0', '1']) expect(early.byId.get(id)).toBe(sdk.byId.get(id));
      expect(JSON.parse(early.byId.get('0')!).result.protocolVersion).toBe(version === '2099-01-01' ? SUPPORTED_PROTOCOL_VERSIONS[0] : version);
      // The SDK, which also saw the initialize, answers the rest of the session.
      expect(early.stderr).not.toContain('differed');
    }
  }, 120_000);

  it.each(CONFIGS)('2026-07-28 server/discover and tools/list are the SDK\'s, byte for byte (%s)', async (...args) => {
    const caps = { elicitation: { form: { applyDefaults: true } }, extensions: { 'io.modelcontextprotocol/tasks': {} } };
    const requests = [
      { jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: envelope() } },
      { jsonrpc: '2.0', id: 't', method: 'tools/list', params: { _meta: envelope() } },
      { jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: envelope(caps) } },
    ];
    const early = await session(args, requests);
    const sdk = await session(args, [ping({ _meta: envelope() }), ...requests]);
    expect(early.early).toBe(3);
    expect(sdk.early).toBe(0);
    for (const id of ['"d"', '"t"', '7']) expect(early.byId.get(id)).toBe(sdk.byId.get(id));
  }, 60_000);

  it('leaves to the SDK what it must validate or what differs by client: a malformed capability, a views client, a cursor', async () => {
    const bad = await session([], [initialize({ roots: { listChanged: 'yes' } })]);
    expect(bad.early).toBe(0);
    expect(JSON.parse(bad.answers[0]!)).toMatchObject({ id: 0, error: { code: expect.any(Number) } });

    const views = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
    const ui = await session([], [initialize(views), initialized, toolsList]);
    expect(ui.early).toBe(0);
    const plain = await session([], [initialize(), initialized, toolsList]);
    const names = (s: typeof ui) => (JSON.parse(s.byId.get('1')!).result.tools as Array<{ name: string }>).map((t) => t.name);
    expect(names(ui).length).toBe(names(plain).length + 1);

    const modern = await session([], [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { cursor: 'x', _meta: envelope() } }]);
    expect(modern.early).toBe(0);
  }, 60_000);

  it('answers nothing early with telemetry on: every request is traced through the SDK', async () => {
    const traced = await session([], [initialize(), initialized, toolsList], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces', OTEL_METRICS_EXPORTER: 'none' });
    expect(traced.early).toBe(0);
    expect(JSON.parse(traced.byId.get('1')!).result.tools.length).toBeGreaterThan(0);
  }, 30_000);
});

describe('lines on stdin that are no JSON-RPC message', () => {
  const SECRET = 'hunter2-the-whole-secret-value-0123456789';

  it.each([
    ['legacy', [initialize(), initialized], toolsList],
    ['2026-07-28', [{ jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: envelope() } }], { ...toolsList, params: { _meta: envelope() } }],
  ] as const)('get -32700 or -32600, a line on stderr, and the connection goes on (%s)', async (_era, opening, list) => {
    const s = await session([], [
      ...opening,
      `not json ${SECRET}`,
      '{"jsonrpc":"2.0","id":5,"method":',
      JSON.stringify({ id: 6, method: 'tools/list' }),
      JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/list', params: [1] }),
      JSON.stringify([{ jsonrpc: '2.0', id: 9, method: 'ping' }]),
      '42',
      list,
    ]);
    const errors = s.answers.map((a) => JSON.parse(a)).filter((a) => a.error);
    expect(errors).toEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringContaining('Parse error') } },
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringContaining('Parse error') } },
      { jsonrpc: '2.0', id: 6, error: { code: -32600, message: expect.stringContaining('Invalid Request') } },
      { jsonrpc: '2.0', id: 8, error: { code: -32600, message: expect.stringContaining('Invalid Request') } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('Invalid Request') } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('Invalid Request') } },
    ]);
    expect(JSON.parse(s.byId.get('1')!).result.tools.length).toBeGreaterThan(0);
    const logged = s.stderr.split('\n').filter((l) => l.includes('stdin: '));
    expect(logged).toHaveLength(6);
    expect(logged[0]).toContain('line="not json hun..."');
    expect(s.stderr).not.toContain(SECRET.slice(4));
  }, 30_000);
});
