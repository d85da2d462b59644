// Attacks on the guardrails through the built server, one group per rule they break: consent binds what the
// human was shown, a denial covers every surface of the same data, every write attempt is audited, no text from
// outside drives the terminal that shows the log, no sender holds a connection by trickling a body, no stored time
// breaks a read, scope tells numeric rooms from string rooms, and account-wide targets need the operator's say.
// Each attack counts what it got through at the sandbox (recordAttack).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallback } from '../src/events/signature.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { CATALOG } from '../tools/index.js';
import {
  cloudRequests, connectHttp, connectStdio, recordAttack, sandboxEnv, spawnHttp, text, trickle, waitForLog, withSandbox,
  type Connected, type SpawnedHttp,
} from './helpers.js';
import { envelope, post } from './modern.js';

const APP = 1400000001;
const KEY = 'attacksCallbackKey0123456789abcd';
const FORMS = { elicitation: { form: {} } };
type Result = Awaited<ReturnType<Client['callTool']>>;
/** The action a tool sends, as the sandbox records it. */
const wire = (tool: string) => {
  const def = CATALOG.find((d) => d.name === tool)!;
  return def.api.kind === 'cloud' ? def.api.action : `${def.api.service}/${def.api.command}`;
};

const WORLD = {
  apps: [{
    sdkAppId: APP,
    rooms: [
      { roomId: 1234, users: ['carol', 'dave'] },
      // A string room with the same text as numeric room 1234: TRTC keeps them apart, and so must scope.
      { roomId: '1234', users: ['sam'] },
      { roomId: 'help-1', users: ['hal'] },
      { roomId: 99, users: ['zed'] },
    ],
  }],
};

const callback = (info: Record<string, unknown>, type = 103, sentAt = Date.now()) =>
  JSON.stringify({ EventGroupId: Math.floor(type / 100), EventType: type, CallbackTs: sentAt, EventInfo: { EventTs: Math.floor(sentAt / 1000), EventMsTs: sentAt, Role: 20, Reason: 1, ...info } });
const sendCallback = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', Sign: signCallback(KEY, body), SdkAppId: String(APP) } });

/** Audit records a server wrote to its stderr (the default trail). */
const auditOf = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('{') && l.includes('"type":"audit"')).map((l) => JSON.parse(l) as Record<string, any>);

/** Raw bytes a terminal would act on: C0 controls other than the line break, DEL, C1 (CSI, NEL). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Stores of their own, for servers whose reads or ledger must not meet other tests' state. */
const dirs: string[] = [];
const ownStore = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trtc-attacks-'));
  dirs.push(dir);
  return dir;
};

