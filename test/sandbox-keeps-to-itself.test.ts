// The sandbox keeps to itself: its state is its own process's unless a store is set on purpose, it plays the app the
// operator named, its world files are held to the rules IDs are held to elsewhere, and the AI story reads as the docs
// tell it. Also: a server reached by a name it was not told of says which setting admits that name.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { SANDBOX_BOT_ANSWER } from '../src/sandbox/handlers/ai.js';
import { DEFAULT_WORLD, readWorldFile } from '../src/sandbox/world.js';
import { CLI, cleanEnv, connectStdio, recordAttack, sandboxEnv, spawnHttp, text, withSandbox, type Connected } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'trtc-keeps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Result = CallToolResult & { structuredContent: Record<string, any> };
const call = async (c: Connected, name: string, args: Record<string, unknown> = {}) => (await c.client.callTool({ name, arguments: args })) as Result;
const ok = async (c: Connected, name: string, args: Record<string, unknown> = {}) => {
  const r = await call(c, name, args);
  expect(r.isError, text(r)).toBeFalsy();
  return r;
};

/** The environment of a user who set no store: a home of its own, so that the default store would be found there. */
function homeEnv(home: string, extra: Record<string, string | undefined> = {}, base = cleanEnv()): Record<string, string> {
  const env: Record<string, string> = { ...base, HOME: home };
  delete env.TRTC_MCP_STORE;
  delete env.XDG_STATE_HOME;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
const defaultStore = (home: string) => join(home, '.local', 'state', 'trtc-mcp');

describe('sandbox state stays in its process unless a store is set', () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const ARGS = ['--sandbox', '--toolsets', 'ai,events'];
  const BOT = { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'keeps-bot', TargetUserId: 'dana' } };
  /** Waits for the events of the bot this process started: its own receiver stores them. */
  const ownEvents = async (c: Connected) => (await ok(c, 'wait_for_events', { after: 0, timeoutSeconds: 20 })).structuredContent.events as unknown[];

  it('two sandbox processes of one user see only their own events, a restarted one none of the old, and nothing is written to the default store', async () => {
    const a = await connectStdio(ARGS, homeEnv(home));
    const b = await connectStdio(ARGS, homeEnv(home));
    try {
      await ok(a, 'StartAIConversation', BOT);
      expect((await ownEvents(a)).length).toBeGreaterThan(0);
      const seenByB = (await ok(b, 'list_events')).structuredContent;
      expect(seenByB).toMatchObject({ events: [], newest: 0 });
      expect(a.stderr()).toMatch(/SANDBOX MODE .* store=memory/);
    } finally {
      await a.close();
      await b.close();
    }
    const again = await connectStdio(ARGS, homeEnv(home));
    try {
      expect((await ok(again, 'list_events')).structuredContent).toMatchObject({ events: [], newest: 0 });
    } finally {
      await again.close();
    }
    expect(existsSync(defaultStore(home))).toBe(false);
  });

  it('a store set on purpose is shared: a second sandbox process reads the first one\'s events there', async () => {
    const store = join(dir, 'shared-store');
    const a = await connectStdio(ARGS, homeEnv(home, { TRTC_MCP_STORE: store }));
    try {
      await ok(a, 'StartAIConversation', BOT);
      await ownEvents(a);
    } finally {
      await a.close();
    }
    const b = await connectStdio([...ARGS, '--store', store], homeEnv(home));
    try {
      expect(((await ok(b, 'list_events')).structuredContent.events as unknown[]).length).toBeGreaterThan(0);
    } finally {
      await b.close();
    }
  });

  it('a server on Tencent Cloud credentials keeps its default store in the user\'s state folder, as before', async () => {
    const sb = await withSandbox();
    const conn = await connectStdio([], homeEnv(home, {}, sandboxEnv(sb)));
    try {
      await ok(conn, 'DescribeRoomInfo', { RoomId: '1234', StartTime: Math.floor(Date.now() / 1000) - 3600, EndTime: Math.floor(Date.now() / 1000) + 60 });
      expect(existsSync(defaultStore(home))).toBe(true);
      expect(conn.stderr()).not.toMatch(/SANDBOX MODE/);
    } finally {
      await conn.close();
      await sb.close();
    }
  });
});

