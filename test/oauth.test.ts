// trtc-mcp as an OAuth 2.1 resource server, end to end: a real authorization server (oidc-provider) on loopback, the
// built server with --auth oauth and a policy file, and the MCP SDK's own OAuth client support in both protocol eras
// and over legacy SSE. A support agent who may only read, a moderator who may write, an admin who may do anything:
// each sees its own tool list and gets its own refusals, with the challenges the MCP authorization spec prescribes.
import { readFileSync } from 'node:fs';
import type { Client as ModernClient } from '@modelcontextprotocol/client';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { capture, cloudRequests, newClient, recordAttack, sandboxEnv, spawnHttp, text, withSandbox, type ElicitHandler, type SpawnedHttp } from './helpers.js';
import { freePort, modernAs, oauthArgs, oauthFiles, SCOPE, startAuthServer, TestOAuthClient, type AuthServer } from './oauth.js';

let sb: Sandbox;
let as: AuthServer;
let srv: SpawnedHttp;
let resource: string;
let auditPath: string;
const app = () => [...sb.world.apps.values()][0]!.sdkAppId;

beforeAll(async () => {
  sb = await withSandbox();
  as = await startAuthServer();
  const files = oauthFiles();
  auditPath = files.audit;
  const port = await freePort();
  resource = `http://127.0.0.1:${port}`;
  srv = await spawnHttp(['--port', String(port), ...oauthArgs(as, resource, files.policy), '--toolsets', 'room,ai,events', '--audit-log', auditPath], sandboxEnv(sb));
});

afterAll(async () => {
  await srv?.stop();
  await as?.close();
  await sb?.close();
});

/** Connects the v1 SDK client (legacy era) as this user, through the SDK's own OAuth flow: 401, discovery, code + PKCE. */
async function legacyAs(user: string, kind: 'streamable' | 'sse' = 'streamable', elicit?: ElicitHandler) {
  const provider = new TestOAuthClient(as, user);
  const open = () => (kind === 'streamable' ? new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), { authProvider: provider }) : new SSEClientTransport(new URL(`${srv.url}/sse`), { authProvider: provider }));
  let transport = open();
  let client = newClient(elicit);
  try {
    await client.connect(transport);
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    await transport.finishAuth(provider.callback!.get('code')!);
    transport = open();
    client = newClient(elicit);
    await client.connect(transport);
  }
  return { client, provider, transport };
}

/**
 * Calls a tool as the v1 client does when the server asks for more scope: the SDK re-authorizes (the user signs in
 * again and allows what they may), the test finishes the flow, and the call is retried once.
 */
async function callWithStepUp(conn: Awaited<ReturnType<typeof legacyAs>>, name: string, args: Record<string, unknown>) {
  try {
    return await conn.client.callTool({ name, arguments: args });
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    await conn.transport.finishAuth(conn.provider.callback!.get('code')!);
    return conn.client.callTool({ name, arguments: args });
  }
}

const names = async (client: Client | ModernClient) => (await client.listTools()).tools.map((t) => t.name);

