// Attacks on what replicas share in a real redis-server: no stored byte decides whether the store works (a lone
// UTF-16 surrogate in a callback, in an agent's text a bot speaks, in a sandbox user's sentence), and single use
// holds between replicas whose clocks disagree (one runs 20 s behind, by libfaketime).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallback } from '../src/events/signature.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { skewedClockEnv } from './clock.js';
import { probe } from './fleet.js';
import { cloudRequests, connectHttp, recordAttack, sandboxEnv, spawnHttp, text, waitForLog, withSandbox, type SpawnedHttp } from './helpers.js';
import { envelope, post } from './modern.js';
import { startRedis, type RedisServer } from './redis.js';

const APP = 1400000001;
const KEY = 'fleetAttacksCallbackKey012345678';
const FORMS = { elicitation: { form: {} } };
/** A lone high surrogate, as JSON carries it ("\ud800"): valid JSON, and no valid UTF-16 string. */
const LONE = '\ud800';

let sb: Sandbox;
let redis: RedisServer;
beforeAll(async () => {
  sb = await withSandbox({ world: { apps: [{ sdkAppId: APP, rooms: [{ roomId: 1234, users: ['alice', 'bob', 'carol', 'dave'] }, { roomId: 'help', users: ['dana'] }] }] } });
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
  await sb?.close();
});

describe('no stored byte decides whether the Redis store works', () => {
  let srv: SpawnedHttp;
  beforeAll(async () => {
    srv = await spawnHttp(['--toolsets', 'all', '--events-max', '100'], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY, TRTC_MCP_STORE: `${redis.url}/1` }));
    sb.callbacks.configure({ url: `${srv.url}/callbacks`, key: KEY });
  });
  afterAll(async () => {
    sb.callbacks.configure(undefined);
    await srv.stop();
  });

  it('a lone surrogate from a callback, an agent and a sandbox user is stored, and every later callback still is', async () => {
    const send = (info: Record<string, unknown>) => {
      const sentAt = Date.now();
      const body = JSON.stringify({ EventGroupId: 1, EventType: 103, CallbackTs: sentAt, EventInfo: { RoomId: 1234, EventTs: Math.floor(sentAt / 1000), EventMsTs: sentAt, Role: 20, Reason: 1, ...info } });
      return fetch(`${srv.url}/callbacks`, { method: 'POST', body, headers: { 'content-type': 'application/json', Sign: signCallback(KEY, body), SdkAppId: String(APP) } });
    };
    // A signed callback whose text holds it.
    expect((await send({ UserId: `lone${LONE}` })).status).toBe(200);
    // An agent makes a bot say it; TRTC reports the sentence back in a 903 callback.
    const client = await connectHttp(srv.url);
    const started = await client.callTool({ name: 'StartAIConversation', arguments: { RoomId: 'help', RoomIdType: 1, AgentConfig: { UserId: 'bot_lone', TargetUserId: 'dana' } } });
    expect(started.isError, text(started)).toBeFalsy();
    const { TaskId } = started.structuredContent as { TaskId: string };
    const pushed = await client.callTool({ name: 'ControlAIConversation', arguments: { TaskId, Command: 'ServerPushText', ServerPushText: { Text: `bot says ${LONE}` } } });
    expect(pushed.isError, text(pushed)).toBeFalsy();
    // A user of the sandbox says it.
    expect((await fetch(`${sb.url}_sandbox/act`, { method: 'POST', body: JSON.stringify({ action: 'say', roomId: 'help', userId: 'dana', text: `dana says ${LONE}` }) })).status).toBe(200);
    await sb.callbacks.idle();
    const stored = JSON.stringify((await client.callTool({ name: 'list_events', arguments: { limit: 100 } })).structuredContent);
    for (const said of ['lone', 'bot says ', 'dana says ']) expect(stored).toContain(`${said}\\ud800`);

    // Past the bound of 100 events, the oldest (the lone surrogates first) are trimmed by every append.
    const statuses: number[] = [];
    for (let i = 0; i < 130; i += 10) statuses.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => send({ UserId: `after-${i + j}` }).then((r) => r.status)))));
    const refused = statuses.filter((s) => s !== 200).length;
    recordAttack('store: a lone surrogate in a stored event stops later callbacks', refused);
    expect(refused).toBe(0);
    const users: string[] = [];
    for (let after = 0, more = true; more; ) {
      const listed = await client.callTool({ name: 'list_events', arguments: { types: [103], after, limit: 100 } });
      expect(listed.isError, text(listed)).toBeFalsy();
      const page = listed.structuredContent as { events: Array<{ untrusted: { UserId: string } }>; cursor: number; more: boolean };
      users.push(...page.events.map((e) => e.untrusted.UserId));
      ({ cursor: after, more } = page);
    }
    // The newest are all there (ten were sent at a time, so in any order among themselves).
    expect(users).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, i) => `after-${120 + i}`)));
    expect((await probe(srv.url, '/readyz')).status).toBe(200);
    await client.close();
  });
});

