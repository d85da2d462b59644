// The auth layer attacked as a hostile client would: token substitution, audience confusion, key confusion, scope
// escalation through call_tool and through arguments, and reads across identities of events, tasks and the ledger.
// Tokens come from a real authorization server (oidc-provider) or are forged against it; each attack is counted with
// recordAttack by the requests it got through to TRTC (the sandbox) and the out-of-scope data it got back.
import { createPublicKey } from 'node:crypto';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { cloudRequests, connectHttp, recordAttack, rememberSecret, sandboxEnv, spawnHttp, text, waitForLog, withSandbox, type SpawnedHttp } from './helpers.js';
import { envelope, post } from './modern.js';
import { challengeOf, CLIENT_ID, freePort, oauthArgs, oauthFiles, SCOPE, startAuthServer, unsignedToken, type AuthServer } from './oauth.js';

const KEY = 'oauthAttacksCallbackKey1';
let sb: Sandbox;
let as: AuthServer;
let srv: SpawnedHttp;
let resource: string;
const tokens: Record<string, string> = {};
const app = () => [...sb.world.apps.values()][0]!.sdkAppId;
const now = () => Math.floor(Date.now() / 1000);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  sb = await withSandbox();
  as = await startAuthServer();
  const files = oauthFiles();
  const port = await freePort();
  resource = `http://127.0.0.1:${port}`;
  // A store of its own: the event log holds only what this file's sandbox reports.
  srv = await spawnHttp(['--port', String(port), ...oauthArgs(as, resource, files.policy), '--toolsets', 'room,ai,events', '--store', 'memory'], sandboxEnv(sb, { TRTC_CALLBACK_KEY: KEY }));
  sb.callbacks.configure({ url: `${srv.url}/callbacks`, key: KEY });
  const all = Object.values(SCOPE).join(' ');
  tokens.rita = await as.token('rita', SCOPE.read, resource);
  tokens.mo = await as.token('mo', `${SCOPE.read} ${SCOPE.write}`, resource);
  tokens.ada = await as.token('ada', all, resource);
  tokens.abe = await as.token('abe', all, resource);
  tokens.zed = await as.token('zed', `${SCOPE.read} ${SCOPE.write}`, resource);
});

afterAll(async () => {
  await srv?.stop();
  await as?.close();
  await sb?.close();
});

/** A tools/call of the 2026-07-28 era with this token, as raw HTTP. */
const call = (token: string, name: string, args: Record<string, unknown>) => post(srv.url, 'tools/call', { name, arguments: args, _meta: envelope() }, bearer(token));
const listTools = async (token: string) => {
  const r = await post(srv.url, 'tools/list', { _meta: envelope() }, bearer(token));
  return (r.messages[0]!.result.tools as Array<{ name: string }>).map((t) => t.name);
};
/** Claims of an access token as the authorization server issues them. */
const claims = (sub: string, extra: Record<string, unknown> = {}) => ({ iss: as.issuer, sub, aud: resource, iat: now(), exp: now() + 300, scope: Object.values(SCOPE).join(' '), client_id: CLIENT_ID, groups: ['admins'], ...extra });
const sent = (action?: string) => cloudRequests(sb, action).length;

