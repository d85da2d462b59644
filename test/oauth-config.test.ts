// The settings and rules of per-identity access: the auth mode and its refusals at start-up, the policy file (its
// checks and how entries match claims), what the scopes imply, the permissions one identity ends up with, and its
// share of each rate limit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { accessConfig, asked, grantedEffect, grantRefusal, hasScope, rateShareOf, SCOPES } from '../src/guardrails/access.js';
import { selectTools } from '../src/guardrails/exposure.js';
import type { Identity } from '../src/guardrails/identity.js';
import { parsePolicy } from '../src/guardrails/policy.js';
import { appInScope, room, roomInScope } from '../src/guardrails/scope.js';
import { RateGate, RateLimitedError } from '../src/rate-limit.js';
import { loadCatalog, loadManifest } from '../src/server/registry.js';
import { CLI, cleanEnv } from './helpers.js';

const OAUTH = ['--transport', 'http', '--oauth-issuer', 'https://login.example.com/realms/trtc', '--oauth-resource', 'https://mcp.example.com'];
const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    loadConfig(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};
const person = (scopes: string[], extra: Partial<Identity> = {}): Identity => ({ subject: 's', via: 'oauth', scopes: new Set(scopes), ...extra });

describe('the auth mode', () => {
  it('follows the settings when not given: oauth with an issuer, token with a token, else none', () => {
    expect(loadConfig(OAUTH, {}).auth).toBe('oauth');
    expect(loadConfig(['--transport', 'http'], { TRTC_MCP_AUTH_TOKEN: 'a-long-enough-token' }).auth).toBe('token');
    expect(loadConfig(['--transport', 'http'], {}).auth).toBe('none');
    // OAuth is authentication enough to bind beyond loopback.
    expect(loadConfig([...OAUTH, '--host', '0.0.0.0'], {}).host).toBe('0.0.0.0');
  });

  it.each([
    [['--auth', 'oauth', '--transport', 'http'], {}, '--auth oauth needs --oauth-issuer'],
    [['--transport', 'http', '--oauth-issuer', 'https://login.example.com'], {}, '--oauth-issuer is set but --oauth-resource is not: set the canonical URI'],
    [['--transport', 'http', '--oauth-resource', 'https://mcp.example.com'], {}, '--oauth-resource is set, but authentication is none (no --oauth-issuer)'],
    [OAUTH, { TRTC_MCP_AUTH_TOKEN: 'a-long-enough-token' }, 'TRTC_MCP_AUTH_TOKEN sets a shared bearer token, and --auth is oauth'],
    [['--auth', 'token', '--transport', 'http'], {}, '--auth token needs the bearer token'],
    [['--auth', 'none', '--transport', 'http'], { TRTC_MCP_AUTH_TOKEN: 'a-long-enough-token' }, 'TRTC_MCP_AUTH_TOKEN sets a bearer token, but --auth is none'],
    [['--transport', 'http', '--oauth-issuer', 'http://login.example.com', '--oauth-resource', 'https://mcp.example.com'], {}, 'http://login.example.com must use https (plain http only on a loopback address)'],
    [['--transport', 'http', '--oauth-issuer', 'https://login.example.com', '--oauth-resource', 'https://mcp.example.com/#x'], {}, 'must have no fragment'],
    [[...OAUTH, '--oauth-algorithms', 'RS256,HS256'], {}, 'must be among RS256'],
    [[...OAUTH, '--oauth-algorithms', 'none'], {}, '(never none or HS*)'],
    [['--auth', 'oauth'], {}, '--auth applies to the HTTP transport only'],
    [[], { TRTC_MCP_AUTH: 'oauth', TRTC_MCP_OAUTH_ISSUER: 'https://login.example.com', TRTC_MCP_OAUTH_RESOURCE: 'https://mcp.example.com' }, '--auth oauth protects the HTTP transport, and this server would serve stdio'],
  ] as const)('refuses %j %j', (argv, env, message) => {
    expect(refusal([...argv], env)).toContain(message);
  });

  it('stops the server with exit code 2 and one line naming the policy file\'s mistake', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtc-policy-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ identities: [{ name: 'x', match: { groups: 'g' }, toolsets: ['rooms'] }] }));
    const r = spawnSync(process.execPath, [CLI, ...OAUTH, '--oauth-policy', join(dir, 'p.json')], { env: cleanEnv({ TRTC_SANDBOX: '1' }), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`Invalid setting --oauth-policy: ${join(dir, 'p.json')}: identities[0].toolsets: unknown toolset "rooms"; choose from all, room, record, relay, ingest, ai, quality, usage, moderation, slice, webrecord, transcription, speech, mix, live, seat, pk, call, conference, events.`);
  });
});

