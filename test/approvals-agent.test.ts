// The agent, holding only its MCP connection, cannot approve. With --consent-channel approver every path an agent
// has is tried against one pending approval: each tool (directly and through call_tool), each resource and
// template, each prompt, a confirmation token and a requestState that a sibling server really issued (same key,
// same store), the agent's own elicitation answers, both protocol eras over stdio, Streamable HTTP and legacy SSE,
// and the agent's bearer token at the approval page. The approval must still be pending, and the call unsent.
// Last, a pending approval outlives the server that asked it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/index.js';
import { approvalOf, decide, postForm, rawStatus, request, signIn } from './approvals.js';
import {
  cloudRequests, confirmationTokenOf, connectHttp, connectStdio, recordAttack, sandboxEnv, spawnHttp, text, waitForLog, withSandbox, type Connected, type SpawnedHttp,
} from './helpers.js';
import { connectModernHttp, connectModernStdio, envelope, post } from './modern.js';

const APPROVER_TOKEN = `approver-${randomBytes(16).toString('hex')}`;
const AGENT_TOKEN = `agent-bearer-${randomBytes(16).toString('hex')}`;
const FORMS = { elicitation: { form: {} } };
const CALL = { RoomId: 1234, UserIds: ['alice'] };
const manifest = JSON.parse(readFileSync(new URL('../dist/manifest.json', import.meta.url), 'utf8')) as Array<{ name: string }>;