let sb: Sandbox;
beforeAll(async () => {
  sb = await withSandbox({ world: WORLD });
});
afterAll(async () => {
  await sb.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('one HTTP server: event tools and RemoveUser denied, every write needing consent', () => {
  let srv: SpawnedHttp;
  let legacy: Client;
  const rpc = (params: Record<string, unknown>, caps: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    post(srv.url, 'tools/call', { ...params, _meta: envelope(caps) }, headers);
  const startBot = (n: string) => ({ RoomId: '1234', RoomIdType: 0, AgentConfig: { UserId: n, TargetUserId: 'carol' } });

  beforeAll(async () => {
    srv = await spawnHttp(['--toolsets', 'all', '--confirm', 'mutating', '--deny-tools', 'list_events,wait_for_events,RemoveUser'], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY }));
    legacy = await connectHttp(srv.url);
    // An event the denied tools would show.
    expect((await sendCallback(`${srv.url}/callbacks`, callback({ RoomId: 1234, UserId: 'hidden-event' }))).status).toBe(200);
  });
  afterAll(async () => {
    await legacy.close();
    await srv.stop();
  });

  describe('a denial covers every surface that reaches the same data', () => {
    const uri = `trtc://apps/${APP}/rooms/1234/events`;

    it('the event resources are neither listed nor readable, in both eras, and cannot be subscribed to', async () => {
      let leaked = 0;
      expect((await legacy.listResourceTemplates()).resourceTemplates).toEqual([]);
      const read = await legacy.readResource({ uri }).then((r) => JSON.stringify(r), (err: Error) => err.message);
      if (read.includes('hidden-event')) leaked++;
      expect(read).toMatch(/Resource not found/);
      const sub = await legacy.subscribeResource({ uri }).then(() => 'subscribed', (err: Error) => err.message);
      expect(sub).toMatch(/cannot be subscribed to/);
      const templates = await post(srv.url, 'resources/templates/list', { _meta: envelope() });
      expect(templates.messages[0]!.result.resourceTemplates).toEqual([]);
      const modern = await post(srv.url, 'resources/read', { uri, _meta: envelope() });
      if (JSON.stringify(modern.messages).includes('hidden-event')) leaked++;
      expect(modern.messages[0]!.error).toBeDefined();
      recordAttack('deny: event resources read after list_events and wait_for_events were denied', 0, leaked);
      expect(leaked).toBe(0);
    });

    it('the tools are refused directly and through call_tool, and prompts say the step of a denied tool cannot be done here, naming no tool', async () => {
      await expect(legacy.callTool({ name: 'list_events', arguments: {} })).rejects.toThrow(/Unknown tool: list_events/);
      const through = (await legacy.callTool({ name: 'call_tool', arguments: { name: 'wait_for_events', arguments: {} } })) as Result;
      expect(through.isError).toBe(true);
      expect(text(through)).not.toContain('hidden-event');
      const prompt = await legacy.getPrompt({ name: 'moderate_room', arguments: { roomId: '1234' } });
      const steps = (prompt.messages[0]!.content as { text: string }).text;
      expect(steps).toContain('4. This server cannot remove users from a room. Skip this step and tell me.');
      expect(steps).not.toMatch(/\bRemoveUser\b/);
    });
  });

  describe('every write attempt is audited, whichever era and whatever the outcome', () => {
    it('the input_required round, a requestState moved to another call, and a denied tool each leave a record', async () => {
      const before = auditOf(srv.stderr()).length;
      const asked = await rpc({ name: 'StartAIConversation', arguments: startBot('bot_a1') }, FORMS);
      const round = asked.messages[0]!.result;
      expect(round.resultType).toBe('input_required');
      // The same requestState carried to another call (another bot): refused before anything runs.
      const moved = await rpc({ name: 'StartAIConversation', arguments: startBot('bot_a2'), requestState: round.requestState, inputResponses: { consent: { action: 'accept', content: { confirm: true } } } }, FORMS);
      expect(moved.messages[0]!.error).toMatchObject({ code: -32602 });
      const sent = cloudRequests(sb, 'StartAIConversation').length;
      recordAttack('audit: requestState moved to another call', sent);
      expect(sent).toBe(0);
      await expect(legacy.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['dave'] } })).rejects.toThrow();
      await legacy.callTool({ name: 'call_tool', arguments: { name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['carol'] } } });
      const records = auditOf(srv.stderr()).slice(before);
      expect(records).toEqual(expect.arrayContaining([
        expect.objectContaining({ tool: 'StartAIConversation', outcome: 'input-required', consent: 'asked-in-result', args: expect.objectContaining({ AgentConfig: expect.objectContaining({ UserId: 'bot_a1' }) }) }),
        expect.objectContaining({ tool: 'StartAIConversation', outcome: 'refused:request-state', args: expect.objectContaining({ AgentConfig: expect.objectContaining({ UserId: 'bot_a2' }) }) }),
        expect.objectContaining({ tool: 'RemoveUser', outcome: 'refused:denied', args: { RoomId: 1234, UserIds: ['dave'] } }),
        expect.objectContaining({ tool: 'RemoveUser', outcome: 'refused:denied', args: { RoomId: 1234, UserIds: ['carol'] } }),
      ]));
    });
  });

  describe('consent binds the effect and its reason as the human was shown them', () => {
    it('an answer to a requestState asked for a write is not used once the call would end a running task: the human is asked again', async () => {
      const asked = await rpc({ name: 'StartAIConversation', arguments: startBot('bot_r1') }, FORMS);
      const round = asked.messages[0]!.result;
      expect(round.inputRequests.consent.params.message).toMatch(/Effect: write\n/);
      // Meanwhile the same bot is started with a consent of its own (the token channel).
      const preview = await rpc({ name: 'StartAIConversation', arguments: startBot('bot_r1') });
      const token = (preview.messages[0]!.result._meta as { confirmation: { token: string } }).confirmation.token;
      const started = await rpc({ name: 'StartAIConversation', arguments: { ...startBot('bot_r1'), confirmationToken: token } });
      expect(started.messages[0]!.result.isError).toBeFalsy();
      const before = cloudRequests(sb, 'StartAIConversation').length;
      const retry = await rpc({ name: 'StartAIConversation', arguments: startBot('bot_r1'), requestState: round.requestState, inputResponses: { consent: { action: 'accept', content: { confirm: true } } } }, FORMS);
      const sent = cloudRequests(sb, 'StartAIConversation').length - before;
      recordAttack('consent: requestState answered for a write, retried once the call became destructive', sent);
      expect(sent).toBe(0);
      const again = retry.messages[0]!.result;
      expect(again.resultType).toBe('input_required');
      expect(again.inputRequests.consent.params.message).toMatch(/Effect: destructive: bot user "bot_r1" already runs task/);
      expect(sb.world.tasks.runningBots(sb.world.apps.get(APP)!, 'int', '1234', 'bot_r1')).toHaveLength(1);
    });
  });

  describe('no text from outside drives the terminal that shows the log', () => {
    const FORGED = 'x\u001b[2K\u001b[1A\u001b[2K\u001b[31mFORGED\u001b[0m';

    it('a tool name in the base64 form of Mcp-Name, with a junk requestState, is logged escaped', async () => {
      const r = await rpc({ name: FORGED, arguments: {}, requestState: 'junk' }, FORMS, { 'mcp-name': `=?base64?${Buffer.from(FORGED).toString('base64')}?=` });
      expect(r.messages[0]!.error).toBeDefined();
      await waitForLog(srv.stderr, /requestState refused/);
      expect(srv.stderr()).not.toMatch(RAW_CONTROL);
      expect(srv.stderr()).toContain('x\\u001b[2K\\u001b[1A\\u001b[2K\\u001b[31mFORGED\\u001b[0m');
    });

    it('an unauthenticated SdkAppId header on /callbacks with C1 controls is logged escaped', async () => {
      const u = new URL(srv.url);
      const status = await new Promise<string>((resolve, reject) => {
        const socket = tcp(Number(u.port), u.hostname, () => {
          // Bytes 0x9b (CSI) and 0x85 (NEL), as a header carries them (Latin-1).
          socket.end(Buffer.concat([Buffer.from(`POST /callbacks HTTP/1.1\r\nHost: ${u.host}\r\nSdkAppId: 1`), Buffer.from([0x9b]), Buffer.from('31m'), Buffer.from([0x85]), Buffer.from('x\r\nContent-Length: 0\r\n\r\n')]));
        });
        let got = '';
        socket.on('data', (d) => (got += d.toString('latin1')));
        socket.on('close', () => resolve(got.split('\r\n')[0]!));
        socket.on('error', reject);
      });
      expect(status).toMatch(/^HTTP\/1\.1 401/);
      await waitForLog(srv.stderr, /callback refused.*sdkAppId=/);
      expect(srv.stderr()).not.toMatch(RAW_CONTROL);
      expect(srv.stderr()).toContain('\\u009b31m\\u0085x');
    });
  });

  describe('no sender holds a connection by trickling a body', () => {
    it('/callbacks on the MCP port answers a slow unauthenticated body 408 within the callback deadline', async () => {
      const slow = await trickle(`${srv.url}/callbacks`, { Sign: 'x', SdkAppId: String(APP) }, 200_000, 250);
      recordAttack('slow body on /callbacks of the MCP port', slow.status === 408 ? 0 : 1);
      expect(slow.status).toBe(408);
      expect(slow.ms).toBeLessThan(6_000);
    });
  });
});