describe('the policy file', () => {
  it.each([
    [{}, 'identities: '],
    [{ identities: [{ name: 'a', match: {} }] }, 'identities[0].match: must name at least one claim'],
    [{ identities: [{ name: 'a', match: { sub: 'x' }, tools: ['NoSuchTool'] }] }, 'identities[0].tools: no tool named "NoSuchTool"'],
    [{ identities: [{ name: 'a', match: { sub: 'x' }, apps: [5] }] }, 'identities[0].apps: none of 5 is among the apps this server may touch (--allow-apps 7)'],
    [{ identities: [{ name: 'a', match: { sub: 'x' } }, { name: 'a', match: { sub: 'y' } }] }, 'identities[1].name: "a" is used by an earlier entry'],
    [{ identities: [{ name: 'a', match: { sub: 'x' }, confirm: 'none' }] }, 'identities[0].confirm: '],
    [{ identities: [{ name: 'a', match: { sub: 'x' }, rooms: ['1'], extra: true }] }, 'identities[0]: '],
  ])('refuses %j', async (raw, message) => {
    const manifest = await loadManifest();
    expect(() => parsePolicy(raw, manifest, { allowApps: [7] })).toThrow(message);
  });

  it('matches claims in order: a value among a list, a dotted path, a URL-named claim, any value with *', async () => {
    const policy = parsePolicy(
      {
        identities: [
          { name: 'keycloak-admins', match: { 'realm_access.roles': 'trtc-admin' } },
          { name: 'auth0-support', match: { 'https://example.com/groups': ['support', 'helpdesk'] } },
          { name: 'both', match: { sub: 'u1', org: '42' } },
          { name: 'everyone', match: { sub: '*' } },
        ],
      },
      await loadManifest(),
      { allowApps: [] },
    );
    expect(policy.match({ sub: 'a', realm_access: { roles: ['user', 'trtc-admin'] } })).toBe('keycloak-admins');
    expect(policy.match({ sub: 'b', 'https://example.com/groups': ['helpdesk'] })).toBe('auth0-support');
    expect(policy.match({ sub: 'u1', org: 42 })).toBe('both');
    expect(policy.match({ sub: 'u2', org: 42 })).toBe('everyone');
    expect(policy.match({ org: 42 })).toBeUndefined();
    expect(policy.match({ sub: 'c', __proto__: { sub: 'x' } } as never)).toBe('everyone');
  });
});