describe('the agent cannot approve', () => {
  let sb: Sandbox;
  let server: SpawnedHttp;
  let sibling: SpawnedHttp;
  let stdio: Connected;
  let agent: Client;
  let id: string;
  const auth = { authorization: `Bearer ${AGENT_TOKEN}` };
  const elicited: string[] = [];
  const removals = () => cloudRequests(sb, 'RemoveUser').length;
  // One store and one consent secret: what any sibling process of the deployment shares.
  const shared = { TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')), TRTC_MCP_CONFIRM_SECRET: randomBytes(24).toString('base64url') };
  const stdioArgs = ['--consent-channel', 'approver', '--approvals-listen', '127.0.0.1:0'];
  const stdioEnv = () => sandboxEnv(sb, { ...shared, TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN });

  beforeAll(async () => {
    sb = await withSandbox();
    server = await spawnHttp(['--consent-channel', 'approver'], sandboxEnv(sb, { ...shared, TRTC_MCP_AUTH_TOKEN: AGENT_TOKEN, TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN }));
    sibling = await spawnHttp([], sandboxEnv(sb, { ...shared, TRTC_MCP_AUTH_TOKEN: AGENT_TOKEN }));
    stdio = await connectStdio(stdioArgs, stdioEnv());
    // A client whose "user" accepts every question: the agent's own answers.
    agent = await connectHttp(server.url, 'streamable', auth, (params) => {
      elicited.push(params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    const asked = await agent.callTool({ name: 'RemoveUser', arguments: CALL });
    id = approvalOf(asked).id;
    expect(text(asked)).toMatch(/^Approval required/);
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await stdio?.close();
    await server?.stop();
    await sibling?.stop();
    await sb?.close();
  });

  /** The approval as the agent can see it: still pending, and nothing was sent. */
  async function stillPending(attack: string) {
    const waited = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 1 } });
    expect(approvalOf(waited).state, `${attack}: ${text(waited)}`).toBe('pending');
    expect(removals()).toBe(0);
    recordAttack(`approve without an approver: ${attack}`, removals());
  }

  it('a client that answers its own elicitation is never asked: the call waits for an approver', async () => {
    const again = await agent.callTool({ name: 'RemoveUser', arguments: CALL });
    expect(approvalOf(again).id).toBe(id); // the same question, not a second one
    expect(elicited).toEqual([]);
    await stillPending('legacy client that accepts every elicitation');
  });

  it('the 2026-07-28 era asks no form of a client that can fill one, and ignores its answers', async () => {
    const answers: string[] = [];
    const modern = await connectModernHttp(server.url, { headers: auth, elicit: (p) => (answers.push(p.message), { action: 'accept', content: { confirm: true } }) });
    const r = await modern.callTool({ name: 'RemoveUser', arguments: CALL });
    expect(approvalOf(r as never).id).toBe(id);
    expect(answers).toEqual([]);
    await modern.close();
    // Answers sent unasked, with and without a made-up requestState.
    for (const extra of [{ inputResponses: { consent: { action: 'accept', content: { confirm: true } } } }, { requestState: 'v1.forged.state', inputResponses: { consent: { action: 'accept', content: { confirm: true } } } }]) {
      const raw = await post(server.url, 'tools/call', { name: 'RemoveUser', arguments: CALL, ...extra, _meta: envelope(FORMS) }, auth);
      const msg = raw.messages.at(-1)!;
      expect(msg.error?.code === -32602 || msg.result?._meta?.approval?.state === 'pending', JSON.stringify(msg)).toBe(true);
    }
    await stillPending('2026-07-28 client with form elicitation, answers sent unasked');
  });

  it('a genuine requestState from a sibling server, answered by the agent itself, is no approval', async () => {
    const first = await post(sibling.url, 'tools/call', { name: 'RemoveUser', arguments: CALL, _meta: envelope(FORMS) }, auth);
    const state = first.messages.at(-1)!.result.requestState as string;
    expect(state).toMatch(/^v1\./);
    const retry = await post(server.url, 'tools/call', {
      name: 'RemoveUser', arguments: CALL, requestState: state, inputResponses: { consent: { action: 'accept', content: { confirm: true } } }, _meta: envelope(FORMS),
    }, auth);
    const msg = retry.messages.at(-1)!;
    expect(msg.error?.code === -32602 || msg.result?._meta?.approval?.state === 'pending', JSON.stringify(msg)).toBe(true);
    await stillPending('requestState issued by a sibling, answered by the agent');
  });

  it('a genuine confirmation token from a sibling server is refused', async () => {
    const plain = await connectHttp(sibling.url, 'streamable', auth);
    const token = confirmationTokenOf(await plain.callTool({ name: 'RemoveUser', arguments: CALL }));
    await plain.close();
    for (const via of ['direct', 'call_tool'] as const) {
      const args = { ...CALL, confirmationToken: token };
      const r = via === 'direct'
        ? await agent.callTool({ name: 'RemoveUser', arguments: args })
        : await agent.callTool({ name: 'call_tool', arguments: { name: 'RemoveUser', arguments: args } });
      expect(text(r)).toMatch(/^Refused: RemoveUser needs the decision of a human approver, made outside this conversation; confirmation tokens are not accepted/);
    }
    await stillPending('confirmation token issued by a sibling');
  });

  it('no tool decides: wait_for_approval takes no decision, and every tool refuses one, directly and through call_tool', async () => {
    const decisions = [{ approvalId: id, approve: true }, { approvalId: id, decision: 'approve' }, { approvalId: id, state: 'approved' }];
    for (const args of decisions) {
      const r = await agent.callTool({ name: 'wait_for_approval', arguments: args });
      expect(text(r)).toMatch(/^Invalid arguments for wait_for_approval:\n- (approve|decision|state): /);
    }
    const listed = (await agent.listTools()).tools.map((t) => t.name);
    expect(listed).toContain('wait_for_approval');
    for (const name of listed.filter((n) => n !== 'wait_for_approval')) {
      await agent.callTool({ name, arguments: { approvalId: id, approve: true, decision: 'approve' } });
    }
    for (const { name } of manifest) {
      await agent.callTool({ name: 'call_tool', arguments: { name, arguments: { approvalId: id, approve: true } } });
    }
    for (const name of ['approve', 'approve_approval', 'decide_approval', 'approvals']) {
      const r = await agent.callTool({ name: 'call_tool', arguments: { name, arguments: { approvalId: id } } });
      expect(text(r)).toMatch(/^No callable tool named/);
    }
    const found = await agent.callTool({ name: 'search_tools', arguments: { query: 'approve the pending approval' } });
    const names = (found.structuredContent as { results: Array<{ name: string }> }).results.map((r) => r.name);
    expect(names.filter((n) => /approv|decide/i.test(n))).toEqual(['wait_for_approval']);
    await stillPending('every tool, directly and through call_tool');
  }, 120_000);

  it('no resource or prompt decides', async () => {
    for (const r of (await agent.listResources()).resources) await agent.readResource({ uri: r.uri });
    for (const uri of [`trtc://approvals/${id}`, `trtc://approvals/${id}/approve`]) {
      await expect(agent.readResource({ uri })).rejects.toThrow(/Resource not found/);
    }
    for (const t of (await agent.listResourceTemplates()).resourceTemplates) {
      const uri = t.uriTemplate.replace(/\{[^}]+\}/g, (v) => (v === '{app}' ? '1400000001' : encodeURIComponent(id)));
      await agent.readResource({ uri }).catch(() => undefined);
    }
    for (const p of (await agent.listPrompts()).prompts) {
      const args = Object.fromEntries((p.arguments ?? []).filter((a) => a.required).map((a) => [a.name, a.name === 'roomId' ? '1234' : 'alice']));
      const got = await agent.getPrompt({ name: p.name, arguments: args }).catch(() => undefined);
      if (p.name === 'moderate_room') expect(JSON.stringify(got)).toContain('wait_for_approval');
    }
    await stillPending('every resource, template and prompt');
  }, 60_000);

  it('legacy SSE and both eras over stdio only ask for approval', async () => {
    const sse = await connectHttp(server.url, 'sse', auth);
    expect(approvalOf(await sse.callTool({ name: 'RemoveUser', arguments: CALL }))?.id).toBe(id);
    await sse.close();
    // stdio: the same deployment (store and secret), the operator's own identity, hence the same approval.
    expect(approvalOf(await stdio.client.callTool({ name: 'RemoveUser', arguments: CALL }))?.id).toBe(id);
    const modern = await connectModernStdio(stdioArgs, stdioEnv(), { elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    const r = await modern.client.callTool({ name: 'RemoveUser', arguments: CALL });
    expect(approvalOf(r as never).id).toBe(id);
    await modern.close();
    await stillPending('legacy SSE, stdio in both eras');
  }, 60_000);

  it("the agent's bearer token opens nothing on the approval page", async () => {
    const { answer, cookie } = await signIn(server.url, AGENT_TOKEN);
    expect(cookie).toBeUndefined();
    expect(answer.status).toBe(401);
    const list = await request(`${server.url}/approvals/${id}`, { headers: auth });
    expect(list.status).toBe(303);
    expect(list.location).toBe(`/approvals/login?next=%2Fapprovals%2F${id}`);
    const post = await postForm(`${server.url}/approvals/${id}`, { decision: 'approve' }, { headers: auth });
    expect(post.status).toBe(401);
    await stillPending("the agent's bearer token at the page");
  });

  it('a person still decides it: approved on the page, the waiting call runs the call exactly as asked', async () => {
    const { cookie } = await signIn(server.url, APPROVER_TOKEN);
    const waiting = agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 30 } }, undefined, { timeout: 60_000 });
    expect((await decide(server.url, id, cookie!, 'approve')).status).toBe(303);
    const done = await waiting;
    expect(done.isError, text(done)).toBeFalsy();
    expect(removals()).toBe(1);
    expect([...sb.world.room(sb.world.apps.get(1400000001)!, 'int', 1234)!.users.keys()]).not.toContain('alice');
  }, 60_000);

  it('the stdio server serves its page on its own port, behind the same checks', async () => {
    const [, base] = await waitForLog(stdio.stderr, /serving the approval page url=(http:\/\/\S+)\/approvals/);
    expect(await rawStatus(`${base}/approvals`, { host: 'evil.example' })).toBe(403);
    expect((await request(`${base}/approvals`)).status).toBe(303);
  });
});