describe('one stdio server scoped to numeric room 1234 and string rooms help-*', () => {
  let conn: Connected;
  let client: Client;
  let callbacks: string;
  const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as Result;
  const lookupsOf = (tool: string) => conn.stderr().split('\n').filter((l) => l.includes(` lookup tool=${tool}`)).length;
  /** An attack on scope: the call is refused and sends nothing but the reads that locate its target (never shown). */
  const refused = async (name: string, tool: string, args: Record<string, unknown>) => {
    const before = sb.requests.length;
    const lookups = lookupsOf(tool);
    const r = await call(tool, args);
    const sent = sb.requests.slice(before).filter((q) => q.action === wire(tool)).length - (lookupsOf(tool) - lookups);
    recordAttack(`scope: ${name}`, sent);
    expect(sent, name).toBe(0);
    expect(text(r)).toMatch(/^Refused: .*Nothing was sent\./s);
    return text(r);
  };

  beforeAll(async () => {
    // A store of its own: the events it reads are the ones these tests send.
    const store = ownStore();
    conn = await connectStdio(['--toolsets', 'all', '--allow-apps', String(APP), '--allow-rooms', '1234,str:help-*', '--callbacks-listen', '127.0.0.1:0'], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY, TRTC_MCP_STORE: store }));
    client = conn.client;
    [, callbacks] = (await waitForLog(conn.stderr, /receiving TRTC callbacks url=(\S+)/)) as unknown as [string, string];
  });
  afterAll(() => conn.close());

  describe('a numeric pattern admits numeric rooms only', () => {
    it('refuses the string room "1234" by every kind of name, and lets numeric room 1234 through to consent', async () => {
      expect(await refused('RemoveUserByStrRoomId "1234" under --allow-rooms 1234', 'RemoveUserByStrRoomId', { RoomId: '1234', UserIds: ['sam'] })).toMatch(/string room "1234" is outside/);
      await refused('DismissRoomByStrRoomId "1234"', 'DismissRoomByStrRoomId', { RoomId: '1234' });
      await refused('SetUserBlockedByStrRoomId "1234"', 'SetUserBlockedByStrRoomId', { StrRoomId: '1234', UserId: 'sam', IsMute: 1 });
      await refused('StartAIConversation in string room "1234" (RoomIdType 1)', 'StartAIConversation', { RoomId: '1234', RoomIdType: 1, AgentConfig: { UserId: 'bot_s1', TargetUserId: 'sam' } });
      await refused('numeric room 99', 'RemoveUser', { RoomId: 99, UserIds: ['zed'] });
      expect(text(await call('RemoveUser', { RoomId: 1234, UserIds: ['dave'] }))).toMatch(/Confirmation required/);
      expect(text(await call('RemoveUserByStrRoomId', { RoomId: 'help-1', UserIds: ['hal'] }))).toMatch(/Confirmation required/);
      expect(sb.world.room(sb.world.apps.get(APP)!, 'str', '1234')!.users.has('sam')).toBe(true);
    });

    it('a task started in numeric room 1234 is driven by its TaskId; the ledger keeps the kind of its room', async () => {
      const started = await call('StartAIConversation', { RoomId: '1234', RoomIdType: 0, AgentConfig: { UserId: 'bot_s2', TargetUserId: 'carol' } });
      expect(started.isError, text(started)).toBeFalsy();
      const { TaskId } = started.structuredContent as { TaskId: string };
      const described = await call('DescribeAIConversation', { TaskId });
      expect(described.isError, text(described)).toBeFalsy();
      expect(conn.stderr()).toMatch(/scope resolved tool=DescribeAIConversation ledger=1/);
    });

    it('a PK battle between live rooms "1234" and "help-9" (string rooms) is refused when a lookup places it', async () => {
      // Started through a server with a store of its own, so that this server's ledger does not know the battle.
      const free = await connectStdio(['--toolsets', 'all'], sandboxEnv(sb, { TRTC_MCP_STORE: ownStore() }));
      let BattleId: string;
      try {
        for (const RoomId of ['1234', 'help-9']) {
          const created = await free.client.callTool({ name: 'live_create_room', arguments: { RoomInfo: { RoomId, RoomType: 'Live', SeatTemplate: 'AudioSalon' } } });
          expect(created.isError, text(created)).toBeFalsy();
        }
        const battle = await free.client.callTool({ name: 'pk_create_battle', arguments: { FromRoomId: '1234', ToRoomIdList: ['help-9'], Duration: 600_000 } });
        expect(battle.isError, text(battle)).toBeFalsy();
        ({ BattleId } = battle.structuredContent as { BattleId: string });
      } finally {
        await free.close();
      }
      expect(await refused('pk_get_battle_info of a battle in live room "1234"', 'pk_get_battle_info', { BattleId })).toMatch(/BattleId .* acts in a room outside/);
      expect(conn.stderr()).toMatch(/scope resolved tool=pk_get_battle_info ledger=0 lookup=1/);
      // The live room list leaves the string room "1234" out.
      const list = await call('live_get_room_list', { Next: '', Count: 20 });
      const rooms = (list.structuredContent as { RoomList: Array<{ RoomId: string }> }).RoomList.map((r) => r.RoomId);
      const leaked = rooms.filter((r) => r === '1234').length;
      recordAttack('scope: live_get_room_list shows string room "1234" under --allow-rooms 1234', 0, leaked);
      expect(leaked).toBe(0);
      expect(rooms).toContain('help-9');
    });

    it('keeps events of string room "1234" out of the store and the reads, and numeric room 1234 in', async () => {
      expect((await sendCallback(callbacks, callback({ RoomId: 1234, UserId: 'num-user' }))).status).toBe(200);
      expect((await sendCallback(callbacks, callback({ RoomId: '1234', UserId: 'str-user' }))).status).toBe(200);
      const listed = await call('list_events', { RoomId: 1234, types: [103] });
      const users = (listed.structuredContent as { events: Array<{ untrusted: { UserId: string } }> }).events.map((e) => e.untrusted.UserId);
      const resource = JSON.stringify(await client.readResource({ uri: `trtc://apps/${APP}/rooms/1234/events` }));
      const leaked = users.filter((u) => u === 'str-user').length + (resource.includes('str-user') ? 1 : 0);
      recordAttack('scope: events of string room "1234" under --allow-rooms 1234', 0, leaked);
      expect(leaked).toBe(0);
      expect(users).toContain('num-user');
      expect(resource).toContain('num-user');
    });
  });

  it('a prompt about a room outside the scope is refused, and one about numeric room 1234 is written', async () => {
    await expect(client.getPrompt({ name: 'moderate_room', arguments: { roomId: 'secret-room' } })).rejects.toThrow(/roomId: "secret-room" is outside the rooms this server may touch/);
    await expect(client.getPrompt({ name: 'moderate_room', arguments: { roomId: '99' } })).rejects.toThrow(/outside the rooms/);
    const ok = await client.getPrompt({ name: 'moderate_room', arguments: { roomId: '1234' } });
    expect((ok.messages[0]!.content as { text: string }).text).toMatch(/RemoveUser/);
  });

  describe('one out-of-range time never breaks a read', () => {
    it('an event with EventMsTs 1e16 is listed with no time, and so is everything beside it', async () => {
      expect((await sendCallback(callbacks, callback({ RoomId: 1234, UserId: 'far-future', EventMsTs: 1e16 }))).status).toBe(200);
      const listed = await call('list_events', { RoomId: 1234 });
      expect(listed.isError, text(listed)).toBeFalsy();
      const events = (listed.structuredContent as { events: Array<{ occurredAt?: string; untrusted: { UserId: string } }> }).events;
      expect(events.find((e) => e.untrusted.UserId === 'far-future')!.occurredAt).toBeUndefined();
      expect(events.find((e) => e.untrusted.UserId === 'num-user')!.occurredAt).toEqual(expect.any(String));
      const resource = await client.readResource({ uri: `trtc://apps/${APP}/rooms/1234/events` });
      expect(JSON.stringify(resource)).toContain('far-future');
    });
  });
});