/** Sends a forged or misdirected token to /mcp and expects 401 invalid_token: nothing may reach TRTC. */
async function refused401(name: string, token: string, why: RegExp) {
  const before = sent();
  const r = await call(token, 'RemoveUser', { RoomId: 1234, UserIds: ['carol'] });
  const res = await fetch(`${srv.url}/mcp`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{}' });
  expect(r.status, name).toBe(401);
  const challenge = challengeOf(res);
  expect(challenge.error, name).toBe('invalid_token');
  expect(challenge.error_description, name).toMatch(why);
  expect(challenge.resource_metadata).toBe(`${resource}/.well-known/oauth-protected-resource`);
  recordAttack(`oauth: ${name}`, sent() - before);
  expect(sent() - before).toBe(0);
}

describe('token substitution and audience confusion', () => {
  it('refuses a token the authorization server issued for another resource', async () => {
    const other = await as.token('ada', Object.values(SCOPE).join(' '), 'https://other.example.com/mcp');
    await refused401('token issued for another resource', other, /not issued for this resource/);
  });

  it('refuses an ID-token-shaped token whose audience is the client, and one from another issuer', async () => {
    await refused401('ID token used as an access token', await as.sign(claims('ada', { aud: CLIENT_ID }), { typ: 'JWT' }), /not issued for this resource/);
    await refused401('token claiming another issuer', await as.sign(claims('ada', { iss: 'https://evil.example.com' })), /not issued by the authorization server/);
    await refused401('a signed token of another kind (logout+jwt)', await as.sign(claims('ada'), { typ: 'logout+jwt' }), /not an access token/);
  });

  it('accepts the canonical URI with a trailing slash as the same audience, and nothing looser', async () => {
    expect((await call(await as.sign(claims('ada', { aud: `${resource}/` })), 'search_tools', { query: 'remove a user' })).status).toBe(200);
    await refused401('an audience that only starts like this server', await as.sign(claims('ada', { aud: `${resource}/mcp-other` })), /not issued for this resource/);
  });

  it('reads the token from the Authorization header only, never from the query string', async () => {
    const res = await fetch(`${srv.url}/mcp?access_token=${tokens.ada}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(challengeOf(res).error).toBeUndefined();
    expect(srv.stderr()).not.toContain(tokens.ada!);
  });

  it('never lets another identity use a legacy session, with or without its own token', async () => {
    const mo = await connectHttp(srv.url, 'streamable', bearer(tokens.mo!));
    const sid = (mo.transport as StreamableHTTPClientTransport).sessionId!;
    const before = sent();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'DescribeRoomInfo', arguments: { StartTime: now() - 3600, EndTime: now() } } });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
    const asRita = await fetch(`${srv.url}/mcp`, { method: 'POST', headers: { ...headers, ...bearer(tokens.rita!) }, body });
    expect(asRita.status).toBe(404);
    const anonymous = await fetch(`${srv.url}/mcp`, { method: 'POST', headers, body });
    expect(anonymous.status).toBe(401);
    recordAttack('oauth: another identity rides a legacy session', sent() - before);
    expect(sent()).toBe(before);
    // Its owner still can.
    expect((await mo.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: now() - 3600, EndTime: now() } })).isError).toBeFalsy();
    await mo.close();
  });

  it('binds a confirmation token to the person it was issued to: another admin cannot redeem it', async () => {
    const args = { RoomId: 1234, UserIds: ['bob'] };
    const preview = await call(tokens.ada!, 'RemoveUser', args);
    const result = preview.messages[0]!.result;
    expect(result.content[0].text).toContain('Requested by: "Ada Admin <ada@example.com> (ada)"');
    const confirmationToken = result._meta.confirmation.token as string;
    const before = sent('RemoveUser');
    const relayed = await call(tokens.abe!, 'RemoveUser', { ...args, confirmationToken });
    expect(relayed.messages[0]!.result.content[0].text).toMatch(/does not match .* or was issued to someone else/);
    recordAttack('oauth: confirmation token relayed to another admin', sent('RemoveUser') - before);
    expect(sent('RemoveUser')).toBe(before);
    // The one it was issued to may use it, once.
    const done = await call(tokens.ada!, 'RemoveUser', { ...args, confirmationToken });
    expect(done.messages[0]!.result.isError, JSON.stringify(done.messages[0])).toBeFalsy();
    expect(sent('RemoveUser')).toBe(before + 1);
  });
});

describe('key confusion', () => {
  it('refuses an unsigned token (alg: none)', async () => {
    await refused401('alg none', unsignedToken(claims('ada')), /algorithm this server does not accept|not a valid JWT/);
  });

  it('refuses HS256 tokens whose HMAC key is the authorization server\'s public key, as JWK or PEM', async () => {
    const jwk = JSON.stringify(as.publicJwk);
    const pem = createPublicKey({ key: as.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    for (const [form, secret] of [['JWK', jwk], ['PEM', pem]] as const) {
      const t = await new SignJWT(claims('ada')).setProtectedHeader({ alg: 'HS256', kid: as.publicJwk.kid, typ: 'at+jwt' }).sign(new TextEncoder().encode(secret));
      rememberSecret(t);
      await refused401(`HS256 keyed with the public key (${form})`, t, /algorithm this server does not accept/);
    }
  });

  it('refuses tokens signed by an unknown key, fetching the key set again at most once for a flood of them', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const fetchesBefore = as.jwksFetches();
    for (let i = 0; i < 20; i++) {
      const t = await new SignJWT(claims('ada')).setProtectedHeader({ alg: 'ES256', kid: `intruder-${i}`, typ: 'at+jwt' }).sign(privateKey);
      rememberSecret(t);
      await refused401(`unknown signing key ${i}`, t, /key the authorization server does not publish/);
    }
    expect(as.jwksFetches() - fetchesBefore).toBeLessThanOrEqual(1);
  });

  it('refuses a token that names the real key id but is signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const t = await new SignJWT(claims('ada')).setProtectedHeader({ alg: 'ES256', kid: as.publicJwk.kid, typ: 'at+jwt' }).sign(privateKey);
    rememberSecret(t);
    await refused401('real key id, another key', t, /signature does not verify/);
    // Another curve under the real key's id is refused too.
    const t2 = await new SignJWT(claims('ada')).setProtectedHeader({ alg: 'ES384', kid: as.publicJwk.kid, typ: 'at+jwt' }).sign((await generateKeyPair('ES384')).privateKey);
    rememberSecret(t2);
    await refused401('real key id, another curve', t2, /key the authorization server does not publish|signature does not verify/);
  });

  it('refuses an expired token and one not valid yet, beyond the clock skew', async () => {
    await refused401('expired token', await as.sign(claims('ada', { iat: now() - 900, exp: now() - 120 })), /has expired/);
    await refused401('token not valid yet', await as.sign(claims('ada', { nbf: now() + 600 })), /not valid yet/);
    await refused401('token without expiry', await as.sign(claims('ada', { exp: undefined })), /no expiry|exp/);
    await refused401('token without subject', await as.sign(claims('ada', { sub: undefined })), /no subject|sub/);
  });
});

describe('scope escalation', () => {
  it('challenges a read identity for trtc:write on every way to a write: direct, call_tool, a batch, legacy SSE', async () => {
    const before = sent();
    const direct = await call(tokens.rita!, 'SetUserBlocked', { RoomId: 1234, UserId: 'bob', IsMute: 1 });
    const viaCallTool = await call(tokens.rita!, 'call_tool', { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } });
    for (const r of [direct, viaCallTool]) {
      expect(r.status).toBe(403);
      expect(r.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="${SCOPE.write}", error_description="SetUserBlocked with these arguments (write) needs ${SCOPE.write}", resource_metadata="${resource}/.well-known/oauth-protected-resource"`,
      );
    }
    // A legacy session: a batch hiding a write behind a read, and the SSE transport's message endpoint.
    const rita = await connectHttp(srv.url, 'streamable', bearer(tokens.rita!));
    const sid = (rita.transport as StreamableHTTPClientTransport).sessionId!;
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'call_tool', arguments: { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } } } },
    ];
    const res = await fetch(`${srv.url}/mcp`, {
      method: 'POST',
      headers: { ...bearer(tokens.rita!), 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(403);
    expect(challengeOf(res).scope).toBe(SCOPE.write);
    await rita.close();
    const sse = await connectHttp(srv.url, 'sse', bearer(tokens.rita!));
    await expect(sse.callTool({ name: 'call_tool', arguments: { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } } })).rejects.toThrow(/403/);
    await sse.close();
    recordAttack('oauth: read identity writes directly, through call_tool, in a batch, over SSE', sent() - before);
    expect(sent()).toBe(before);
  });

  it('refuses a read identity a write tool\'s schema, and lists it no write tool', async () => {
    const described = await call(tokens.rita!, 'describe_tool', { name: 'SetUserBlocked' });
    expect(described.messages[0]!.result.content[0].text).toMatch(/SetUserBlocked changes state, and your access token allows reads only: it needs the scope trtc:write/);
    const listed = await listTools(tokens.rita!);
    expect(listed).toContain('DescribeRoomInfo');
    // Lists differ by identity: no shared cache may keep one for everybody.
    const raw = await post(srv.url, 'tools/list', { _meta: envelope() }, bearer(tokens.rita!));
    expect(raw.messages[0]!.result).toMatchObject({ cacheScope: 'private' });
    expect(listed.filter((n) => ['SetUserBlocked', 'RemoveUser', 'StartAIConversation', 'DismissRoom'].includes(n))).toEqual([]);
  });

  it('challenges a write identity for trtc:destructive by the arguments: a push that ends the task, a removal through call_tool', async () => {
    const before = sent();
    const stop = await call(tokens.mo!, 'ControlAIConversation', { TaskId: 'any', Command: 'ServerPushText', ServerPushText: { Text: 'bye', StopAfterPlay: true } });
    expect(stop.status).toBe(403);
    expect(challengeOf(await fetch(`${srv.url}/mcp`, { method: 'POST', headers: { ...bearer(tokens.mo!), 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'call_tool' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'call_tool', arguments: { name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['carol'] } }, _meta: envelope() } }) })).scope).toBe(SCOPE.destructive);
    recordAttack('oauth: write identity ends a task through arguments, removes through call_tool', sent() - before);
    expect(sent()).toBe(before);
  });

  it('refuses a write identity a start that would end a running task (destructive by what the ledger knows), before sending it', async () => {
    const bot = { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'mo_bot', TargetUserId: 'dana' } };
    const first = await call(tokens.mo!, 'StartAIConversation', bot);
    expect(first.messages[0]!.result.isError, JSON.stringify(first.messages[0])).toBeFalsy();
    const before = sent('StartAIConversation');
    const again = await call(tokens.mo!, 'StartAIConversation', bot);
    const refusal = again.messages[0]!.result.content[0].text as string;
    expect(refusal).toMatch(/StartAIConversation is destructive with these arguments, and your access token allows reads and writes, but nothing destructive: it needs the scope trtc:destructive/);
    expect(refusal).toMatch(/already runs task/);
    recordAttack('oauth: write identity restarts a running bot (ends its task)', sent('StartAIConversation') - before);
    expect(sent('StartAIConversation')).toBe(before);
  });

  it('gives a token with none of this server\'s scopes nothing, and an identity no policy entry matches nothing', async () => {
    const noScope = await as.sign(claims('ada', { scope: 'openid' }));
    const r = await post(srv.url, 'tools/list', { _meta: envelope() }, bearer(noScope));
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="trtc:read"/);
    const zed = await post(srv.url, 'tools/list', { _meta: envelope() }, bearer(tokens.zed!));
    expect(zed.status).toBe(403);
    expect(zed.messages[0]!.error!.message).toMatch(/no entry of this server's access policy matches your identity/);
    expect(zed.headers.get('www-authenticate')).toBeNull();
  });
});

