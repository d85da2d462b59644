// OAuth with several replicas behind a load balancer: every replica validates tokens against the same issuer for the
// same canonical resource (the balancer's URL), lists per identity and refuses alike, and a client that signs in
// through the balancer and steps up carries on whichever replica answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { cloudRequests, recordAttack, withSandbox } from './helpers.js';
import { startFleet, type Fleet } from './fleet.js';
import { envelope, post } from './modern.js';
import { challengeOf, modernAs, oauthArgs, oauthFiles, SCOPE, startAuthServer, type AuthServer } from './oauth.js';

let sb: Sandbox;
let as: AuthServer;
let fleet: Fleet;
const tokens: Record<string, string> = {};
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  sb = await withSandbox();
  as = await startAuthServer();
  const files = oauthFiles();
  fleet = await startFleet(sb, { args: (balancer) => [...oauthArgs(as, balancer.url, files.policy), '--toolsets', 'room,ai'] });
  tokens.rita = await as.token('rita', SCOPE.read, fleet.balancer.url);
  tokens.mo = await as.token('mo', `${SCOPE.read} ${SCOPE.write}`, fleet.balancer.url);
  tokens.expired = await as.sign({ iss: as.issuer, sub: 'mo', aud: fleet.balancer.url, iat: now() - 900, exp: now() - 300, scope: SCOPE.write, groups: ['moderators'] });
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  await as?.close();
  await sb?.close();
});

/** A request straight to one replica, with the Host header clients send through the balancer. */
const at = (replica: string, token: string, method: string, params: Record<string, unknown>) =>
  post(replica, method, { ...params, _meta: envelope() }, { authorization: `Bearer ${token}`, host: fleet.balancer.host });

describe('OAuth on every replica', () => {
  it('lists per identity, challenges the same step-up and refuses the same tokens on each replica', async () => {
    const before = cloudRequests(sb).length;
    for (const replica of fleet.replicas) {
      const ritaTools = (await at(replica.url, tokens.rita!, 'tools/list', {})).messages[0]!.result.tools.map((t: { name: string }) => t.name);
      const moTools = (await at(replica.url, tokens.mo!, 'tools/list', {})).messages[0]!.result.tools.map((t: { name: string }) => t.name);
      expect(ritaTools, replica.name).not.toContain('SetUserBlocked');
      expect(moTools, replica.name).toContain('SetUserBlocked');
      const write = await at(replica.url, tokens.rita!, 'tools/call', { name: 'call_tool', arguments: { name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId: 'bob', IsMute: 1 } } });
      expect(write.status, replica.name).toBe(403);
      expect(challengeOf(new Response(null, { headers: write.headers })).scope).toBe(SCOPE.write);
      const expired = await at(replica.url, tokens.expired!, 'tools/list', {});
      expect(expired.status, replica.name).toBe(401);
      const metadata = (await (await fetch(`${replica.url}/.well-known/oauth-protected-resource/mcp`, { headers: { host: fleet.balancer.host } })).json()) as { resource: string };
      expect(metadata.resource, replica.name).toBe(fleet.balancer.url);
    }
    recordAttack('oauth: read identity writes through call_tool on every replica', cloudRequests(sb).length - before);
    expect(cloudRequests(sb).length).toBe(before);
  });

  it('signs a moderator in through the balancer, and the stepped-up token works on whichever replica answers', async () => {
    const { client, retrying } = await modernAs(as, fleet.balancer.url, 'mo');
    const served = () => [...fleet.balancer.served.values()].reduce((a, b) => a + b, 0);
    const mute = (UserId: string) => client.callTool({ name: 'SetUserBlocked', arguments: { RoomId: 1234, UserId, IsMute: 1 } });
    const first = await retrying(() => mute('bob'));
    expect(first.isError).toBeFalsy();
    const before = served();
    for (const user of ['alice', 'carol', 'bob']) expect((await mute(user)).isError).toBeFalsy();
    // Three calls went through the balancer, round-robin over three replicas: each accepted the token.
    expect(served() - before).toBeGreaterThanOrEqual(3);
    expect(fleet.replicas.every((r) => /tool call tool=SetUserBlocked outcome=ok .*by=mo/.test(r.stderr()))).toBe(true);
    await client.close();
  });
});