describe('the resource server, seen by a client with no token', () => {
  it('publishes its protected resource metadata (RFC 9728) at the root and for /mcp', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const res = await fetch(`${srv.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(await res.json()).toEqual({
        resource,
        authorization_servers: [as.issuer],
        scopes_supported: [SCOPE.read, SCOPE.write, SCOPE.destructive, SCOPE.approve],
        bearer_methods_supported: ['header'],
        resource_name: 'trtc-mcp',
      });
    }
  });

  it.each([
    ['POST', '/mcp'],
    ['GET', '/mcp'],
    ['GET', '/sse'],
    ['POST', '/messages?sessionId=x'],
  ])('answers %s %s with 401 and where to find the metadata', async (method, path) => {
    const res = await fetch(`${srv.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' && { body: '{}' }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer scope="${SCOPE.read}", resource_metadata="${resource}/.well-known/oauth-protected-resource"`);
  });
});

describe('end to end with the MCP SDK\'s OAuth client, legacy era (Streamable HTTP)', () => {
  it('a support agent signs in through discovery, PKCE and the resource indicator, lists only reads, and is refused writes', async () => {
    const rita = await legacyAs('rita');
    const opened = rita.provider.opened[0]!;
    expect(`${opened.origin}${opened.pathname}`).toBe(`${as.issuer}/auth`);
    expect(Object.fromEntries(opened.searchParams)).toMatchObject({ resource, scope: SCOPE.read, code_challenge_method: 'S256', client_id: 'trtc-agent' });
    expect(rita.provider.scopes()).toEqual([SCOPE.read]);

    const listed = await names(rita.client);
    expect(listed).toEqual(expect.arrayContaining(['DescribeRoomInfo', 'search_tools', 'call_tool', 'list_events']));
    for (const write of ['SetUserBlocked', 'RemoveUser', 'DismissRoom', 'StartAIConversation']) expect(listed).not.toContain(write);
    expect(rita.client.getInstructions()).toContain('Your access token allows reads only');

    const read = await rita.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: Math.floor(Date.now() / 1000) - 3600, EndTime: Math.floor(Date.now() / 1000) } });
    expect(read.isError, text(read)).toBeFalsy();

    // A write asks for trtc:write (403 insufficient_scope): the SDK re-authorizes with it, and the authorization
    // server will not grant it to her. Nothing reaches TRTC, and her token still reads.
    const before = cloudRequests(sb, 'SetUserBlocked').length;
    await expect(rita.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } })).rejects.toThrow(UnauthorizedError);
    expect(rita.provider.opened.at(-1)!.searchParams.get('scope')).toBe(SCOPE.write);
    expect(rita.provider.callback!.get('error')).toBe('access_denied');
    expect(cloudRequests(sb, 'SetUserBlocked').length).toBe(before);
    recordAttack('oauth: read identity calls a write tool directly (legacy era)', cloudRequests(sb, 'SetUserBlocked').length - before);
    expect(rita.provider.scopes()).toEqual([SCOPE.read]);
    expect((await rita.client.callTool({ name: 'DescribeRoomInfo', arguments: { StartTime: Math.floor(Date.now() / 1000) - 3600, EndTime: Math.floor(Date.now() / 1000) } })).isError).toBeFalsy();
    await rita.client.close();
  });

  it('a moderator steps up from read to write for a mute, and is refused a removal the authorization server does not grant', async () => {
    const mo = await legacyAs('mo');
    expect(mo.provider.scopes()).toEqual([SCOPE.read]);
    const muted = await callWithStepUp(mo, 'SetUserBlocked', { RoomId: 1234, UserId: 'bob', IsMute: 1 });
    expect(muted.isError, text(muted)).toBeFalsy();
    // The v1 SDK asks for the challenged scope alone; trtc:write implies trtc:read, so she still reads.
    expect(mo.provider.scopes()).toEqual([SCOPE.write]);
    // With the new token the list shows writes, but no tool that is always destructive.
    const listed = await names(mo.client);
    expect(listed).toEqual(expect.arrayContaining(['SetUserBlocked', 'StartAIConversation', 'DescribeRoomInfo']));
    expect(listed).not.toContain('RemoveUser');
    expect(listed).not.toContain('DismissRoom');

    const before = cloudRequests(sb, 'RemoveUser').length;
    await expect(mo.client.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['carol'] } })).rejects.toThrow(UnauthorizedError);
    expect(mo.provider.opened.at(-1)!.searchParams.get('scope')).toBe(SCOPE.destructive);
    expect(mo.provider.callback!.get('error')).toBe('access_denied');
    expect(cloudRequests(sb, 'RemoveUser').length).toBe(before);

    // The audit names the moderator, by subject, name and email.
    const records = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const mute = records.find((r) => r.tool === 'SetUserBlocked' && r.outcome === 'ok');
    expect(mute.by).toEqual({ subject: 'mo', via: 'oauth', name: 'Mo Moderator', email: 'mo@example.com' });
    expect(srv.stderr()).toMatch(/tool call tool=SetUserBlocked outcome=ok .*by=mo/);
    await mo.client.close();
  });

  it('an admin removes a user after consent that says who asked', async () => {
    let asked = '';
    const ada = await legacyAs('ada', 'streamable', (params) => {
      asked = params.message;
      return { action: 'accept', content: { confirm: true } };
    });
    const removed = await callWithStepUp(ada, 'RemoveUser', { RoomId: 1234, UserIds: ['carol'] });
    expect(removed.isError, text(removed)).toBeFalsy();
    expect(asked).toContain('Requested by: "Ada Admin <ada@example.com> (ada)"');
    expect(ada.provider.scopes()).toEqual(expect.arrayContaining([SCOPE.destructive]));
    await ada.client.close();
  });
});

describe('end to end, 2026-07-28 era (v2 SDK client)', () => {
  it('signs in, lists per identity, and steps up through the SDK\'s own 403 handling', async () => {
    const rita = await modernAs(as, srv.url, 'rita');
    expect(await names(rita.client)).not.toContain('SetUserBlocked');
    const before = cloudRequests(sb, 'SetUserBlocked').length;
    await expect(rita.client.callTool({ name: 'call_tool', arguments: { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } } })).rejects.toThrow();
    expect(cloudRequests(sb, 'SetUserBlocked').length).toBe(before);
    recordAttack('oauth: read identity escalates through call_tool (2026-07-28)', cloudRequests(sb, 'SetUserBlocked').length - before);
    await rita.client.close();

    const mo = await modernAs(as, srv.url, 'mo');
    // The v2 client re-authorizes on 403 insufficient_scope by itself; the user allows, and the call goes through.
    const muted = await mo.retrying(() => mo.client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'alice', IsMute: 1 } }));
    expect(muted.isError, text(muted as never)).toBeFalsy();
    expect(mo.provider.scopes().sort()).toEqual([SCOPE.read, SCOPE.write]);
    expect(await names(mo.client)).toContain('SetUserBlocked');
    await mo.client.close();
  });
});

describe('legacy SSE', () => {
  it('signs in over /sse and holds the same refusals', async () => {
    const rita = await legacyAs('rita', 'sse');
    expect(await names(rita.client)).not.toContain('SetUserBlocked');
    const before = cloudRequests(sb, 'SetUserBlocked').length;
    await expect(rita.client.callTool({ name: 'call_tool', arguments: { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } } })).rejects.toThrow();
    recordAttack('oauth: read identity escalates through call_tool over SSE', cloudRequests(sb, 'SetUserBlocked').length - before);
    expect(cloudRequests(sb, 'SetUserBlocked').length).toBe(before);
    capture(srv.stderr());
    await rita.client.close();
  });
});

