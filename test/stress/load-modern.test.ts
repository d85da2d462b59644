// Load on the 2026-07-28 protocol: 100 concurrent clients (the v2 SDK's Client, pinned), each a series of stateless
// requests to one server process, with no session to keep them apart. Zero errors, every answer is the client's
// own (each works on its own room and user, with values that name the client and the step), the log notifications
// each asked for are exactly its own calls, and consent asked as input_required results never crosses: each
// client's human sees only forms about its own room, and each room is dismissed once.
import type { Client, ElicitRequest } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { cloudRequests, sandboxEnv, spawnHttp, text, withSandbox, type SpawnedHttp } from '../helpers.js';
import { connectModernHttp } from '../modern.js';

const APP = 1400000001;
const CLIENTS = 100;
const CALLS = 40;
const own = (c: number) => ({ room: 80_000 + c, user: `user-${c}`, guest: `guest-${c}` });
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

describe(`${CLIENTS} concurrent 2026-07-28 clients`, () => {
  let sb: Sandbox;
  let srv: SpawnedHttp;
  beforeAll(async () => {
    const rooms = Array.from({ length: CLIENTS }, (_, c) => ({ roomId: own(c).room, users: [own(c).user, own(c).guest] }));
    sb = await withSandbox({ world: { apps: [{ sdkAppId: APP, rooms }] }, rateLimitScale: 1000 });
    srv = await spawnHttp(['--toolsets', 'all', '--rate-limit-scale', '1000'], sandboxEnv(sb));
  });
  afterAll(async () => {
    await srv?.stop();
    await sb?.close();
  });

  it(`runs ${CALLS} calls and two consents per client with zero errors, each client seeing only its own state`, async () => {
    const forms: string[][] = Array.from({ length: CLIENTS }, () => []);
    const logged: string[][] = Array.from({ length: CLIENTS }, () => []);
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const client = await connectModernHttp(srv.url, {
          elicit: (params: ElicitRequest['params']) => {
            const message = (params as { message: string }).message;
            forms[c]!.push(message);
            const typed = /Type "([^"]+)" to confirm\./.exec(message)?.[1];
            return { action: 'accept', content: { confirm: typed ?? true } };
          },
        });
        client.setNotificationHandler('notifications/message', (n) => void logged[c]!.push(`${(n.params.data as { tool: string }).tool}:${n.params.level}`));
        return client;
      }),
    );
    const started = Date.now();
    const problems = (await Promise.all(clients.map((client, c) => work(client, c)))).flat();
    const seconds = (Date.now() - started) / 1000;
    console.log(`load (2026-07-28): ${CLIENTS * (CALLS + 2)} calls from ${CLIENTS} clients in ${seconds.toFixed(1)} s: ${((CLIENTS * (CALLS + 2)) / seconds).toFixed(0)} calls/s`);
    await Promise.all(clients.map((c) => c.close()));

    expect(problems.slice(0, 20), problems.slice(0, 20).join('\n')).toEqual([]);
    for (let c = 0; c < CLIENTS; c++) {
      const { room, guest } = own(c);
      // Two forms, both about this client's room: the removal of its guest (a box to tick), then the dismissal.
      expect(forms[c]!.length, `client ${c}`).toBe(2);
      expect(forms[c]![0]).toContain(`RoomId: ${room}`);
      expect(forms[c]![0]).toContain(`UserIds: ["${guest}"]`);
      expect(forms[c]![1]).toContain(`Type "${room}" to confirm.`);
      // Odd clients asked for info logs on every call, even ones never did.
      const expected = c % 2 === 1 ? [...Array.from({ length: CALLS }, (_, i) => (i % 2 === 0 ? 'SetUserBlocked:info' : 'call_tool:info')), 'RemoveUser:info', 'DismissRoom:info'] : [];
      expect(logged[c]!.sort(), `client ${c}`).toEqual(expected.sort());
      expect(sb.world.room(sb.world.apps.get(APP)!, 'int', room)).toBeUndefined();
    }
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(CLIENTS);
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(CLIENTS);
  }, 600_000);

  async function work(client: Client, c: number): Promise<string[]> {
    const { room, user, guest } = own(c);
    const problems: string[] = [];
    const meta = c % 2 === 1 ? { 'io.modelcontextprotocol/logLevel': 'info' } : undefined;
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = (await client.callTool({ name, arguments: args, ...(meta && { _meta: meta }) })) as { isError?: boolean; structuredContent?: any };
      if (r.isError) problems.push(`client ${c}: ${name} failed: ${text(r as never)}`);
      return r;
    };
    for (let i = 0; i < CALLS; i++) {
      if (i % 2 === 0) {
        const mute = (c + i) % 4;
        await call('SetUserBlocked', { RoomId: room, UserId: user, IsMute: mute });
        const block = sb.world.room(sb.world.apps.get(APP)!, 'int', room)!.users.get(user)!.block;
        if (block !== mute) problems.push(`client ${c}, step ${i}: ${user} has block ${block}, expected ${mute}`);
      } else {
        const r = await call('call_tool', { name: 'DescribeRoomInfo', arguments: { StartTime: ago(3600), EndTime: ago(-60), RoomId: String(room) } });
        const rooms = (r.structuredContent?.RoomList ?? []).map((x: { RoomString: string }) => x.RoomString);
        if (rooms.length !== 1 || rooms[0] !== String(room)) problems.push(`client ${c}, step ${i}: got rooms ${rooms.join(',')}`);
      }
    }
    await call('RemoveUser', { RoomId: room, UserIds: [guest] });
    await call('DismissRoom', { RoomId: room });
    return problems;
  }
});
