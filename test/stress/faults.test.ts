// Fault injection: the sandbox fails the ways networks and services do (5xx, timeouts, rate limits, garbled
// answers, reset connections, answers lost after the service acted, slow answers), for Cloud API and REST reads
// and writes, through a real MCP client over stdio. Reads recover from transient faults; writes are never sent
// twice (the sandbox counts the requests and the tasks or messages they made); every failure reaches the agent
// as a clear error with the RequestId whenever the sandbox sent one.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind } from '../../src/sandbox/faults.js';
import type { Sandbox, SandboxRequestRecord } from '../../src/sandbox/index.js';
import type { TaskKind } from '../../src/sandbox/tasks.js';
import { connectStdio, rememberSecret, sandboxEnv, text, withSandbox, type Connected } from '../helpers.js';

const APP = 1400000001;
/** The server's per-request timeout, and how long the sandbox holds a request it will let time out. */
const TIMEOUT_MS = 800;
const HELD_MS = TIMEOUT_MS + 400;
/** The server's default: a read is sent at most three times. */
const RETRIES = 2;
const LIVE_ROOM = 'faults-live';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What each fault looks like to the agent once retries are spent (or, for writes, at once). */
const CAUSE: Record<Exclude<FaultKind, 'slow' | 'replay'>, RegExp> = {
  http5xx: /failed: HTTP 502 with a body that is not JSON\./,
  timeout: new RegExp(`failed: timed out after ${TIMEOUT_MS} ms`),
  'rate-limit': /failed: (RequestLimitExceeded|60007): Too many requests; slow down\.\nWhat to do: Too many requests\. Wait a moment and retry\./,
  malformed: /failed: HTTP 200 with a body that is not JSON\./,
  reset: /failed: network error: ECONNRESET\./,
  'drop-after': /failed: network error: ECONNRESET\./,
};

interface Target {
  tool: string;
  /** What the sandbox calls it: the Cloud API action, or service/command. */
  key: string;
  args(n: number): Record<string, unknown>;
}

interface WriteTarget extends Target {
  /** The read action an agent is told to check the outcome with, if the catalog has one. */
  checkWith?: string;
  /** How many times the write took effect in the sandbox (tasks started, messages sent). */
  effects(): number;
}

const lastHour = () => ({ StartTime: new Date(Date.now() - 3_600_000).toISOString(), EndTime: new Date().toISOString() });

