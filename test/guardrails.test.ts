// Guardrails, end to end through real clients: every path that should send nothing sends nothing (counted at the
// sandbox), accepted consent sends exactly one request, and the modes, scope, limits and audit hold.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import {
  callConfirmed, CLI, cleanEnv, cloudRequests, confirmationTokenOf, connectHttp, connectStdio, rememberSecret, sandboxEnv, spawnHttp, text, withSandbox,
  type Connected, type ElicitHandler,
} from './helpers.js';

const APP = 1400000001;
const run = promisify(execFile);

let sb: Sandbox;
const open: Connected[] = [];
beforeAll(async () => {
  sb = await withSandbox({
    world: {
      apps: [
        { sdkAppId: APP, rooms: [{ roomId: 1234, users: ['alice', 'bob', 'carol'] }, { roomId: 'class-101', users: ['t', 's1', 's2'] }, { roomId: 77, users: ['x', 'y'] }, { roomId: 88, users: ['p', 'q'] }] },
        { sdkAppId: 1400000002, rooms: [{ roomId: 5, users: ['z'] }] },
      ],
    },
  });
});
afterAll(() => sb.close());
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect(args: string[] = [], elicit?: ElicitHandler, extraEnv: Record<string, string> = {}) {
  const c = await connectStdio(args, sandboxEnv(sb, extraEnv), elicit);
  open.push(c);
  return c.client;
}
const app = () => sb.world.apps.get(APP)!;
const usersOf = (id: number | string) => [...(sb.world.room(app(), typeof id === 'number' ? 'int' : 'str', id)?.users.keys() ?? [])];
/** Runs `fn` and returns how many requests reached the sandbox's Cloud API meanwhile. */
async function sent(fn: () => Promise<unknown>): Promise<number> {
  const before = cloudRequests(sb).length;
  await fn();
  return cloudRequests(sb).length - before;
}

describe('consent through elicitation', () => {
  it('asks the human to type the room ID back before dismissing, and sends exactly one request when they do', async () => {
    const asked: string[] = [];
    const client = await connect([], (p) => {
      asked.push((p as { message: string }).message);
      return { action: 'accept', content: { confirm: '77' } };
    });
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 77 } })))).toBe(1);
    expect(r!.isError).toBeFalsy();
    expect(asked[0]).toMatch(/DismissRoom on app 1400000001/);
    expect(asked[0]).toMatch(/RoomId: 77/);
    expect(asked[0]).toMatch(/Type "77" to confirm/);
    expect(usersOf(77)).toEqual([]);
  });

  it.each<[string, ElicitHandler]>([
    ['declines', () => ({ action: 'decline' })],
    ['cancels', () => ({ action: 'cancel' })],
    ['types the wrong room ID', () => ({ action: 'accept', content: { confirm: '1235' } })],
  ])('sends nothing when the human %s', async (_label, handler) => {
    const client = await connect([], handler);
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234 } })))).toBe(0);
    expect(r!.isError).toBe(true);
    expect(text(r!)).toMatch(/nothing was sent/);
    expect(usersOf(1234)).toHaveLength(3);
  });

  it('masks secrets in what it shows the human', async () => {
    const asked: string[] = [];
    const client = await connect(['--toolsets', 'room,conference'], (p) => {
      asked.push((p as { message: string }).message);
      return { action: 'decline' };
    });
    const secret = app().sdkSecretKey;
    await client.callTool({ name: 'conference_kick_user_out', arguments: { RoomId: 'class-101', MemberList_Account: ['s1'], Reason: `pasted ${secret} by mistake` } });
    expect(asked[0]).toMatch(/Reason: "pasted \[redacted\] by mistake"/);
    expect(asked[0]).not.toContain(secret);
  });

  it('uses a tick box for destructive actions without a confirmField', async () => {
    const schemas: unknown[] = [];
    const client = await connect([], (p) => {
      schemas.push((p as { requestedSchema: unknown }).requestedSchema);
      return { action: 'accept', content: { confirm: false } };
    });
    expect(await sent(() => client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['alice'] } }))).toBe(0);
    expect(schemas[0]).toMatchObject({ properties: { confirm: { type: 'boolean' } } });
  });
});