describe('scopes and permissions', () => {
  it('lets broader scopes imply narrower ones, and approval imply nothing else', () => {
    expect(grantedEffect(new Set([SCOPES.destructive]))).toBe('destructive');
    expect(hasScope(person([SCOPES.destructive]), SCOPES.read)).toBe(true);
    expect(hasScope(person([SCOPES.write]), SCOPES.destructive)).toBe(false);
    expect(hasScope(person([SCOPES.approve]), SCOPES.read)).toBe(false);
    expect(hasScope(person([SCOPES.destructive]), SCOPES.approve)).toBe(false);
    expect(hasScope({ subject: 'operator', via: 'local' }, SCOPES.approve)).toBe(true);
  });

  it('narrows the configuration: the stricter consent, the union of deny lists, the identity\'s rooms and apps beside the server\'s', async () => {
    const manifest = await loadManifest();
    const config = loadConfig(['--allow-rooms', '12*,helpdesk', '--deny-tools', 'DismissRoom'], {});
    const policy = parsePolicy({ identities: [{ name: 'mods', match: { groups: 'm' }, toolsets: ['room'], rooms: ['1234', 'class-*'], confirm: 'mutating', rateShare: 0.2 }] }, manifest, config);
    const mo = person([SCOPES.write], { subject: 'mo', policy: 'mods' });
    const view = accessConfig(config, mo, policy, 0.5);
    expect(view.confirm).toBe('mutating');
    expect(view.denyTools).toContain('DismissRoom');
    expect(view.denyTools).toContain('DescribeRoomInfo');
    expect(roomInScope(view, room(1234))).toBe(true);
    expect(roomInScope(view, room(1299))).toBe(false); // the server allows 12*, the identity only 1234
    expect(roomInScope(view, room('class-1', 'str'))).toBe(false); // the identity allows class-*, the server does not
    expect(appInScope(view, 99)).toBe(true);
    const listed = selectTools(manifest, view).map((t) => t.name);
    expect(listed).toEqual(expect.arrayContaining(['SetUserBlocked', 'search_tools']));
    expect(listed).not.toContain('RemoveUser');
    expect(grantRefusal(view, 'RemoveUser', 'destructive')).toMatch(/needs the scope trtc:destructive/);
    expect(rateShareOf(view, mo)).toEqual({ who: expect.stringMatching(/^[\w-]{16}$/), fraction: 0.2 });
    // The operator keeps the configuration as it is.
    expect(accessConfig(config, { subject: 'operator', via: 'token' }, policy, 0.5)).toBe(config);
  });

  it('judges what a message asks for by the tool and its arguments, through call_tool and in batches', async () => {
    const call = (name: string, args: unknown) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    expect(await asked({ method: 'tools/list' }, loadCatalog)).toEqual({ effect: 'read' });
    expect(await asked(call('SetUserBlocked', {}), loadCatalog)).toEqual({ effect: 'write', tool: 'SetUserBlocked' });
    expect(await asked(call('call_tool', { name: 'RemoveUser', arguments: {} }), loadCatalog)).toEqual({ effect: 'destructive', tool: 'RemoveUser' });
    expect((await asked(call('ControlAIConversation', { ServerPushText: { StopAfterPlay: true } }), loadCatalog)).effect).toBe('destructive');
    expect((await asked(call('ControlAIConversation', { ServerPushText: { Text: 'hi' } }), loadCatalog)).effect).toBe('write');
    expect((await asked([call('DescribeRoomInfo', {}), call('call_tool', { name: 'DismissRoom' })], loadCatalog)).effect).toBe('destructive');
    expect((await asked(call('__proto__', {}), loadCatalog)).effect).toBe('read');
  });
});

describe('rate limits per identity', () => {
  it('gives each identity its share of an action\'s rate, and leaves the rest to the others', async () => {
    const gate = new RateGate(0);
    const a = { who: 'a', fraction: 0.5 };
    const b = { who: 'b', fraction: 0.5 };
    await gate.acquire('X', 4, a);
    await gate.acquire('X', 4, a);
    await expect(gate.acquire('X', 4, a)).rejects.toThrow(RateLimitedError);
    await expect(gate.acquire('X', 4, a)).rejects.toThrow(/X allows each identity 2 requests per second/);
    await gate.acquire('X', 4, b);
    await gate.acquire('X', 4, b);
    // The action's own limit still holds for everyone together.
    await expect(gate.acquire('X', 4, { who: 'c', fraction: 1 })).rejects.toThrow(/^X allows 4 requests per second/);
  });
});