describe('reads across identities', () => {
  it('shows a support agent only the events of her rooms, and refuses the others by tool, resource and subscription', async () => {
    for (const [roomId, userId] of [[1234, 'seen-by-rita'], ['helpdesk', 'hidden-from-rita']] as const) {
      await fetch(`${sb.url}_sandbox/act`, { method: 'POST', body: JSON.stringify({ action: 'enter', roomId, userId }) });
    }
    const events = async (token: string, UserId: string) => (await call(token, 'list_events', { UserId, limit: 100 })).messages[0]!.result.structuredContent.events as unknown[];
    for (let i = 0; i < 100 && (await events(tokens.mo!, 'hidden-from-rita')).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await events(tokens.mo!, 'hidden-from-rita')).toHaveLength(1);
    expect(await events(tokens.rita!, 'seen-by-rita')).toHaveLength(1);
    const all = JSON.stringify((await call(tokens.rita!, 'list_events', { limit: 100 })).messages[0]!.result.structuredContent);
    const leaked = (await events(tokens.rita!, 'hidden-from-rita')).length + (all.includes('hidden-from-rita') ? 1 : 0);
    const byRoom = await call(tokens.rita!, 'list_events', { RoomId: 'helpdesk' });
    expect(byRoom.messages[0]!.result.content[0].text).toMatch(/Refused: room "helpdesk" is outside the rooms your access policy allows \(1234\)/);
    const resource = await post(srv.url, 'resources/read', { uri: `trtc://apps/${app()}/rooms/helpdesk/events`, _meta: envelope() }, bearer(tokens.rita!));
    expect(resource.messages[0]!.error!.message).toMatch(/outside the rooms your access policy allows/);
    const legacy = await connectHttp(srv.url, 'streamable', bearer(tokens.rita!));
    await expect(legacy.subscribeResource({ uri: `trtc://apps/${app()}/rooms/helpdesk/events` })).rejects.toThrow(/outside the rooms your access policy allows/);
    await legacy.close();
    recordAttack('oauth: support agent reads another room\'s events', 0, leaked);
    expect(leaked).toBe(0);
  });

  it('keeps a task one identity started from another whose rooms it is outside, through the ledger, without asking TRTC', async () => {
    const started = await call(tokens.mo!, 'StartAIConversation', { RoomId: 'helpdesk', RoomIdType: 1, AgentConfig: { UserId: 'mo_bot_2', TargetUserId: 'dana' } });
    const TaskId = started.messages[0]!.result.structuredContent.TaskId as string;
    expect(TaskId).toEqual(expect.any(String));
    const before = sent('DescribeAIConversation');
    const read = await call(tokens.rita!, 'DescribeAIConversation', { TaskId });
    expect(read.messages[0]!.result.content[0].text).toMatch(/TaskId ".*" acts in a room outside the rooms your access policy allows \(1234\)/);
    expect(srv.stderr()).toMatch(/scope resolved tool=DescribeAIConversation ledger=1 lookup=0/);
    const stop = await call(tokens.rita!, 'StopAIConversation', { TaskId });
    expect(stop.status).toBe(403);
    recordAttack('oauth: support agent reads and stops a task of another room', sent('DescribeAIConversation') - before, 0);
    expect(sent('DescribeAIConversation')).toBe(before);
    // The moderator who started it reads it.
    const own = await call(tokens.mo!, 'DescribeAIConversation', { TaskId });
    expect(own.messages[0]!.result.isError, text(own.messages[0]!.result)).toBeFalsy();
  });
});

describe('what the logs keep', () => {
  it('names who called, never a token', async () => {
    await waitForLog(srv.stderr, /tool call tool=StartAIConversation outcome=ok .*by=mo/);
    for (const t of Object.values(tokens)) expect(srv.stderr()).not.toContain(t);
    expect(srv.stderr()).toMatch(/access token refused reason="?the access token has expired/);
  });
});