describe('a sandbox started for an app it does not know', () => {
  it('plays that app, says so at start, and answers another app with what the sandbox knows', async () => {
    const conn = await connectStdio([], cleanEnv({ TRTC_SDK_APP_ID: '1400999999' }));
    try {
      expect(conn.stderr()).toMatch(/the sandbox plays app 1400999999 \(TRTC_SDK_APP_ID\) with the rooms of its default world: it knows no other app/);
      const now = Math.floor(Date.now() / 1000);
      const window = { StartTime: now - 3600, EndTime: now + 60 };
      const rooms = await ok(conn, 'DescribeRoomInfo', { RoomId: '1234', ...window });
      expect(rooms.structuredContent.RoomList[0].CommId).toMatch(/^1400999999_1234_/);
      const other = await call(conn, 'DescribeRoomInfo', { SdkAppId: 1400000001, RoomId: '1234', ...window });
      expect(other.isError).toBe(true);
      expect(text(other)).toMatch(/UnauthorizedOperation\.SdkAppId: The sandbox has no app 1400000001; its apps: 1400999999\./);
      expect(text(other)).toMatch(/What to do: The sandbox knows only the apps of its world .*: leave SdkAppId out to use the configured one\. Another app needs Tencent Cloud credentials/);
      expect(text(other)).not.toMatch(/CAM permission/);
    } finally {
      await conn.close();
    }
  });

  it('a world file that has the app is played as it is', async () => {
    const file = join(dir, 'two-apps.json');
    writeFileSync(file, JSON.stringify({ apps: [{ sdkAppId: 1400000011, rooms: [{ roomId: 7, users: ['u1'] }] }, { sdkAppId: 1400000012, rooms: [{ roomId: 8, users: ['u2'] }] }] }));
    const conn = await connectStdio(['--sandbox-world', file], cleanEnv({ TRTC_SDK_APP_ID: '1400000012' }));
    try {
      expect(conn.stderr()).not.toMatch(/the sandbox plays app/);
      const world = JSON.parse(((await conn.client.readResource({ uri: 'trtc://sandbox/world' })).contents[0] as { text: string }).text) as { apps: Array<{ sdkAppId: number }> };
      expect(world.apps.map((a) => a.sdkAppId)).toEqual([1400000011, 1400000012]);
    } finally {
      await conn.close();
    }
  });
});

describe('sandbox world files are validated like every other input', () => {
  const write = (name: string, world: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(world));
    return file;
  };
  const exit = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code, stderr }));
      child.stdin.end();
    });

  it.each([
    ['a room ID with a space and !', { roomId: 'bad room!', users: ['ann'] }, 'apps[0].rooms[0].roomId: must be a room ID: a number from 1 to 4294967295, or up to 64 letters, digits and - _ . : @ # (got "bad room!")'],
    ['a numeric room ID past the largest', { roomId: 4294967296, users: ['ann'] }, 'apps[0].rooms[0].roomId: must be a room ID: a number from 1 to 4294967295, or up to 64 letters, digits and - _ . : @ # (got 4294967296)'],
    ['a user ID with a line break', { roomId: 5, users: ['ann\nbob'] }, 'apps[0].rooms[0].users[0]: must be a user ID: up to 32 letters, digits and - _ . @ (got "ann\\nbob")'],
    ['a script line of an odd user', { roomId: 5, users: ['ann'], script: [{ userId: 'a b', says: 'hi' }] }, 'apps[0].rooms[0].script[0].userId: must be a user ID'],
  ])('refuses %s, naming the field and the rule, from --sandbox-world and the standalone --world', async (_what, room, message) => {
    const file = write(`bad-${room.roomId}.json`, { apps: [{ sdkAppId: 1400000001, rooms: [room] }] });
    const expected = (setting: string) => `Invalid setting ${setting}: ${file} is not a sandbox world: ${message}`;
    expect(() => readWorldFile(file, '--sandbox-world')).toThrow(expected('--sandbox-world'));
    const served = await exit(['--sandbox', '--sandbox-world', file]);
    expect(served.code).toBe(2);
    expect(served.stderr).toContain(expected('--sandbox-world').replace(/\n/g, '\\u000a'));
    const standalone = await exit(['sandbox', '--world', file]);
    expect(standalone.code).toBe(2);
    expect(standalone.stderr).toContain(expected('--world').replace(/\n/g, '\\u000a'));
  });

  it('accepts the world docs/sandbox.md shows, and the default world', () => {
    const doc = readFileSync(new URL('../docs/sandbox.md', import.meta.url), 'utf8');
    const example = /## Seeding your own world[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(readWorldFile(write('docs-example.json', JSON.parse(example)), '--world').apps[0]!.rooms).toHaveLength(3);
    expect(readWorldFile(write('default.json', DEFAULT_WORLD), '--world')).toEqual(JSON.parse(JSON.stringify(DEFAULT_WORLD)));
  });
});

