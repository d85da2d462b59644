// Approvals across replicas, with real parts: redis-server, two `trtc-mcp --transport http --consent-channel
// approver` replicas sharing it and one consent secret, a round-robin balancer, and a person in a real browser. An
// approval created on one replica is decided on the other, the call waiting on the first completes, and every
// decision and use happens once for the fleet.
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { approvalOf, decisionForm, postForm, signIn } from './approvals.js';
import { Approver, startBrowser, type Browser } from './browser.js';
import { startFleet, type Fleet, type Replica } from './fleet.js';
import { cloudRequests, connectHttp, recordAttack, text, withSandbox } from './helpers.js';
import { connectModernHttp } from './modern.js';

const APP = 1400000001;
const APPROVER_TOKEN = `approver-${randomBytes(16).toString('hex')}`;
const usersOf = (sb: Sandbox) => [...sb.world.room(sb.world.apps.get(APP)!, 'int', 1234)!.users.keys()];

describe('approvals across replicas', () => {
  let sb: Sandbox;
  let fleet: Fleet;
  let A: Replica;
  let B: Replica;
  let agent: Client;
  let browser: Browser;

  beforeAll(async () => {
    sb = await withSandbox();
    fleet = await startFleet(sb, { replicas: 2, args: ['--consent-channel', 'approver'], env: { TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN } });
    [A, B] = fleet.replicas as [Replica, Replica];
    agent = await connectHttp(A.url);
    browser = await startBrowser();
  }, 90_000);

  afterAll(async () => {
    await agent?.close();
    await browser?.close();
    await fleet?.stop();
    await sb?.close();
  });

  it('created on replica A, approved on replica B in a browser: the call waiting on A completes, once', async () => {
    const asked = await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['carol'] } });
    const { id, url } = approvalOf(asked);
    expect(url).toBe(`${A.url}/approvals/${id}`);
    const waiting = agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 40 } }, undefined, { timeout: 60_000 });

    const person = new Approver(browser.page, B.url);
    await person.signIn(APPROVER_TOKEN);
    await person.openFromList(id);
    expect(await person.shownArguments()).toEqual({ RoomId: '1234', UserIds: '["carol"]', SdkAppId: String(APP) });
    await person.decide('approve');

    const done = await waiting;
    expect(done.isError, text(done)).toBeFalsy();
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);
    expect(usersOf(sb)).not.toContain('carol');
    // The decision was B's, the call A's; B's wait finds it used.
    expect(B.stderr()).toMatch(new RegExp(`approval decided approval=${id} tool=RemoveUser outcome=approved by=approver-token`));
    expect(A.stderr()).toMatch(/"outcome":"ok".*"consent":"approver".*"replica":"replica-a"/);
    const fromB = await connectHttp(B.url);
    const again = await fromB.callTool({ name: 'wait_for_approval', arguments: { approvalId: id } });
    await fromB.close();
    expect(text(again)).toMatch(/was already used; nothing was sent/);
    expect(cloudRequests(sb, 'RemoveUser')).toHaveLength(1);
    // The session lives in the store too: the same browser is signed in on A.
    await browser.page.goto(`${A.url}/approvals/${id}`);
    expect(await browser.page.locator('p.state').textContent()).toMatch(/^Approved by approver-token at /);
  }, 90_000);

  it('decisions racing on two replicas: exactly one is recorded', async () => {
    const { id } = approvalOf(await agent.callTool({ name: 'RemoveUser', arguments: { RoomId: 1234, UserIds: ['bob'] } }));
    const cookie = (await signIn(A.url, APPROVER_TOKEN)).cookie!;
    const onA = await decisionForm(A.url, id, cookie);
    const onB = await decisionForm(B.url, id, cookie);
    const answers = await Promise.all([
      postForm(`${A.url}/approvals/${id}`, { ...onA, decision: 'deny' }, { cookie }),
      postForm(`${B.url}/approvals/${id}`, { ...onB, decision: 'approve' }, { cookie }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409]);
    recordAttack('approvals: racing decisions on two replicas', 0);
  }, 30_000);

  it('a 2026-07-28 agent behind the balancer: asked on one replica, waited on another with progress, approved on either', async () => {
    const modern = await connectModernHttp(fleet.balancer.url);
    const asked = await modern.callTool({ name: 'DismissRoom', arguments: { RoomId: 1234 } });
    const { id } = approvalOf(asked);
    const progress: string[] = [];
    const waiting = modern.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 40 } }, {
      timeout: 60_000,
      onprogress: (p) => void progress.push(p.message ?? ''),
    });
    const person = new Approver(browser.page, B.url);
    await person.openFromList(id);
    await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(progress[0]).toBe(`Waiting for a human approver (approval ${id})`);
    await person.decide('approve');
    const done = await waiting;
    expect(done.isError, text(done as never)).toBeFalsy();
    expect(cloudRequests(sb, 'DismissRoom')).toHaveLength(1);
    await modern.close();
  }, 60_000);
});