describe('an approval is for the call as it was judged', () => {
  let sb: Sandbox;
  let server: SpawnedHttp;
  let agent: Client;
  const startBot = (target: string) => ({ RoomId: '1234', RoomIdType: 0, AgentConfig: { UserId: 'bot_x', TargetUserId: target } });
  const starts = () => cloudRequests(sb, 'StartAIConversation').length;

  beforeAll(async () => {
    sb = await withSandbox();
    server = await spawnHttp(['--consent-channel', 'approver', '--confirm', 'mutating', '--toolsets', 'all'], sandboxEnv(sb, {
      TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN, TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')),
    }));
    agent = await connectHttp(server.url);
  }, 60_000);

  afterAll(async () => {
    await agent?.close();
    await server?.stop();
    await sb?.close();
  });

  it('approved as a write, it does not run once the same call would end a running task', async () => {
    const first = approvalOf(await agent.callTool({ name: 'StartAIConversation', arguments: startBot('carol') }));
    const second = approvalOf(await agent.callTool({ name: 'StartAIConversation', arguments: startBot('bob') }));
    const { cookie } = await signIn(server.url, APPROVER_TOKEN);
    // The second starts bot_x first.
    expect((await decide(server.url, second.id, cookie!, 'approve')).status).toBe(303);
    expect((await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: second.id } })).isError).toBeFalsy();
    expect(starts()).toBe(1);
    // A person approves the first as they were shown it: a write.
    expect(await request(`${server.url}/approvals/${first.id}`, { cookie }).then((p) => p.body)).toMatch(/<dt>Effect<\/dt><dd>write<\/dd>/);
    expect((await decide(server.url, first.id, cookie!, 'approve')).status).toBe(303);
    const ran = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: first.id } });
    expect(text(ran)).toMatch(/^Refused: StartAIConversation is no longer the call approval [\w-]{22} was about \(it was judged write; it is now destructive: bot user "bot_x" already runs task "[^"]+" in room "1234", started by this server; a user ID is unique in its room, so that task ends\); nothing was sent\./);
    recordAttack('approvals: approved as a write, run once the call would end a running task', starts() - 1);
    expect(starts()).toBe(1);
  }, 60_000);
});