describe('single use between replicas whose clocks disagree', () => {
  let a: SpawnedHttp;
  let b: SpawnedHttp;
  beforeAll(async () => {
    const env = { TRTC_MCP_CONFIRM_SECRET: randomBytes(24).toString('base64url'), TRTC_MCP_STORE: `${redis.url}/2` };
    const args = ['--toolsets', 'all', '--confirm-ttl', '10'];
    [a, b] = await Promise.all([
      spawnHttp([...args, '--replica-id', 'on-time'], sandboxEnv(sb, env)),
      // Its clock runs 20 s behind: it judges a token valid 20 s longer than the replica that issued it.
      spawnHttp([...args, '--replica-id', 'behind'], sandboxEnv(sb, { ...env, ...skewedClockEnv(-20) })),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('a token or requestState spent on one replica is refused on the other, at once and after the record would have expired', async () => {
    const call = (url: string, args: Record<string, unknown>, caps: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      post(url, 'tools/call', { name: 'RemoveUser', arguments: args, ...extra, _meta: envelope(caps) });
    const removed = () => cloudRequests(sb, 'RemoveUser').length;
    // The token channel: preview and spend on the on-time replica.
    const bob = { RoomId: 1234, UserIds: ['bob'] };
    const preview = await call(a.url, bob);
    const token = (preview.messages[0]!.result._meta as { confirmation: { token: string } }).confirmation.token;
    expect((await call(a.url, { ...bob, confirmationToken: token })).messages[0]!.result.isError).toBeFalsy();
    // The requestState channel: ask and spend on the on-time replica.
    const carol = { RoomId: 1234, UserIds: ['carol'] };
    const state = (await call(a.url, carol, FORMS)).messages[0]!.result.requestState as string;
    const answer = { requestState: state, inputResponses: { consent: { action: 'accept', content: { confirm: true } } } };
    expect((await call(a.url, carol, FORMS, answer)).messages[0]!.result.isError).toBeFalsy();
    expect(removed()).toBe(2);

    const replay = async () => {
      const byToken = await call(b.url, { ...bob, confirmationToken: token });
      expect(text(byToken.messages[0]!.result)).toMatch(/The confirmationToken was already used/);
      expect((await call(b.url, carol, FORMS, answer)).messages[0]!.error).toMatchObject({ code: -32602 });
    };
    await replay();
    // 12 s on, the token has expired by the on-time clock, but not by the replica behind, which still judges both
    // valid: the spent records must still be there.
    await new Promise((r) => setTimeout(r, 12_000));
    await replay();
    const sent = removed() - 2;
    recordAttack('consent: token and requestState replayed on a replica whose clock runs 20 s behind', sent);
    expect(sent).toBe(0);
    await waitForLog(b.stderr, /requestState refused tool=RemoveUser why="already used"/);
  }, 40_000);
});