describe('two-step confirmation for clients without elicitation', () => {
  it('previews without sending, then the same arguments plus the token send exactly one request', async () => {
    const client = await connect();
    const args = { RoomId: 1234, UserIds: ['carol'] };
    let preview: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (preview = await client.callTool({ name: 'RemoveUser', arguments: args })))).toBe(0);
    expect(preview!.isError).toBe(true);
    expect(text(preview!)).toMatch(/RemoveUser on app 1400000001/);
    expect(text(preview!)).toMatch(/UserIds: \["carol"\]/);
    const token = confirmationTokenOf(preview!);
    let done: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (done = await client.callTool({ name: 'RemoveUser', arguments: { ...args, confirmationToken: token } })))).toBe(1);
    expect(done!.isError).toBeFalsy();
    expect(usersOf(1234)).not.toContain('carol');

    // A token works once.
    let replay: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (replay = await client.callTool({ name: 'RemoveUser', arguments: { ...args, confirmationToken: token } })))).toBe(0);
    expect(text(replay!)).toMatch(/was already used/);
  });

  it.each([
    ['a made-up token', () => 'c2.9999999999.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /does not match/],
    ['garbage', () => 'please', /is not a confirmation token/],
  ])('sends nothing for %s', async (_label, token, message) => {
    const client = await connect();
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234, confirmationToken: token() } })))).toBe(0);
    expect(text(r!)).toMatch(message);
  });

  it('sends nothing when the arguments changed after the preview', async () => {
    const client = await connect();
    const token = confirmationTokenOf(await client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } }));
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['alice'], confirmationToken: token } })))).toBe(0);
    expect(text(r!)).toMatch(/does not match this call as it would run now/);
    // The app is bound too: the same room in another app is a different request.
    expect(await sent(() => client.callTool({ name: 'RemoveUser', arguments: { SdkAppId: 1400000002, RoomId: 1234, UserIds: ['bob'], confirmationToken: token } }))).toBe(0);
  });

  it('sends nothing when the token has expired', async () => {
    const client = await connect(['--confirm-ttl', '1']);
    const token = confirmationTokenOf(await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234 } }));
    await new Promise((r) => setTimeout(r, 2100));
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234, confirmationToken: token } })))).toBe(0);
    expect(text(r!)).toMatch(/has expired/);
  });

  it('is stateless: a token survives a restart of the server when the key is shared', async () => {
    const env = { TRTC_MCP_CONFIRM_SECRET: 'shared-confirmation-key-0001' };
    const args = { RoomId: 88, UserIds: ['q'] };
    const first = await connectStdio([], sandboxEnv(sb, env));
    const token = confirmationTokenOf(await first.client.callTool({ name: 'RemoveUser', arguments: args }));
    await first.close();
    const second = await connect([], undefined, env);
    let r: Awaited<ReturnType<typeof second.callTool>> | undefined;
    expect(await sent(async () => (r = await second.callTool({ name: 'RemoveUser', arguments: { ...args, confirmationToken: token } })))).toBe(1);
    expect(r!.isError).toBeFalsy();
  });

  it('keeps tokens valid across restarts in sandbox mode too, by a key in the state store, as a client that starts a server per call needs', async () => {
    // No credentials and no TRTC_MCP_CONFIRM_SECRET: each process makes up its own sandbox credentials.
    const store = mkdtempSync(join(tmpdir(), 'trtc-store-'));
    const once = async (extra: Record<string, unknown>, storeSpec = store) => {
      const c = await connectStdio(['--sandbox'], cleanEnv({ TRTC_MCP_STORE: storeSpec }));
      try {
        return await c.client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234, ...extra } });
      } finally {
        await c.close();
      }
    };
    const token = confirmationTokenOf(await once({}));
    const done = await once({ confirmationToken: token });
    expect(done.isError, text(done)).toBeFalsy();
    expect(text(done)).toContain('"RequestId"');
    // The key is the store's: servers that do not share it do not accept each other's tokens.
    const elsewhere = await once({ confirmationToken: token }, mkdtempSync(join(tmpdir(), 'trtc-store-')));
    expect(text(elsewhere)).toContain('does not match this call as it would run now');
    const memory = await once({ confirmationToken: confirmationTokenOf(await once({}, 'memory')) }, 'memory');
    expect(text(memory)).toContain('does not match this call as it would run now');
    // The key never shows in any output.
    rememberSecret(...readdirSync(join(store, 'kv'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => JSON.parse(readFileSync(join(e.parentPath, e.name), 'utf8')).value as string));
  });
});

