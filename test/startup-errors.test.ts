// Start-up and input errors, from the built CLI as an operator meets them: exit code 2 and one line that says what to
// do, never a stack; and settings read by one rule whether they come from a flag or the environment.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { CLI, cleanEnv, connectStdio, rememberSecret, text } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trtc-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A log line the server writes as it starts (a timestamp first); anything else on stderr is the error itself. */
const LOG_LINE = /^\d{4}-\d{2}-\d{2}T\S+ (debug|info|warn|error) /;

/** Runs the CLI to its exit (killed after 30 s, so that a hang fails rather than stalls); stdin is closed. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; error: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, error: stderr.split('\n').filter((l) => l && !LOG_LINE.test(l)) });
    });
    child.stdin.end();
  });
}

/** Exit code 2 and exactly one line that is not a log line, matching `message`. */
async function failsWith(args: string[], env: Record<string, string>, message: RegExp): Promise<string> {
  const { code, stderr, error } = await runCli(args, env);
  expect(code, stderr).toBe(2);
  expect(error, stderr).toHaveLength(1);
  expect(error[0]).toMatch(message);
  expect(stderr).not.toMatch(/\n\s+at /);
  return stderr;
}

describe('a port that is taken', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it('--callbacks-listen names the port and the setting to change', async () => {
    await failsWith(['--sandbox', '--callbacks-listen', `127.0.0.1:${port}`], cleanEnv(), new RegExp(
      `^Port ${port} is already in use on 127\\.0\\.0\\.1: stop the program using 127\\.0\\.0\\.1:${port}, or choose another port with --callbacks-listen 127\\.0\\.0\\.1:<port> \\(port 0 picks a free one\\)\\.$`,
    ));
  });

  it('--approvals-listen and the HTTP port say the same', async () => {
    await failsWith(['--sandbox', '--approvals-listen', `127.0.0.1:${port}`], cleanEnv({ TRTC_MCP_APPROVER_TOKEN: 'approver-token-startup-0123456789' }), /^Port \d+ is already in use on 127\.0\.0\.1: .* --approvals-listen 127\.0\.0\.1:<port> \(port 0 picks a free one\)\.$/);
    await failsWith(['--sandbox', '--transport', 'http', '--port', String(port)], cleanEnv(), /^Port \d+ is already in use on 127\.0\.0\.1: .* choose another port with --port \(0 picks a free one\)\.$/);
  });

  it('the standalone sandbox says the same of its --port', async () => {
    await failsWith(['sandbox', '--port', String(port)], cleanEnv(), /^Port \d+ is already in use on 127\.0\.0\.1: .* choose another port with --port/);
  });
});

describe('a store that cannot be used', () => {
  it('an unreachable Redis that the sandbox needs at start is one line saying what to do', async () => {
    // A port nothing listens on: taken and closed again.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await failsWith(['--sandbox', '--store', `redis://127.0.0.1:${port}`], cleanEnv(), new RegExp(
      `^Cannot start: the state store redis://127\\.0\\.0\\.1:${port}/? is unreachable \\(.*\\), and the sandbox keeps the key of its confirmation tokens there\\. Start the store, set TRTC_MCP_CONFIRM_SECRET, or leave --store out`,
    ));
  });

  it('a directory that cannot be created fails at once instead of spinning (recursive mkdir under /proc)', async () => {
    await failsWith(['--sandbox', '--store', '/proc/trtc-mcp-nope/state'], cleanEnv(), /^Invalid setting --store: cannot create the directory \/proc\/trtc-mcp-nope\/state \(E[A-Z]+\)\. Point it at a directory/);
    await failsWith(['--sandbox'], cleanEnv({ TRTC_MCP_STORE: '/proc/nope' }), /^Invalid setting TRTC_MCP_STORE: cannot create the directory \/proc\/nope \(E[A-Z]+\)/);
  });
});