describe('faults between the server and TRTC', () => {
  let sb: Sandbox;
  let conn: Connected;
  const app = () => sb.world.apps.get(APP)!;
  const tasks = (kind: TaskKind) => sb.world.tasks.all(app(), (t) => t.kind === kind).length;
  const seen = (key: string) => sb.requests.filter((r) => r.action === key);

  const READS: Target[] = [
    { tool: 'DescribeRoomInfo', key: 'DescribeRoomInfo', args: lastHour },
    { tool: 'live_get_room_info', key: 'live_engine_http_srv/get_room_info', args: () => ({ RoomId: LIVE_ROOM }) },
  ];
  const WRITES: WriteTarget[] = [
    {
      tool: 'StartStreamIngest', key: 'StartStreamIngest', checkWith: 'DescribeStreamIngest',
      args: (n) => ({ RoomId: '1234', RoomIdType: 0, UserId: `ingest-${n}`, StreamUrl: 'https://media.example.com/intro.mp4' }),
      effects: () => tasks('ingest'),
    },
    {
      tool: 'StartAIConversation', key: 'StartAIConversation', checkWith: 'DescribeAIConversation',
      args: (n) => ({ RoomId: '1234', SessionId: `faults-${n}`, AgentConfig: { UserId: `ai-${n}`, TargetUserId: 'alice' }, LLMConfig: { profile: 'default' }, TTSConfig: { profile: 'default' } }),
      effects: () => tasks('conversation'),
    },
    {
      tool: 'live_send_text_msg', key: 'live_engine_http_srv/send_text_msg',
      args: (n) => ({ RoomId: LIVE_ROOM, Sender_Account: 'host', TextContent: `message ${n}` }),
      effects: () => sb.rest.of(app()).rooms.get(LIVE_ROOM)!.messages,
    },
  ];

  beforeAll(async () => {
    sb = await withSandbox();
    const llm = { LLMType: 'openai', Model: 'gpt-4o', APIKey: 'sk-faults-0123456789abcdef', APIUrl: 'https://llm.example.com/v1/chat/completions' };
    const tts = { TTSType: 'tencent', AppId: 1300000000, SecretId: 'AKIDfaults', SecretKey: 'tts-faults-0123456789abcdef', VoiceType: 101001 };
    rememberSecret(llm.APIKey, tts.SecretKey);
    conn = await connectStdio(
      ['--toolsets', 'all', '--timeout', String(TIMEOUT_MS), '--max-retries', String(RETRIES), '--log-level', 'warn'],
      sandboxEnv(sb, { TRTC_LLM_CONFIG: JSON.stringify(llm), TRTC_TTS_CONFIG: JSON.stringify(tts) }),
    );
    const created = await call('live_create_room', { RoomInfo: { RoomId: LIVE_ROOM, RoomType: 'Live', SeatTemplate: 'Karaoke' } });
    expect(created.isError, text(created)).toBeFalsy();
  });
  afterAll(async () => {
    await conn?.close();
    await sb?.close();
  });

  async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    return (await conn.client.callTool({ name, arguments: args })) as CallToolResult;
  }

  /**
   * Runs one call with a fault armed for its next `times` requests, and returns its result with the requests it
   * made. The sandbox records a request it holds (timeout, slow) only when it lets go of it, after the server has
   * given up on it; so wait for those records too, or a request sent twice could hide behind a late one.
   */
  async function underFault(target: Target, kind: FaultKind, times: number, n: number, delayMs = HELD_MS) {
    sb.faults.clear();
    const before = seen(target.key).length;
    sb.faults.inject({ kind, action: target.key, times, delayMs });
    const result = await call(target.tool, target.args(n));
    // Faults are taken as requests arrive, so what is left says how many requests met one.
    const met = times - (sb.faults.list()[0]?.times ?? 0);
    sb.faults.clear();
    if (kind === 'timeout') {
      const held = () => seen(target.key).slice(before).filter((r) => r.code === 'fault:timeout').length;
      for (const end = Date.now() + 5_000; held() < met && Date.now() < end; ) await sleep(20);
    }
    // A slow answer is recorded under its real code; the last one arrived before the result, so this is enough.
    if (kind === 'slow') await sleep(delayMs + 100);
    return { result, text: text(result), requests: seen(target.key).slice(before), met };
  }

  /** The last answer the sandbox sent carried a RequestId: the agent must see it. No RequestId is invented either. */
  function expectRequestIdOf(last: SandboxRequestRecord, shown: string) {
    const sent = last.code.startsWith('fault:drop-after') ? undefined : last.requestId;
    if (sent) expect(shown).toContain(`RequestId: ${sent}`);
    else expect(shown).not.toMatch(/RequestId/);
  }

  const READ_FAULTS: Array<Exclude<FaultKind, 'slow' | 'replay'>> = ['http5xx', 'timeout', 'rate-limit', 'malformed', 'reset', 'drop-after'];

  describe.each(READS)('a read: $tool', (target) => {
    it.each(READ_FAULTS)('recovers from %s when it lasts fewer attempts than the retries', async (kind) => {
      const { result, text: shown, requests, met } = await underFault(target, kind, RETRIES, 1);
      expect(result.isError, shown).toBeFalsy();
      expect(met).toBe(RETRIES);
      // Held requests are recorded late, so count rather than compare in order.
      expect(requests.filter((r) => r.code.startsWith(`fault:${kind}`))).toHaveLength(RETRIES);
      expect(requests.filter((r) => !r.code.startsWith('fault:'))).toHaveLength(1);
    });

    it.each(READ_FAULTS)('explains %s when it outlasts the retries', async (kind) => {
      const { result, text: shown, requests } = await underFault(target, kind, RETRIES + 1, 2);
      expect(result.isError).toBe(true);
      expect(requests).toHaveLength(RETRIES + 1);
      expect(shown).toMatch(new RegExp(`^${target.tool} ${CAUSE[kind].source}`));
      if (kind !== 'rate-limit') expect(shown).toContain('Retries did not help. Check the network or endpoint and retry later.');
      expectRequestIdOf(requests.at(-1)!, shown);
    });

    it('waits out a slow answer within the timeout without sending again', async () => {
      const { result, text: shown, requests } = await underFault(target, 'slow', 1, 3, TIMEOUT_MS / 2);
      expect(result.isError, shown).toBeFalsy();
      expect(requests).toHaveLength(1);
    });
  });

  describe.each(WRITES)('a write: $tool', (target) => {
    let n = 100;

    it.each(['http5xx', 'timeout', 'malformed', 'reset', 'drop-after'] as const)('sends it once under %s and says the outcome is unknown', async (kind) => {
      const effects = target.effects();
      const { result, text: shown, requests } = await underFault(target, kind, 1, ++n);
      expect(result.isError).toBe(true);
      expect(requests).toHaveLength(1);
      // Only a lost answer (drop-after) follows a request the service acted on.
      expect(target.effects()).toBe(effects + (kind === 'drop-after' ? 1 : 0));
      expect(shown).toMatch(new RegExp(`^${target.tool} ${CAUSE[kind].source}`));
      const check = target.checkWith ? ` with ${target.checkWith}` : '';
      expect(shown).toContain(`The outcome is unknown: the request may have been applied, so it was not re-sent. Check the current state${check} before retrying, and do not repeat it blindly.`);
      expectRequestIdOf(requests.at(-1)!, shown);
    });

    it('sends it once when the service answers only after the timeout, which it acts on', async () => {
      const effects = target.effects();
      const { result, text: shown, requests } = await underFault(target, 'slow', 1, ++n, HELD_MS);
      expect(result.isError).toBe(true);
      expect(shown).toMatch(/The outcome is unknown/);
      expect(requests).toHaveLength(1);
      expect(target.effects()).toBe(effects + 1);
    });

    it('is not repeated after a rate limit, and the agent sees the RequestId', async () => {
      const effects = target.effects();
      const { result, text: shown, requests } = await underFault(target, 'rate-limit', 1, ++n);
      expect(result.isError).toBe(true);
      expect(requests).toHaveLength(1);
      expect(target.effects()).toBe(effects);
      expect(shown).toMatch(new RegExp(`^${target.tool} ${CAUSE['rate-limit'].source}`));
      expect(shown).not.toMatch(/outcome is unknown/);
      expectRequestIdOf(requests[0]!, shown);
      expect(requests[0]!.requestId).toBeTruthy();
    });

    it('goes through once the network is healthy again', async () => {
      const effects = target.effects();
      const before = seen(target.key).length;
      const r = await call(target.tool, target.args(++n));
      expect(r.isError, text(r)).toBeFalsy();
      expect(seen(target.key).length - before).toBe(1);
      expect(target.effects()).toBe(effects + 1);
    });
  });

  it('lets the agent find a task whose start answer was lost, with the action the error names', async () => {
    const target = WRITES[1]!;
    const { text: shown } = await underFault(target, 'drop-after', 1, 900);
    expect(shown).toContain('with DescribeAIConversation');
    const found = await call('DescribeAIConversation', { SessionId: 'faults-900' });
    expect(found.isError, text(found)).toBeFalsy();
    expect(found.structuredContent).toMatchObject({ SessionId: 'faults-900', Status: 'InProgress' });
  });

  it('kept serving throughout, and every fault was consumed by the call it was meant for', async () => {
    await conn.client.ping();
    expect(sb.faults.list()).toEqual([]);
    expect(conn.stderr()).not.toMatch(/Uncaught|Unhandled|TypeError|RangeError/);
  });
});