describe('the AI-bot story reads as docs/sandbox.md tells it', () => {
  let sb: Sandbox | undefined;
  afterAll(async () => sb?.close());

  it('QueryAIMessageList right after StartAIConversation shows what dana said and the bot\'s answer, with no time passing', async () => {
    // The sandbox's clock stands still: her line cannot wait for a timer.
    const frozen = Date.now();
    sb = await withSandbox({ now: () => frozen });
    const conn = await connectStdio([], sandboxEnv(sb));
    try {
      const { TaskId } = (await ok(conn, 'StartAIConversation', { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'ai_helper', TargetUserId: 'dana' } })).structuredContent;
      const said = (await ok(conn, 'QueryAIMessageList', { TaskId })).structuredContent.MessageList;
      const dana = DEFAULT_WORLD.apps[0]!.rooms!.find((r) => r.roomId === 'helpdesk')!.script![0]!.says;
      expect(said).toEqual([{ Role: 'user', Content: dana }, { Role: 'assistant', Content: SANDBOX_BOT_ANSWER }]);
    } finally {
      await conn.close();
    }
    const doc = readFileSync(new URL('../docs/sandbox.md', import.meta.url), 'utf8');
    expect(doc).toMatch(/`QueryAIMessageList` (right after the start )?shows what\s+dana (asked|said)/);
  });
});

describe('a Host the server was not told of', () => {
  const TOKEN = 'keeps-to-itself-bearer-0123456789';
  const get = (url: string, path: string, host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(url);
      const req = http.request({ host: u.hostname, port: u.port, path, headers: { host, authorization: `Bearer ${TOKEN}` } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('the MCP server refuses it, probes too, naming --allowed-hosts and the value to add; listed, it is served', async () => {
    const env = cleanEnv({ TRTC_MCP_AUTH_TOKEN: TOKEN });
    const plain = await spawnHttp(['--sandbox'], env);
    try {
      const port = new URL(plain.url).port;
      for (const path of ['/healthz', '/mcp']) {
        const refused = await get(plain.url, path, `trtc-host.example:${port}`);
        expect(refused.status).toBe(403);
        expect(refused.body).toContain('Host trtc-host.example:' + port + ' is not allowed: to serve requests by that name, add trtc-host.example to --allowed-hosts (TRTC_MCP_ALLOWED_HOSTS).');
      }
      expect((await get(plain.url, '/healthz', `127.0.0.1:${port}`)).status).toBe(200);
    } finally {
      await plain.stop();
    }
    const listed = await spawnHttp(['--sandbox', '--allowed-hosts', 'trtc-host.example'], env);
    try {
      expect((await get(listed.url, '/healthz', `trtc-host.example:${new URL(listed.url).port}`)).status).toBe(200);
    } finally {
      await listed.stop();
    }
  });

  it('the sandbox\'s control endpoints say the same, with its own --allowed-hosts', async () => {
    const sb = await startSandbox({ host: '127.0.0.1', allowedHosts: ['sandbox-host.example'] });
    try {
      const port = new URL(sb.url).port;
      const refused = await get(sb.url, '/_sandbox/world', `other-host.example:${port}`);
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error).toBe(`Host other-host.example:${port} is not allowed: to serve requests by that name, add other-host.example to --allowed-hosts.`);
      expect((await get(sb.url, '/_sandbox/world', `sandbox-host.example:${port}`)).status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it('bound to every address, its control endpoints still answer only loopback names and the names listed', async () => {
    const sb = await startSandbox({ host: '0.0.0.0', allowedHosts: ['sandbox-host.example'] });
    try {
      const port = new URL(sb.url).port;
      const url = `http://127.0.0.1:${port}/`;
      const names = ['rebound.example', '192.0.2.7', '0.0.0.0'];
      const answers = await Promise.all(names.map((name) => get(url, '/_sandbox/world', `${name}:${port}`)));
      recordAttack('sandbox bound to every address: /_sandbox/ by a name it was not given', answers.filter((a) => a.status !== 403).length);
      names.forEach((name, i) => {
        expect(answers[i]!.status, name).toBe(403);
        expect(JSON.parse(answers[i]!.body).error).toContain(`add ${name} to --allowed-hosts`);
      });
      expect((await get(url, '/_sandbox/world', `sandbox-host.example:${port}`)).status).toBe(200);
      expect((await get(url, '/_sandbox/world', `localhost:${port}`)).status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it('the standalone sandbox takes --allowed-hosts', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--allowed-hosts', 'cli-host.example'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
      });
      expect((await get(url, '/_sandbox/world', `cli-host.example:${new URL(url).port}`)).status).toBe(200);
      expect((await get(url, '/_sandbox/world', `nope.example:${new URL(url).port}`)).status).toBe(403);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
