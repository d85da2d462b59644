// Secrets and the HTTP edge, end to end: an upstream error that echoes a key, AI profile members named unlike keys,
// look-alike profile overrides, the bearer token kept off the command line, and browser origins checked by scheme,
// host and port. Every attack is counted at the sandbox (or at a stand-in upstream), next to the legitimate path.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { CLI, cloudRequests, connectHttp, connectStdio, recordAttack, rememberSecret, sandboxEnv, spawnHttp, text, withSandbox, type Connected } from './helpers.js';

const run = promisify(execFile);
let sb: Sandbox;
const conns: Connected[] = [];
const dir = mkdtempSync(join(tmpdir(), 'trtc-secrets-'));
beforeAll(async () => {
  sb = await withSandbox();
});
afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});
async function connect(args: string[], env: Record<string, string> = {}): Promise<Client> {
  const c = await connectStdio(args, sandboxEnv(sb, env));
  conns.push(c);
  return c.client;
}

describe('redaction comes before any cut', () => {
  it('an upstream error echoing an LLM key across the 1,000-character cut shows none of it', async () => {
    const key = 'sk-echo-0123456789a';
    rememberSecret(key);
    const message = `${'x'.repeat(990)}${key} and more`;
    let received = 0;
    const upstream = http.createServer((req, res) => {
      received++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Response: { Error: { Code: 'InvalidParameter', Message: message }, RequestId: 'req-1' } }));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    try {
      const client = await connect([], { TRTC_ENDPOINT: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`, TRTC_LLM_CONFIG: JSON.stringify({ LLMType: 'openai', Model: 'm', APIKey: key, APIUrl: 'https://llm.example/v1' }) });
      const r = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } });
      expect(received).toBe(1);
      const shown = text(r);
      expect(shown).toMatch(/InvalidParameter: x{990}\[redacted\]… \(9 more characters left out\)/);
      expect(shown).not.toMatch(/sk-|echo|0123|789a/);
    } finally {
      upstream.close();
    }
  });
});

describe('AI profiles', () => {
  const profile = {
    LLMType: 'openai', Model: 'model-shown-1', APIUrl: 'https://llm.example/v1/chat/completions',
    APIKey: 'sk-profile-secret-1', Credential: 'credential-secret-2', 'X-Goog-Credential': 'goog-credential-secret-3', Extra: { Token: 'nested-secret-4' },
  };
  const secrets = ['sk-profile-secret-1', 'credential-secret-2', 'goog-credential-secret-3', 'nested-secret-4'];
  const start = (LLMConfig: Record<string, unknown>) => ({ RoomId: '1234', AgentConfig: { UserId: 'bot_p', TargetUserId: 'alice' }, LLMConfig });
  let client: Client;
  beforeAll(async () => {
    rememberSecret(...secrets);
    client = await connect([], { TRTC_LLM_CONFIG: JSON.stringify(profile) });
  });

  it('a dry run shows no value of the profile but the non-secret members, whatever the members are called', async () => {
    const dry = await connect(['--dry-run'], { TRTC_LLM_CONFIG: JSON.stringify(profile) });
    const before = cloudRequests(sb).length;
    const shown = text(await dry.callTool({ name: 'StartAIConversation', arguments: start({ profile: 'default' }) }));
    const leaked = secrets.filter((s) => shown.includes(s)).length;
    recordAttack('secrets: profile members named Credential/X-Goog-Credential in a dry run', cloudRequests(sb).length - before, leaked);
    expect(leaked).toBe(0);
    expect(shown).toContain('Dry run: nothing was sent');
    expect(shown).toContain('model-shown-1');
    expect(shown).not.toContain('llm.example');
  });

  it.each([
    ['APIUrl with a trailing space', { 'APIUrl ': 'https://collector.example/v1' }, /LLMConfig\["APIUrl "\]: looks like APIUrl but is not it: with a profile, member names must match exactly/],
    ['apiurl in lower case', { apiurl: 'https://collector.example/v1' }, /LLMConfig\.apiurl: looks like APIUrl/],
    ['API_URL', { API_URL: 'https://collector.example/v1' }, /LLMConfig\.API_URL: looks like APIUrl/],
    ['an undocumented endpoint member', { BaseURL: 'https://collector.example/v1' }, /LLMConfig\.BaseURL: is not a member that can be set with a profile/],
    ['the pinned APIUrl itself', { APIUrl: 'https://collector.example/v1' }, /LLMConfig\.APIUrl: cannot be changed when a profile is used/],
    ['a structure of the profile replaced', { Extra: { Token: 'mine', Url: 'https://collector.example/v1' } }, /LLMConfig\.Extra: cannot be replaced when a profile is used/],
  ])('refuses a profile override with %s, and sends nothing', async (label, override, message) => {
    const before = cloudRequests(sb, 'StartAIConversation').length;
    const r = await client.callTool({ name: 'StartAIConversation', arguments: start({ profile: 'default', ...override }) });
    const sent = cloudRequests(sb, 'StartAIConversation').length - before;
    recordAttack(`secrets: profile override with ${label}`, sent);
    expect(sent).toBe(0);
    expect(text(r)).toMatch(message);
  });

  it('the legitimate path: an override of a documented member goes through', async () => {
    const before = cloudRequests(sb, 'StartAIConversation').length;
    const r = await client.callTool({ name: 'StartAIConversation', arguments: start({ profile: 'default', Model: 'model-shown-2', Streaming: true }) });
    expect(r.isError, text(r)).toBeFalsy();
    expect(cloudRequests(sb, 'StartAIConversation').length - before).toBe(1);
    const task = sb.world.tasks.find(sb.world.apps.get(1400000001)!, (r.structuredContent as { TaskId: string }).TaskId)!;
    expect(JSON.parse(task.config.LLMConfig)).toMatchObject({ Model: 'model-shown-2', APIUrl: profile.APIUrl, Credential: profile.Credential });
  });
});

describe('the HTTP bearer token stays off the command line', () => {
  const token = 'file-bearer-token-0123456789';
  beforeAll(() => rememberSecret(token));

  it('refuses --auth-token, saying where the token goes instead, and --help offers no such flag', async () => {
    const err = (await run(process.execPath, [CLI, '--transport', 'http', '--auth-token', token], { env: sandboxEnv(sb) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/--auth-token is not accepted: a command line is visible to every local user\. Set TRTC_MCP_AUTH_TOKEN, or put the token in a file and pass --auth-token-file\./);
    expect(err.stderr).not.toContain(token);
    const help = (await run(process.execPath, [CLI, '--help'], { env: sandboxEnv(sb) })).stdout;
    expect(help).not.toMatch(/--auth-token </);
    expect(help).toMatch(/--auth-token-file <value>/);
  });

  it('reads the token from --auth-token-file: only a client presenting it gets in, and the process list never shows it', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const srv = await spawnHttp(['--auth-token-file', file], sandboxEnv(sb));
    try {
      expect(readFileSync(`/proc/${srv.child.pid}/cmdline`, 'utf8')).not.toContain(token);
      const post = (headers: Record<string, string>) =>
        fetch(`${srv.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: '{}' });
      expect((await post({})).status).toBe(401);
      const client = await connectHttp(srv.url, 'streamable', { authorization: `Bearer ${token}` });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await srv.stop();
    }
  });

  it.each([
    ['a short token', 'short\n', /--auth-token-file: the token in .* must have at least 16 characters/],
    ['a missing file', undefined, /--auth-token-file: cannot read .* \(ENOENT\)/],
  ])('refuses %s at start-up without echoing it', async (_label, content, message) => {
    const file = join(dir, `bad-${Math.random()}`);
    if (content !== undefined) writeFileSync(file, content);
    const err = (await run(process.execPath, [CLI, '--transport', 'http', '--auth-token-file', file], { env: sandboxEnv(sb) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(message);
    expect(err.stderr).not.toContain('short');
  });
});

describe('browser origins', () => {
  let srv: Awaited<ReturnType<typeof spawnHttp>>;
  let port: number;
  beforeAll(async () => {
    srv = await spawnHttp(['--allowed-origins', 'https://app.example.com'], sandboxEnv(sb));
    port = Number(new URL(srv.url).port);
  });
  afterAll(() => srv.stop());

  /** A session opened without an Origin (as a desktop client does), then a write sent from `origin`. */
  async function writeFrom(origin: string): Promise<{ status: number; sent: number }> {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(`${srv.url}/mcp`, {
      method: 'POST', headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const inSession = { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' };
    await (await fetch(`${srv.url}/mcp`, { method: 'POST', headers: inSession, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const before = cloudRequests(sb, 'SetUserBlocked').length;
    const res = await fetch(`${srv.url}/mcp`, {
      method: 'POST', headers: { ...inSession, origin },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 0 } } }),
    });
    await res.text();
    return { status: res.status, sent: cloudRequests(sb, 'SetUserBlocked').length - before };
  }

  it.each([
    ['the right host on no port', () => 'http://localhost'],
    ['another scheme', () => `https://localhost:${port}`],
    ['a WebSocket scheme', () => `ws://localhost:${port}`],
    ['an extension named localhost', () => 'chrome-extension://localhost'],
    ['another port', () => `http://127.0.0.1:${port + 1}`],
    ['a look-alike host', () => `http://localhost:${port}.evil.example`],
    ['an opaque origin', () => 'null'],
    ['the allowed origin on another port', () => 'https://app.example.com:8443'],
    ['the allowed origin over http', () => 'http://app.example.com'],
  ])('refuses %s with 403 before anything is sent', async (label, origin) => {
    const { status, sent } = await writeFrom(origin());
    recordAttack(`http: Origin ${label}`, sent);
    expect(status).toBe(403);
    expect(sent).toBe(0);
  });

  it.each([
    ['its own origin by name', () => `http://localhost:${port}`],
    ['its own origin by address', () => `http://127.0.0.1:${port}`],
    ['the listed origin', () => 'https://app.example.com'],
    ['the listed origin written with its default port', () => 'HTTPS://App.Example.com:443'],
  ])('serves %s', async (_label, origin) => {
    expect(await writeFrom(origin())).toEqual({ status: 200, sent: 1 });
  });

  it('refuses a setting that is not an origin', async () => {
    const err = (await run(process.execPath, [CLI, '--transport', 'http', '--allowed-origins', 'https://app.example.com/path'], { env: sandboxEnv(sb) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/Invalid setting --allowed-origins: "https:\/\/app\.example\.com\/path" is not an origin like https:\/\/app\.example\.com/);
  });
});