describe('consent policy', () => {
  it('asks before every mutating action with --confirm mutating', async () => {
    const client = await connect(['--confirm', 'mutating']);
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'alice', IsMute: 1 } })))).toBe(0);
    expect(await sent(() => client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'alice', IsMute: 1, confirmationToken: confirmationTokenOf(r!) } }))).toBe(1);
  });

  it('refuses to turn consent off without the dangerous flag', async () => {
    const err = (await run(process.execPath, [CLI, '--confirm', 'none'], { env: sandboxEnv(sb) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/--dangerously-skip-consent/);
  });

  it('runs destructive actions directly with --dangerously-skip-consent, and the audit says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtc-audit-'));
    const auditPath = join(dir, 'audit.jsonl');
    const client = await connect(['--dangerously-skip-consent', '--audit-log', auditPath]);
    expect(await sent(() => client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['alice'] } }))).toBe(1);
    const records = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.at(-1)).toMatchObject({ type: 'audit', tool: 'RemoveUser', consent: 'policy-off', outcome: 'ok', app: APP, args: { RoomId: 1234, UserIds: ['alice'] } });
  });
});

describe('modes and scope', () => {
  it('--read-only lists only read tools and refuses writes without sending', async () => {
    const client = await connect(['--read-only']);
    const { tools } = await client.listTools();
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    expect(tools.map((t) => t.name)).not.toContain('RemoveUser');
    expect(await sent(() => client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } }).catch((e: Error) => e))).toBe(0);
  });

  it('--toolsets, --tools and --deny-tools choose what is exposed', async () => {
    const client = await connect(['--toolsets', 'room', '--deny-tools', 'DismissRoom,DismissRoomByStrRoomId']);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('RemoveUser');
    expect(names).not.toContain('DismissRoom');
    await expect(client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234 } })).rejects.toThrow(/Unknown tool/);
  });

  it.each([
    [['--toolsets', 'rooms'], /--toolsets: unknown rooms/],
    [['--tools', 'DropDatabase'], /--tools: no tool named DropDatabase/],
  ])('fails at start-up on an unknown selection %j', async (args, message) => {
    const err = (await run(process.execPath, [CLI, ...args], { env: sandboxEnv(sb) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(message);
  });

  it('refuses apps outside --allow-apps before sending', async () => {
    const client = await connect(['--allow-apps', String(APP)]);
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'SetUserBlocked', arguments: { SdkAppId: 1400000002, RoomId: 5, UserId: 'z', IsMute: 1 } })))).toBe(0);
    expect(text(r!)).toMatch(/Refused: SdkAppId 1400000002 is outside the apps this server may touch \(1400000001\)/);
    expect(await sent(() => client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 0 } }))).toBe(1);
  });

  it('refuses rooms outside --allow-rooms before sending', async () => {
    const client = await connect(['--allow-rooms', 'class-*']);
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } })))).toBe(0);
    expect(text(r!)).toMatch(/Refused: room 1234 is outside the rooms this server may touch \(class-\*\)/);
    expect(await sent(() => client.callTool({ name: 'SetUserBlockedByStrRoomId', arguments: { StrRoomId: 'class-101', UserId: 's1', IsMute: 1 } }))).toBe(1);
  });

  it('--dry-run shows the exact request with secrets redacted and sends nothing', async () => {
    const client = await connect(['--dry-run']);
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234 } })))).toBe(0);
    const out = text(r!);
    expect(out).toMatch(/Dry run: nothing was sent/);
    expect(out).toContain(`\nPOST ${sb.url}\n`);
    expect(out).toContain('\nX-TC-Action: DismissRoom\n');
    expect(out).toContain(`\n\n{"RoomId":1234,"SdkAppId":${APP}}`);
    expect(out).toContain('\nAuthorization: [redacted]\n');
    expect(out).not.toMatch(/Signature=[0-9a-f]{16}/);
    expect(out).not.toContain(sb.accounts[0]!.secretKey);
  });

  it('--dry-run shows, byte for byte, the body a paged tool sends first', async () => {
    // A capture endpoint: records each body and answers with an empty page.
    const bodies: string[] = [];
    const capture = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Response: { Total: 0, RoomList: [], UserList: [], RequestId: `capture-${bodies.length}` } }));
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    const env = { TRTC_ENDPOINT: `http://127.0.0.1:${(capture.address() as AddressInfo).port}/` };
    try {
      const preview = await connect(['--dry-run', '--toolsets', 'quality'], undefined, env);
      const live = await connect(['--toolsets', 'quality'], undefined, env);
      const end = Math.floor(Date.now() / 1000);
      const window = { StartTime: end - 1800, EndTime: end };
      const calls: Array<[string, Record<string, unknown>]> = [
        ['DescribeRoomInfo', { ...window, AllPages: true }],
        ['DescribeRoomInfo', { ...window, AllPages: false, PageNumber: 2 }],
        ['DescribeRoomInfo', { ...window }],
        ['DescribeUserInfo', { ...window, CommId: 'c1', PageSize: 3, AllPages: true }],
        ['DescribeCallDetailInfo', { ...window, CommId: 'c1', DataType: ['aLoss'], AllPages: true }],
        ['DescribeCallDetailInfo', { ...window, CommId: 'c1', PageNumber: 1, PageSize: 50 }],
      ];
      for (const [name, args] of calls) {
        const shown = text(await preview.callTool({ name, arguments: args }));
        expect(shown).toContain('Dry run: nothing was sent');
        const before = bodies.length;
        const r = await live.callTool({ name, arguments: args });
        expect(r.isError, text(r)).toBeFalsy();
        expect(bodies.length - before).toBe(1);
        const sentBody = bodies.at(-1)!;
        // The body is the message's last part, after the blank line that ends the headers.
        expect(shown.slice(shown.indexOf('\n\n') + 2).split('\n')[0], `${name} ${JSON.stringify(args)}`).toBe(sentBody);
        expect(sentBody).not.toContain('AllPages');
        if (args.AllPages) expect(JSON.parse(sentBody)).toMatchObject({ PageNumber: 0, PageSize: expect.any(Number) });
      }
    } finally {
      capture.close();
    }
  });

  it('refuses an action the configured region does not serve, without sending', async () => {
    const client = await connect(['--region', 'eu-frankfurt']);
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } })))).toBe(0);
    expect(text(r!)).toMatch(/served only in ap-beijing, ap-guangzhou, ap-singapore/);
  });
});