describe('a pending approval outlives the server that asked it', () => {
  it('asked on a server that then stops, it is still pending on its successor over the same store, and runs once approved there', async () => {
    const sb = await withSandbox();
    const env = sandboxEnv(sb, {
      TRTC_MCP_STORE: mkdtempSync(join(tmpdir(), 'trtc-store-')), TRTC_MCP_CONFIRM_SECRET: randomBytes(24).toString('base64url'),
      TRTC_MCP_AUTH_TOKEN: AGENT_TOKEN, TRTC_MCP_APPROVER_TOKEN: APPROVER_TOKEN,
    });
    const auth = { authorization: `Bearer ${AGENT_TOKEN}` };
    const removals = () => cloudRequests(sb, 'RemoveUser').length;
    let next: SpawnedHttp | undefined;
    let agent: Client | undefined;
    try {
      const first = await spawnHttp(['--consent-channel', 'approver'], env);
      const asking = await connectHttp(first.url, 'streamable', auth);
      const id = approvalOf(await asking.callTool({ name: 'RemoveUser', arguments: CALL })).id;
      await asking.close();
      await first.stop();

      next = await spawnHttp(['--consent-channel', 'approver'], env);
      agent = await connectHttp(next.url, 'streamable', auth);
      const pending = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 1 } });
      expect(approvalOf(pending).state, text(pending)).toBe('pending');
      expect(removals()).toBe(0);
      const { cookie } = await signIn(next.url, APPROVER_TOKEN);
      expect((await decide(next.url, id, cookie!, 'approve')).status).toBe(303);
      const done = await agent.callTool({ name: 'wait_for_approval', arguments: { approvalId: id, timeoutSeconds: 30 } }, undefined, { timeout: 60_000 });
      expect(done.isError, text(done)).toBeFalsy();
      expect(removals()).toBe(1);
      expect([...sb.world.room(sb.world.apps.get(1400000001)!, 'int', 1234)!.users.keys()]).not.toContain('alice');
    } finally {
      await agent?.close();
      await next?.stop();
      await sb.close();
    }
  }, 60_000);
});
