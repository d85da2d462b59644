// The telemetry hooks on their own, with the SDK's in-memory span exporter and a metric reader the test collects:
// what each hook records for the outcomes that the end-to-end tests reach only with difficulty (a store that is
// down, a rate limit that refuses, consent's every answer, task status changes), and that the hooks are no-ops when
// telemetry is off.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/errors.js';
import { AskThroughResult } from '../src/guardrails/consent.js';
import { RateLimitedError } from '../src/rate-limit.js';
import { MemoryStore } from '../src/store/memory.js';
import { StoreUnavailableError, type Store } from '../src/store/store.js';
import { Hooks } from '../src/telemetry/hooks.js';
import { TELEMETRY_OFF } from '../src/telemetry/index.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

class TestReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

let spans: InMemorySpanExporter;
let reader: TestReader;
const hooks = (recordIds = false) => {
  spans = new InMemorySpanExporter();
  reader = new TestReader();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');
  const meter = new MeterProvider({ readers: [reader] }).getMeter('test');
  return new Hooks({ tracer, meter, transport: 'stdio', recordIds, shutdown: async () => undefined });
};

/** Every data point of a metric, with its attributes and value (a histogram's count). */
async function points(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: number }>> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return ((metric?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>).map((p) => ({
    attributes: p.attributes,
    value: typeof p.value === 'number' ? p.value : p.value.count,
  }));
}

const decision = (granted: boolean, how: string) => async () => ({ granted, how });