describe('rate limits', () => {
  // Its own sandbox: the service counts per account, so other tests' calls must not share the window.
  let rsb: Sandbox;
  beforeAll(async () => {
    rsb = await withSandbox();
  });
  afterAll(() => rsb.close());
  const connectRated = async (args: string[] = []) => {
    const c = await connectStdio(args, sandboxEnv(rsb));
    open.push(c);
    return c.client;
  };
  const setUserBlocked = () => cloudRequests(rsb, 'SetUserBlocked');
  const burst = (client: Awaited<ReturnType<typeof connect>>, n: number) =>
    Promise.all(Array.from({ length: n }, (_, i) => client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: i % 2 } })));

  it('holds a burst under the documented 20/s by waiting: nothing is rejected by the service', async () => {
    const client = await connectRated();
    const started = Date.now();
    const results = await burst(client, 30);
    expect(results.filter((r) => r.isError)).toEqual([]);
    expect(setUserBlocked()).toHaveLength(30);
    expect(setUserBlocked().filter((r) => r.code === 'RequestLimitExceeded')).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('fails clearly instead of sending when the wait budget is zero', async () => {
    const client = await connectRated(['--rate-limit-wait', '0']);
    await new Promise((r) => setTimeout(r, 1100)); // a fresh window for this account
    const before = setUserBlocked().length;
    const results = await burst(client, 25);
    const refused = results.filter((r) => r.isError);
    expect(refused).toHaveLength(5);
    expect(text(refused[0]!)).toMatch(/SetUserBlocked was not sent: SetUserBlocked allows 20 requests per second; the next slot frees in [\d.]+ s/);
    expect(setUserBlocked().length - before).toBe(20);
    expect(setUserBlocked().filter((r) => r.code === 'RequestLimitExceeded')).toEqual([]);
  });
});