describe('account-wide targets and the sandbox', () => {
  it('under --allow-apps, voiceprints (the account\'s, not an app\'s) are refused unless --allow-account-wide', async () => {
    const cn = await withSandbox({ world: WORLD, site: 'cn' });
    const scoped = await connectStdio(['--site', 'cn', '--toolsets', 'all', '--allow-apps', String(APP)], sandboxEnv(cn));
    const open = await connectStdio(['--site', 'cn', '--toolsets', 'all', '--allow-apps', String(APP), '--allow-account-wide'], sandboxEnv(cn));
    try {
      for (const [tool, args] of [['DeleteVoicePrint', { VoicePrintId: 'vp-1' }], ['UpdateVoicePrint', { VoicePrintId: 'vp-1', AudioMetaInfo: 'x' }], ['DescribeVoicePrint', { DescribeMode: 1 }]] as const) {
        const before = cn.requests.length;
        const r = await scoped.client.callTool({ name: tool, arguments: args });
        const sent = cn.requests.length - before;
        recordAttack(`scope: ${tool} under --allow-apps`, sent);
        expect(sent).toBe(0);
        expect(text(r)).toMatch(/^Refused: This reaches what belongs to the whole account, not to one app, and this server may touch only 1400000001\. The operator can allow it with --allow-account-wide\./);
      }
      const allowed = await open.client.callTool({ name: 'DeleteVoicePrint', arguments: { VoicePrintId: 'vp-1' } });
      expect(text(allowed)).toMatch(/Confirmation required/);
      const day = (ago: number) => new Date(cn.world.now() - ago * 86_400_000).toISOString().slice(0, 10);
      const all = await open.client.callTool({ name: 'DescribeTrtcUsage', arguments: { AllApps: true, StartTime: day(2), EndTime: day(1) } });
      expect(all.isError, text(all)).toBeFalsy();
    } finally {
      await scoped.close();
      await open.close();
      await cn.close();
    }
  });

  it('the sandbox world resource shows only the apps and rooms in scope', async () => {
    const conn = await connectStdio(['--sandbox', '--allow-rooms', '1234'], sandboxEnv(sb));
    try {
      const world = JSON.parse(((await conn.client.readResource({ uri: 'trtc://sandbox/world' })).contents[0] as { text: string }).text) as {
        apps: Array<{ rooms: Array<{ roomId: string | number; idType: string }> }>;
        tasks: Array<{ roomId: string; roomKind: string }>;
      };
      const rooms = world.apps.flatMap((a) => a.rooms);
      const leaked = rooms.filter((r) => !(r.roomId === 1234 && r.idType === 'numeric')).length + world.tasks.filter((t) => !(t.roomId === '1234' && t.roomKind === 'int')).length;
      recordAttack('scope: trtc://sandbox/world lists rooms outside --allow-rooms', 0, leaked);
      expect(leaked).toBe(0);
      expect(rooms).toEqual([expect.objectContaining({ roomId: 1234, idType: 'numeric' })]);
    } finally {
      await conn.close();
    }
  });

  it("the emulator's control endpoints refuse another Host and any web page's Origin", async () => {
    const act = (headers: Record<string, string>) =>
      fetch(`${sb.url}_sandbox/act`, { method: 'POST', headers, body: JSON.stringify({ action: 'say', roomId: 1234, userId: 'carol', text: 'hello' }) });
    const rebound = await new Promise<string>((resolve, reject) => {
      const u = new URL(sb.url);
      const body = JSON.stringify({ action: 'enter', roomId: 1234, userId: 'rebound' });
      const socket = tcp(Number(u.port), u.hostname, () => socket.end(`POST /_sandbox/act HTTP/1.1\r\nHost: evil.example:${u.port}\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => resolve(got.split('\r\n')[0]!));
      socket.on('error', reject);
    });
    expect(rebound).toMatch(/^HTTP\/1\.1 403/);
    expect((await act({ origin: 'https://evil.example' })).status).toBe(403);
    const users = () => [...sb.world.room(sb.world.apps.get(APP)!, 'int', 1234)!.users.keys()];
    recordAttack('sandbox: /_sandbox/act from another Host or a web page', users().includes('rebound') ? 1 : 0);
    expect(users()).not.toContain('rebound');
    expect((await act({})).status).toBe(200);
    // Nor does it read a body without bound.
    // (413, or the connection closed while the client was still sending: either way nothing more was read.)
    expect([0, 413]).toContain((await fetch(sb.url, { method: 'POST', body: 'x'.repeat(11 * 1024 * 1024) }).catch(() => ({ status: 0 }))).status);
  });
});
