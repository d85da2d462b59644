// Approvers with OAuth identities, with real parts: oidc-provider on loopback issuing access tokens, the server with
// --auth oauth --consent-channel approver --four-eyes, an agent acting for Ada, and people in a real browser. Only a
// token carrying trtc:approve signs in; Ada, who asked, is refused her own approval; Abe approves it, and the call
// Ada's agent waits on completes. The audit names both people.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { approvalOf, signIn } from './approvals.js';
import { Approver, startBrowser, type Browser } from './browser.js';
import { cloudRequests, connectHttp, recordAttack, sandboxEnv, spawnHttp, text, withSandbox, type SpawnedHttp } from './helpers.js';
import { freePort, oauthArgs, oauthFiles, SCOPE, startAuthServer, type AuthServer } from './oauth.js';

const AGENT_SCOPES = [SCOPE.read, SCOPE.write, SCOPE.destructive].join(' ');

describe('approvers with OAuth identities', () => {
  let sb: Sandbox;
  let as: AuthServer;
  let srv: SpawnedHttp;
  let resource: string;
  let audit: string;
  let agent: Client;
  let browser: Browser;
  let id: string;
  const removals = () => cloudRequests(sb, 'RemoveUser').length;

  beforeAll(async () => {
    sb = await withSandbox();
    as = await startAuthServer();
    const files = oauthFiles();
    audit = files.audit;
    const port = await freePort();
    resource = `http://127.0.0.1:${port}`;
    srv = await spawnHttp(['--port', String(port), ...oauthArgs(as, resource, files.policy), '--consent-channel', 'approver', '--four-eyes', '--audit-log', audit], sandboxEnv(sb, {
      TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')),
    }));
    agent = await connectHttp(srv.url, 'streamable', { authorization: `Bearer ${await as.token('ada', AGENT_SCOPES, resource)}` });
    const asked = await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['carol'] } });
    expect(text(asked)).toMatch(/^Approval required/);
    id = approvalOf(asked).id;
    browser = await startBrowser();
  }, 90_000);

  afterAll(async () => {
    await agent?.close();
    await browser?.close();
    await srv?.stop();
    await as?.close();
    await sb?.close();
  });

  it('signs in only a token that carries trtc:approve: not the agent\'s own, not one without the scope', async () => {
    const agents = await as.token('ada', AGENT_SCOPES, resource);
    expect((await signIn(srv.url, agents)).answer.status).toBe(401);
    // Mo may not approve: the authorization server leaves trtc:approve out of his token.
    const mo = await as.token('mo', `${SCOPE.read} ${SCOPE.approve}`, resource);
    expect((await signIn(srv.url, mo)).answer.status).toBe(401);
    const page = await fetch(`${srv.url}/approvals/login`);
    expect(await page.text()).toContain('<label for="token">Access token with trtc:approve</label>');
    // A session lasts no longer than the access token it was opened with (600 s at this authorization server).
    const { answer } = await signIn(srv.url, await as.token('abe', SCOPE.approve, resource));
    const maxAge = Number(/trtc-approvals=[^;]+;.*Max-Age=(\d+)/.exec(answer.headers.getSetCookie().join('\n'))![1]);
    expect(maxAge).toBeGreaterThan(500);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(removals()).toBe(0);
    recordAttack("approvals under OAuth: the agent's own access token, and one without trtc:approve, at the page", removals());
  }, 60_000);

  it('four-eyes: Ada, who asked, is refused on the page; Abe approves, and the call Ada\'s agent waits on completes', async () => {
    const waiting = agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 45 } }, undefined, { timeout: 90_000 });
    const page = browser.page;
    const person = new Approver(page, srv.url);

    await person.signIn(await as.token('ada', SCOPE.approve, resource));
    await person.openFromList(id);
    expect(await page.locator('dl.facts dd').nth(3).textContent()).toBe('Ada Admin <ada@example.com> (ada) (oauth)');
    await person.decide('approve');
    expect(await page.locator('p.problem').textContent()).toBe('You asked for this call yourself: under four-eyes, another approver must decide it.');
    expect(removals()).toBe(0);
    recordAttack('approvals under OAuth: the requester approves her own call (four-eyes)', removals());

    await page.click('header form.who button[type=submit]');
    await page.waitForURL(`${srv.url}/approvals/login`);
    await person.signIn(await as.token('abe', SCOPE.approve, resource));
    await person.openFromList(id);
    await person.decide('approve');
    expect(await page.locator('p.state').textContent()).toMatch(/^Approved by Abe Admin <abe@example\.com> \(abe\) at /);

    const done = await waiting;
    expect(done.isError, text(done)).toBeFalsy();
    expect(removals()).toBe(1);
    const records = readFileSync(audit, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>).filter((r) => r.approval?.id === id);
    expect(records.map((r) => [r.outcome, r.by.subject])).toEqual([
      ['approval-pending', 'ada'],
      ['refused:four-eyes', 'ada'],
      ['approved', 'abe'],
      ['ok', 'ada'],
    ]);
    expect(records[2]!.by).toEqual({ subject: 'abe', via: 'oauth', name: 'Abe Admin', email: 'abe@example.com' });
    expect(records[3]!.approval.decidedBy).toMatchObject({ subject: 'abe', via: 'oauth' });
  }, 120_000);

  it("another identity's agent cannot wait on, or run, Ada's approval", async () => {
    const abe = await connectHttp(srv.url, 'streamable', { authorization: `Bearer ${await as.token('abe', AGENT_SCOPES, resource)}` });
    const r = await abe.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 1 } });
    await abe.close();
    expect(text(r)).toMatch(/^No approval "[\w-]{22}" is waiting for this caller; nothing was sent\./);
    expect(removals()).toBe(1);
    recordAttack("approvals under OAuth: another identity waits on someone else's approval", removals() - 1);
  }, 60_000);
});