describe('retries never duplicate a write', () => {
  it('reports an unknown outcome for a write that timed out after it was sent, and does not re-send it', async () => {
    let received = 0;
    const hang = http.createServer(() => {
      received++; // never answers
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/`;
    try {
      const c = await connectStdio(['--timeout', '300', '--max-retries', '3'], sandboxEnv(sb, { TRTC_ENDPOINT: url }));
      open.push(c);
      const r = await c.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } });
      expect(r.isError).toBe(true);
      expect(text(r)).toMatch(/timed out/);
      expect(text(r)).toMatch(/outcome is unknown/);
      expect(received).toBe(1);
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });

  it('retries a write that never left the machine, and says so when it still fails', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise<void>((r) => closed.close(() => r()));
    const c = await connectStdio(['--max-retries', '2', '--log-level', 'debug'], sandboxEnv(sb, { TRTC_ENDPOINT: url }));
    open.push(c);
    const r = await c.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } });
    expect(text(r)).toMatch(/never reached TRTC; nothing was changed/);
    expect(c.stderr().match(/cloud call failed.*ECONNREFUSED/g)).toHaveLength(3);
  });
});

describe('audit', () => {
  it('appends one JSON line per write attempt with redacted arguments, outcome, RequestId and consent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtc-audit-'));
    const auditPath = join(dir, 'audit.jsonl');
    const client = await connect(['--audit-log', auditPath]);
    await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } });
    const preview = await client.callTool({ name: 'RemoveUser', arguments: { RoomId: 424242, UserIds: ['q'] } });
    await client.callTool({ name: 'RemoveUser', arguments: { RoomId: 424242, UserIds: ['q'], confirmationToken: confirmationTokenOf(preview) } });
    await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 'x' } });
    const records = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(4);
    expect(records[0]).toMatchObject({ tool: 'SetUserBlocked', outcome: 'ok', consent: 'not-required', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), app: APP });
    expect(records[1]).toMatchObject({ tool: 'RemoveUser', outcome: 'confirmation-required', consent: 'awaiting-token' });
    expect(records[2]).toMatchObject({ tool: 'RemoveUser', outcome: 'FailedOperation.RoomNotExist', consent: 'token', requestId: expect.any(String) });
    expect(records[2].args).toEqual({ RoomId: 424242, UserIds: ['q'], SdkAppId: APP });
    expect(records[3]).toMatchObject({ outcome: 'invalid' });
    for (const r of records) expect(typeof r.time).toBe('string');
  });

  it('records every attempted write, even arguments nested thousands deep, which are refused naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtc-audit-'));
    const auditPath = join(dir, 'audit.jsonl');
    const client = await connect(['--audit-log', auditPath]);
    let deep: unknown = 1234;
    for (let i = 0; i < 3000; i++) deep = { n: deep };
    let shallow: unknown = 1;
    for (let i = 0; i < 32; i++) shallow = [shallow];
    const calls = [
      () => client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: deep, UserId: 'bob', IsMute: 1 } }),
      () => client.callTool({ name: 'call_tool', arguments: { name: 'DismissRoom', arguments: { RoomId: deep } } }),
      () => client.callTool({ name: 'call_tool', arguments: { name: 'DescribeRoomInfo', arguments: { StartTime: 1, EndTime: 2, RoomId: deep } } }),
    ];
    for (const call of calls) {
      let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
      expect(await sent(async () => (r = await call()))).toBe(0);
      expect(r!.isError).toBe(true);
      // The path to where the nesting passes the limit, so the field is named.
      expect(text(r!)).toContain(`nothing was sent:\n- RoomId${'.n'.repeat(32)}: is nested more than 32 levels deep`);
    }
    // 32 levels is still an ordinary invalid value.
    expect(text(await client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: shallow, UserId: 'bob', IsMute: 1 } }))).toContain('- RoomId: must be a number');
    const records = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // The two writes and the last one; the read is not audited.
    expect(records.map((r) => [r.tool, r.outcome])).toEqual([['SetUserBlocked', 'invalid'], ['DismissRoom', 'invalid'], ['SetUserBlocked', 'invalid']]);
    expect(JSON.stringify(records[0].args)).toContain('[nested too deep]');
  });

  it('caps each record at 8 KB and says what it left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtc-audit-'));
    const auditPath = join(dir, 'audit.jsonl');
    const client = await connect(['--audit-log', auditPath, '--dangerously-skip-consent']);
    const many = Array.from({ length: 200_000 }, (_, i) => `user-${i}`);
    expect((await client.callTool({ name: 'RemoveUser', arguments: { RoomId: 77, UserIds: many } })).isError).toBe(true);
    const long = await client.callTool({ name: 'SetUserBlockedByStrRoomId', arguments: { StrRoomId: 'x'.repeat(50_000), UserId: 's1', IsMute: 0 } });
    expect(long.isError).toBe(true);
    const lines = readFileSync(auditPath, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(8 * 1024);
    const [removal, blocked] = lines.map((l) => JSON.parse(l));
    expect(removal).toMatchObject({ tool: 'RemoveUser', outcome: 'invalid', args: { RoomId: 77 } });
    expect(removal.cut).toMatch(/^left out to keep this record under 8192 bytes: args\.UserIds \(200000 items, \d+ bytes\)$/);
    expect(blocked).toMatchObject({ tool: 'SetUserBlockedByStrRoomId', args: { UserId: 's1', IsMute: 0, SdkAppId: APP } });
    expect(blocked.cut).toMatch(/args\.StrRoomId \(50000 characters, 50002 bytes\)/);
  });

  it('goes to stderr when no path is set', async () => {
    const c = await connectStdio([], sandboxEnv(sb));
    open.push(c);
    await c.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 0 } });
    expect(c.stderr()).toMatch(/\{"time":"[^"]+","type":"audit","tool":"SetUserBlocked"/);
  });
});

describe('credentials from a Tencent CLI profile file', () => {
  it('reads ~/.tccli/<profile>.credential so keys need not be in the client config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tccli-'));
    const { secretId, secretKey } = sb.accounts[0]!;
    writeFileSync(join(dir, 'work.credential'), JSON.stringify({ secretId, secretKey }));
    const env = cleanEnv({ TRTC_ENDPOINT: sb.url, TRTC_SDK_APP_ID: String(APP) });
    const c = await connectStdio(['--profile', 'work', '--credentials-dir', dir], env);
    open.push(c);
    expect(c.client.getInstructions()).not.toMatch(/Sandbox/);
    expect(await sent(() => c.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 0 } }))).toBe(1);
    expect(c.stderr()).toContain(`profile ${join(dir, 'work.credential')}`);
  });

  it('fails at start-up when the profile file is missing', async () => {
    const err = (await run(process.execPath, [CLI, '--profile', 'nope', '--credentials-dir', tmpdir()], { env: cleanEnv() }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/--profile: cannot read .*nope\.credential \(it does not exist\)/);
  });
});

describe('HTTP transport security', () => {
  const token = 'test-bearer-token-0123456789';
  let srv: Awaited<ReturnType<typeof spawnHttp>>;
  beforeAll(async () => {
    rememberSecret(token);
    srv = await spawnHttp(['--max-body-bytes', '4096', '--max-sessions', '2'], sandboxEnv(sb, { TRTC_MCP_AUTH_TOKEN: token }));
  });
  afterAll(() => srv.stop());
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
  const post = (headers: Record<string, string>, body: string = JSON.stringify(init)) =>
    fetch(`${srv.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });

  it('refuses requests without the bearer token, or with a wrong one, with 401', async () => {
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await post({ authorization: token })).status).toBe(401);
  });

  it('serves a client that presents the token', async () => {
    const client = await connectHttp(srv.url, 'streamable', { authorization: `Bearer ${token}` });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('refuses a foreign Host or Origin with 403 (DNS rebinding)', async () => {
    const port = new URL(srv.url).port;
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      });
      req.on('error', reject);
      req.end(JSON.stringify(init));
    });
    expect(res).toBe(403);
    expect((await post({ authorization: `Bearer ${token}`, origin: 'http://evil.example' })).status).toBe(403);
  });

  it('refuses oversized bodies with 413', async () => {
    const big = JSON.stringify({ ...init, params: { ...init.params, pad: 'x'.repeat(10_000) } });
    expect((await post({ authorization: `Bearer ${token}` }, big)).status).toBe(413);
  });

  it('limits the number of sessions', async () => {
    const clients = [];
    for (let i = 0; i < 2; i++) clients.push(await connectHttp(srv.url, 'streamable', { authorization: `Bearer ${token}` }));
    expect((await post({ authorization: `Bearer ${token}` })).status).toBe(503);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('refuses to bind beyond loopback without a token', async () => {
    const err = (await run(process.execPath, [CLI, '--transport', 'http', '--host', '0.0.0.0', '--port', '0'], { env: sandboxEnv(sb) }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/Refusing to serve HTTP on 0\.0\.0\.0 without authentication/);
  });
});

describe('consent over HTTP', () => {
  let srv: Awaited<ReturnType<typeof spawnHttp>>;
  beforeAll(async () => {
    srv = await spawnHttp([], sandboxEnv(sb));
  });
  afterAll(() => srv.stop());

  it('elicits over Streamable HTTP: accept sends one request, decline sends none', async () => {
    const yes = await connectHttp(srv.url, 'streamable', {}, () => ({ action: 'accept', content: { confirm: true } }));
    expect(await sent(() => yes.callTool({ name: 'RemoveUserByStrRoomId', arguments: { RoomId: 'class-101', UserIds: ['s2'] } }))).toBe(1);
    const no = await connectHttp(srv.url, 'streamable', {}, () => ({ action: 'decline' }));
    expect(await sent(() => no.callTool({ name: 'DismissRoomByStrRoomId', arguments: { RoomId: 'class-101' } }))).toBe(0);
    await Promise.all([yes.close(), no.close()]);
    expect(usersOf('class-101')).toEqual(['t', 's1']);
  });

  it('confirms in two steps over legacy SSE', async () => {
    const client = await connectHttp(srv.url, 'sse');
    let r: Awaited<ReturnType<typeof client.callTool>> | undefined;
    expect(await sent(async () => (r = await client.callTool({ name: 'DismissRoomByStrRoomId', arguments: { RoomId: 'class-101' } })))).toBe(0);
    expect(await sent(() => client.callTool({ name: 'DismissRoomByStrRoomId', arguments: { RoomId: 'class-101', confirmationToken: confirmationTokenOf(r!) } }))).toBe(1);
    expect(usersOf('class-101')).toEqual([]);
    await client.close();
  });
});