describe('secrets', () => {
  it.each([
    ['--secret-key', 'TENCENTCLOUD_SECRET_KEY'],
    ['--sdk-secret-key', 'TRTC_SDK_SECRET_KEY'],
    ['--session-token', 'TENCENTCLOUD_SESSION_TOKEN'],
    ['--callback-key', 'TRTC_CALLBACK_KEY'],
  ])('%s does not exist: the refusal points to %s and never shows the value', async (flag, variable) => {
    const value = `startup-flag-secret-${flag.slice(2)}`;
    rememberSecret(value);
    for (const args of [[flag, value], [`${flag}=${value}`]]) {
      const stderr = await failsWith(args, cleanEnv(), new RegExp(`^${flag} is not accepted: a command line is visible to every local user\\. Set ${variable}\\.$`));
      expect(stderr).not.toContain(value);
    }
  });

  it('an empty TRTC_MCP_AUTH_TOKEN is said to be empty', async () => {
    await failsWith(['--sandbox', '--transport', 'http', '--auth', 'token'], cleanEnv({ TRTC_MCP_AUTH_TOKEN: '' }), /^--auth token needs the bearer token: TRTC_MCP_AUTH_TOKEN is empty; put the token in it \(at least 16 characters\) or pass --auth-token-file\.$/);
    // Unset, it is asked for as before.
    await failsWith(['--sandbox', '--transport', 'http', '--auth', 'token'], cleanEnv(), /^--auth token needs the bearer token: set TRTC_MCP_AUTH_TOKEN or --auth-token-file\.$/);
  });

  it.each([
    ['a line break', 'AKIDstartup0001\nstartup-pasted-key-0001', 'a line break at character 16'],
    ['a space', 'AKID startup0002', 'a space at character 5'],
    ['a tab', 'AKIDstartup0003\t', 'a tab at character 16'],
  ])('a SecretId with %s is refused, naming the character and never the value', async (_what, secretId, where) => {
    rememberSecret(secretId.split(/\s/).pop()!);
    const stderr = await failsWith([], cleanEnv({ TENCENTCLOUD_SECRET_ID: secretId, TENCENTCLOUD_SECRET_KEY: 'startup-secret-key-0001' }), new RegExp(
      `^Invalid setting TENCENTCLOUD_SECRET_ID: must not contain whitespace or control characters: it has ${where}\\. Run with --help`,
    ));
    expect(stderr).not.toContain('AKIDstartup');
    expect(stderr).not.toContain('startup-pasted-key');
  });

  it('a SecretId of letters and digits is accepted', () => {
    expect(loadConfig([], { TENCENTCLOUD_SECRET_ID: 'AKIDabc123', TENCENTCLOUD_SECRET_KEY: 'key123' }).secretId).toBe('AKIDabc123');
  });

  it('an inline TTS SecretId is masked in the audit log like the SecretKey beside it', async () => {
    const audit = join(dir, 'audit.jsonl');
    const [id, key] = ['AKIDinlineTtsStartup01', 'inline-tts-key-startup-01'];
    rememberSecret(key);
    const conn = await connectStdio(['--sandbox', '--audit-log', audit], cleanEnv());
    try {
      const TTSConfig = { TTSType: 'tencent', AppId: 1300000000, SecretId: id, SecretKey: key, VoiceType: 101001 };
      const r = await conn.client.callTool({ name: 'StartAIConversation', arguments: { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'tts-bot', TargetUserId: 'dana' }, TTSConfig } });
      expect(r.isError, text(r)).toBeFalsy();
    } finally {
      await conn.close();
    }
    const log = readFileSync(audit, 'utf8');
    expect(log).not.toContain(id);
    const [record] = log.trim().split('\n').map((l) => JSON.parse(l) as { tool: string; args: { TTSConfig: unknown } });
    expect(record!.tool).toBe('StartAIConversation');
    expect(record!.args.TTSConfig).toEqual({ TTSType: 'tencent', AppId: 1300000000, SecretId: '[redacted]', SecretKey: '[redacted]', VoiceType: 101001 });
  });
});

describe('one rule for empty values: an empty flag or variable means the default', () => {
  const LISTS = [
    ['--toolsets', 'TRTC_MCP_TOOLSETS', 'toolsets'],
    ['--tools', 'TRTC_MCP_TOOLS', 'tools'],
    ['--deny-tools', 'TRTC_MCP_DENY_TOOLS', 'denyTools'],
    ['--allow-apps', 'TRTC_MCP_ALLOW_APPS', 'allowApps'],
    ['--allow-rooms', 'TRTC_MCP_ALLOW_ROOMS', 'allowRooms'],
    ['--allowed-hosts', 'TRTC_MCP_ALLOWED_HOSTS', 'allowedHosts'],
    ['--allowed-origins', 'TRTC_MCP_ALLOWED_ORIGINS', 'allowedOrigins'],
    ['--oauth-algorithms', 'TRTC_MCP_OAUTH_ALGORITHMS', 'oauthAlgorithms'],
  ] as const;

  it.each(LISTS)('%s "" and %s="" both leave the default', (flag, variable, key) => {
    const defaults = loadConfig([], {})[key];
    expect(loadConfig([flag, ''], {})[key]).toEqual(defaults);
    expect(loadConfig([`${flag}=`], {})[key]).toEqual(defaults);
    expect(loadConfig([], { [variable]: '' })[key]).toEqual(defaults);
  });

  it('"none" empties the toolsets and the extra tools, from a flag or the environment', () => {
    expect(loadConfig(['--toolsets', 'none', '--tools', 'none'], {})).toMatchObject({ toolsets: [], tools: [] });
    expect(loadConfig([], { TRTC_MCP_TOOLSETS: 'none', TRTC_MCP_TOOLS: 'none' })).toMatchObject({ toolsets: [], tools: [] });
  });

  it('the server lists the same tools for --toolsets "" and TRTC_MCP_TOOLSETS="", and the discovery tools alone for none', async () => {
    const names = async (args: string[], env: Record<string, string>) => {
      const conn = await connectStdio(['--sandbox', ...args], cleanEnv(env));
      try {
        return (await conn.client.listTools()).tools.map((t) => t.name);
      } finally {
        await conn.close();
      }
    };
    const defaults = await names([], {});
    expect(await names(['--toolsets', ''], {})).toEqual(defaults);
    expect(await names([], { TRTC_MCP_TOOLSETS: '' })).toEqual(defaults);
    expect(defaults.length).toBeGreaterThan(6);
    expect(await names(['--toolsets', 'none', '--tools', 'none'], {})).toEqual(['search_tools', 'describe_tool', 'call_tool']);
  });
});