describe('the hooks, on', () => {
  let h: Hooks;
  beforeEach(() => {
    h = hooks();
  });

  it('names each consent outcome by channel: asked, granted, every kind of no, and a question asked in the result', async () => {
    await h.consent('RemoveUser', 'token', false, decision(false, 'awaiting-token'));
    await h.consent('RemoveUser', 'token', true, decision(false, 'awaiting-token'));
    await h.consent('RemoveUser', 'token', true, decision(true, 'token'));
    await h.consent('RemoveUser', 'elicitation', false, decision(false, 'elicitation-declined'));
    await h.consent('RemoveUser', 'elicitation', false, decision(false, 'elicitation-mismatch'));
    await h.consent('RemoveUser', 'elicitation', true, decision(false, 'token-refused'));
    await h.consent('RemoveUser', 'token', false, decision(false, 'no-channel'));
    await expect(h.consent('RemoveUser', 'elicitation', false, () => Promise.reject(new AskThroughResult({} as never, '')))).rejects.toBeInstanceOf(AskThroughResult);
    await expect(h.consent('RemoveUser', 'token', true, () => Promise.reject(new StoreUnavailableError('Redis is away')))).rejects.toThrow('Redis is away');
    const outcomes = (await points('trtc.consent.decisions')).map((p) => `${p.attributes['trtc.consent.channel']} ${p.attributes['trtc.consent.outcome']} ${p.value}`);
    expect(outcomes.sort()).toEqual([
      'elicitation asked 1', 'elicitation declined 1', 'elicitation mismatch 1', 'elicitation token-refused 1',
      'token asked 1', 'token granted 1', 'token no-channel 1', 'token store_unavailable 1', 'token token-rejected 1',
    ]);
    expect(spans.getFinishedSpans().every((s) => s.name === 'trtc.consent')).toBe(true);
  });

  it('counts refusals by reason and marks failed calls, but not a question for the human or a dry run', async () => {
    for (const outcome of ['refused:scope', 'refused:scope', 'refused:read-only', 'refused', 'confirmation-required', 'dry-run', 'FailedOperation.RoomNotExist']) {
      await h.tool('DismissRoom', async () => h.toolOutcome('DismissRoom', { outcome, effect: 'destructive', consent: 'not-required', args: { RoomId: 1234, UserIds: ['carol'] } }));
    }
    expect((await points('trtc.refusals')).map((p) => `${p.attributes['trtc.refusal.reason']} ${p.value}`).sort()).toEqual(['preflight 1', 'read-only 1', 'scope 2']);
    const failed = spans.getFinishedSpans().map((s) => `${s.attributes['trtc.outcome']} ${s.status.code === 2 ? 'ERROR' : 'ok'}`);
    expect(failed).toEqual(['refused:scope ERROR', 'refused:scope ERROR', 'refused:read-only ERROR', 'refused ERROR', 'confirmation-required ok', 'dry-run ok', 'FailedOperation.RoomNotExist ERROR']);
    // No room or user without the opt-in.
    expect(spans.getFinishedSpans().some((s) => 'trtc.room.ids' in s.attributes || 'trtc.user.ids' in s.attributes)).toBe(false);
  });

  it('records room and user IDs when the operator opts in, deduplicated and bounded', async () => {
    const withIds = hooks(true);
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    await withIds.tool('RemoveUser', async () => withIds.toolOutcome('RemoveUser', { outcome: 'ok', effect: 'destructive', consent: 'token', args: { RoomId: 1234, UserIds: [...users, 'user-0'] } }));
    const [span] = spans.getFinishedSpans();
    expect(span!.attributes['trtc.room.ids']).toEqual(['1234']);
    expect(span!.attributes['trtc.user.ids']).toEqual(users.slice(0, 20));
  });

  it('counts API retries from the HTTP attempts, with the last status, the RequestId and the error code', async () => {
    const info = { family: 'cloud' as const, action: 'DescribeRoomInfo', host: 'trtc.intl.tencentcloudapi.com', region: 'ap-singapore', site: 'intl' };
    await h.apiCall(info, async () => {
      h.httpAttempt()(503);
      h.httpAttempt()(200);
      return { requestId: 'req-1' };
    });
    await expect(h.apiCall(info, async () => {
      h.httpAttempt()(200);
      throw new ApiError('InvalidParameter.RoomId', 'quoted arguments', 'req-2', 'cloud');
    })).rejects.toBeInstanceOf(ApiError);
    const [ok, failed] = spans.getFinishedSpans();
    expect(ok!.attributes).toMatchObject({ 'trtc.api.retries': 1, 'http.response.status_code': 200, 'trtc.request_id': 'req-1', 'cloud.region': 'ap-singapore' });
    expect(failed!.attributes).toMatchObject({ 'trtc.api.retries': 0, 'error.type': 'InvalidParameter.RoomId', 'trtc.error.code': 'InvalidParameter.RoomId', 'trtc.request_id': 'req-2' });
    // Tencent's message may quote arguments: it is not exported.
    expect(JSON.stringify(failed!.attributes)).not.toContain('quoted');
    expect((await points('trtc.api.request.duration')).map((p) => p.attributes['error.type'] ?? 'ok').sort()).toEqual(['InvalidParameter.RoomId', 'ok']);
    // An attempt outside any API call is nobody's.
    expect(() => h.httpAttempt()(200)).not.toThrow();
  });

  it('records rate-limit waits, granted or refused', async () => {
    await h.rateLimit('DescribeRoomInfo', async () => undefined);
    await expect(h.rateLimit('DescribeRoomInfo', () => Promise.reject(new RateLimitedError('too fast')))).rejects.toBeInstanceOf(RateLimitedError);
    expect((await points('trtc.rate_limit.wait.duration')).map((p) => `${p.attributes['trtc.rate_limit.outcome']} ${p.value}`).sort()).toEqual(['granted 1', 'refused 1']);
  });

  it('times the store, says whether it is there, and spans its operations only inside a traced request', async () => {
    const inner = new MemoryStore();
    let down = false;
    const flaky: Store = Object.assign(Object.create(inner) as Store, {
      ping: async () => {
        if (down) throw new StoreUnavailableError('the store cannot be reached');
      },
    });
    const store = h.store(flaky);
    expect([store.kind, store.location, store.shared]).toEqual([inner.kind, inner.location, inner.shared]);
    await store.ping(); // a probe: timed, but no trace of its own
    expect(spans.getFinishedSpans()).toEqual([]);
    await h.tool('DescribeRoomInfo', async () => {
      await store.put('ledger', 'k', 1, Date.now() + 60_000);
      expect(await store.get('ledger', 'k')).toBe(1);
    });
    expect(spans.getFinishedSpans().map((s) => `${s.name} ${s.attributes['trtc.store.namespace']}`)).toEqual(['trtc.store put ledger', 'trtc.store get ledger', 'execute_tool DescribeRoomInfo undefined']);
    expect((await points('trtc.store.available'))[0]!.value).toBe(1);
    down = true;
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await points('trtc.store.available'))[0]!.value).toBe(0);
    expect((await points('trtc.store.operation.duration')).find((p) => p.attributes['error.type'])!.attributes).toMatchObject({ 'trtc.store.operation': 'ping', 'error.type': 'store_unavailable' });
    down = false;
    await store.ping();
    expect((await points('trtc.store.available'))[0]!.value).toBe(1);
  });

  it('records task status changes: a span for each, the changes counted, and the tasks in each status', async () => {
    h.taskStatus('working', { tool: 'StartAIConversation' });
    h.taskStatus('working', { tool: 'CreateCloudRecording' });
    h.taskStatus('completed', { tool: 'StartAIConversation', previous: 'working' });
    expect(spans.getFinishedSpans().map((s) => `${s.name} ${s.attributes['trtc.task.status']} ${s.attributes['trtc.task.previous_status'] ?? '-'}`)).toEqual([
      'trtc.task.status working -', 'trtc.task.status working -', 'trtc.task.status completed working',
    ]);
    expect((await points('trtc.tasks')).map((p) => `${p.attributes['trtc.task.status']} ${p.value}`).sort()).toEqual(['completed 1', 'working 1']);
    expect((await points('trtc.task.status_changes')).reduce((n, p) => n + p.value, 0)).toBe(3);
  });

  it('keeps a callback\'s room and user out unless the operator opts in, and marks refusals', async () => {
    const note = { outcome: 'stored' as const, app: 1400000001, group: 1, type: 103, room: 1234, user: 'alice' };
    await h.callback(async (n) => void Object.assign(n, note));
    await h.callback(async (n) => void Object.assign(n, { outcome: 'refused', reason: 'forged' }));
    const [stored, refused] = spans.getFinishedSpans();
    expect(stored!.attributes).toMatchObject({ 'trtc.callback.outcome': 'stored', 'trtc.app': 1400000001, 'trtc.callback.event_group': 1, 'trtc.callback.event_type': 103 });
    expect([stored!.attributes['trtc.room.id'], stored!.attributes['trtc.user.id']]).toEqual([undefined, undefined]);
    expect(refused!.attributes).toMatchObject({ 'trtc.callback.outcome': 'refused', 'trtc.callback.refusal': 'forged', 'error.type': 'forged' });
    expect(refused!.status.code).toBe(2);
    expect((await points('trtc.callbacks')).map((p) => `${p.attributes['trtc.callback.outcome']} ${p.value}`).sort()).toEqual(['refused 1', 'stored 1']);

    const withIds = hooks(true);
    await withIds.callback(async (n) => void Object.assign(n, note));
    expect(spans.getFinishedSpans()[0]!.attributes).toMatchObject({ 'trtc.room.id': '1234', 'trtc.user.id': 'alice' });
  });
});

describe('the hooks, off', () => {
  it('call what they wrap and record nothing', async () => {
    const store = new MemoryStore();
    expect(TELEMETRY_OFF.store(store)).toBe(store);
    const server = { connect: async () => undefined };
    expect(TELEMETRY_OFF.server(server)).toBe(server);
    expect(await TELEMETRY_OFF.tool('x', async () => 1)).toBe(1);
    expect(await TELEMETRY_OFF.apiCall({ family: 'rest', action: 'a/b', host: 'h' }, async () => 2)).toBe(2);
    expect(await TELEMETRY_OFF.consent('x', 'token', false, async () => ({ granted: true, how: 'token' }))).toEqual({ granted: true, how: 'token' });
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
