// The callback receiver on a real port: TRTC's signature (checked against the documented example), refusals of
// what is unsigned, forged, stale, oversized or too fast, dedupe of retries, the answer deadline, scope, and
// members it does not know. The agent's view of stored events: words on top, what the callback carried beneath.
import { afterEach, describe, expect, it } from 'vitest';
import { eventLog, present, scan, type StoredEvent } from '../src/events/log.js';
import { CALLBACK_PATH, createCallbackReceiver, FORGED_PER_SOURCE, FORGED_WINDOW_MS, listenForCallbacks, REPLAY_WINDOW_MS, type CallbackListener, type ReceiverOptions } from '../src/events/receiver.js';
import { signCallback, verifyCallback } from '../src/events/signature.js';
import { createLogger } from '../src/log.js';
import { MemoryStore } from '../src/store/memory.js';
import type { Store } from '../src/store/store.js';
import { capture, recordAttack, rememberSecret, trickle } from './helpers.js';

const KEY = 'receiverTestKey0123456789abcdef';
rememberSecret(KEY);
const APP = 1400000001;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

const listeners: CallbackListener[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

interface Setup {
  url: string;
  store: Store;
  lines: string[];
  receiver: ReturnType<typeof createCallbackReceiver>;
  clock: { now: number };
}

async function receiver(over: Partial<Omit<ReceiverOptions, 'config'>> & { config?: Partial<ReceiverOptions['config']> } = {}): Promise<Setup> {
  const clock = { now: T0 };
  const store = over.store ?? new MemoryStore(() => clock.now);
  const lines: string[] = [];
  // Captured too, so the suite's secret sweep checks the receiver's log lines.
  const log = createLogger({ level: 'debug', format: 'json', write: (l) => (lines.push(l), capture(l)) });
  const config = { allowApps: [], allowRooms: [], eventsMax: 1000, eventsMaxAge: 86_400, callbacksRate: 1000, ...over.config };
  const r = createCallbackReceiver({ key: KEY, store, log, now: () => clock.now, ...over, config });
  const l = await listenForCallbacks('127.0.0.1', 0, r, log);
  listeners.push(l);
  return { url: l.url, store, lines, receiver: r, clock };
}

const body = (info: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ EventGroupId: 1, EventType: 103, CallbackTs: T0, EventInfo: { RoomId: 1234, EventTs: T0 / 1000, EventMsTs: T0, UserId: 'alice', Role: 20, TerminalType: 3, UserType: 3, Reason: 1, ...info }, ...extra }, null, '\t');

async function post(url: string, text: string, headers: Record<string, string | undefined> = {}) {
  const h: Record<string, string> = { 'content-type': 'application/json', Sign: signCallback(KEY, text), SdkAppId: String(APP) };
  for (const [k, v] of Object.entries(headers)) if (v === undefined) delete h[k];
  else h[k] = v;
  const res = await fetch(url, { method: 'POST', headers: h, body: text });
  return { status: res.status, body: (await res.json()) as { code: number; message?: string }, headers: res.headers };
}

const stored = async (store: Store, app = APP) => (await store.read<StoredEvent>(eventLog(app), { limit: 1000 })).entries;

describe('the signature', () => {
  it("matches TRTC's documented example (key 123654)", () => {
    const documented = '{\n\t"EventGroupId":\t2,\n\t"EventType":\t204,\n\t"CallbackTs":\t1664209748188,\n\t"EventInfo":\t{\n\t\t"RoomId":\t8489,\n\t\t"EventTs":\t1664209748,\n\t\t"EventMsTs":\t1664209748180,\n\t\t"UserId":\t"user_85034614",\n\t\t"Reason":\t0\n\t}\n}';
    expect(signCallback('123654', documented)).toBe('kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA=');
    expect(verifyCallback('123654', Buffer.from(documented), 'kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA=')).toBe(true);
    // The raw bytes are signed: the same JSON spaced differently is another body.
    expect(verifyCallback('123654', Buffer.from(JSON.stringify(JSON.parse(documented))), 'kkoFeO3Oh2ZHnjtg8tEAQhtXK16/KI05W3BQff8IvGA=')).toBe(false);
    expect(verifyCallback('123654', Buffer.from(documented), 'short')).toBe(false);
  });
});

describe('the receiver', () => {
  it('stores a signed callback once, answering {"code":0}, and the agent sees it in words', async () => {
    const { url, store } = await receiver();
    const res = await post(url, body({}));
    expect(res).toMatchObject({ status: 200, body: { code: 0 } });
    const [e] = await stored(store);
    expect(present(e!)).toMatchObject({
      cursor: 1, SdkAppId: APP, group: 1, type: 103, name: 'EnterRoom',
      meaning: 'A user entered a room (role anchor; reason: entered normally; on iOS; with native SDK)',
      occurredAt: new Date(T0).toISOString(), receivedAt: new Date(T0).toISOString(),
      untrusted: { RoomId: 1234, UserId: 'alice' },
    });
  });

  it('stores a retry once, even with a new CallbackTs, and tells genuinely new events apart', async () => {
    const { url, store, receiver: r } = await receiver();
    expect((await post(url, body({}))).status).toBe(200);
    expect((await post(url, body({}))).status).toBe(200);
    expect((await post(url, body({}, { CallbackTs: T0 + 10_000 }))).status).toBe(200);
    expect((await post(url, body({ EventMsTs: T0 + 1 }))).status).toBe(200);
    expect(await stored(store)).toHaveLength(2);
    expect(r.stats).toMatchObject({ stored: 2, duplicates: 2 });
  });

  it.each([
    ['a forged signature', { Sign: signCallback('anotherKey', body({})) }, 401, 'forged'],
    ['a signature of another body', { Sign: signCallback(KEY, body({ UserId: 'mallory' })) }, 401, 'forged'],
    ['no signature', { Sign: undefined }, 401, 'unsigned'],
    ['no SdkAppId', { SdkAppId: undefined }, 400, 'app'],
    ['a SdkAppId that is not a number', { SdkAppId: 'abc' }, 400, 'app'],
  ])('refuses %s, stores nothing and logs no body', async (_label, headers, status, reason) => {
    const { url, store, lines, receiver: r } = await receiver();
    const res = await post(url, body({ UserId: 'body-marker-7f3a' }), headers);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(1);
    expect(await stored(store)).toHaveLength(0);
    expect(r.stats.refused[reason as 'forged']).toBe(1);
    const refusal = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'callback refused');
    expect(refusal).toMatchObject({ level: 'warn', status });
    expect(lines.join('\n')).not.toContain('body-marker-7f3a');
    expect(lines.join('\n')).not.toContain(KEY);
  });

  it('refuses a replay sent outside the window, and a body that is not a callback', async () => {
    const { url, store, clock } = await receiver();
    const old = body({});
    clock.now = T0 + REPLAY_WINDOW_MS + 1;
    expect((await post(url, old)).status).toBe(403);
    clock.now = T0;
    expect((await post(url, '{"hello":"world"}')).status).toBe(400);
    expect((await post(url, 'not json')).status).toBe(400);
    expect(await stored(store)).toHaveLength(0);
  });

  it('refuses bodies over the limit and anything but POST', async () => {
    const { url, store } = await receiver();
    const big = body({ Padding: 'x'.repeat(300 * 1024) });
    expect((await post(url, big)).status).toBe(413);
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(url.replace(CALLBACK_PATH, '/mcp'), { method: 'POST' })).status).toBe(404);
    expect(await stored(store)).toHaveLength(0);
  });

  it('keeps members it does not know, at the top level and in EventInfo', async () => {
    const { url, store } = await receiver();
    expect((await post(url, body({ NewField: { nested: [1, 2] } }, { SomethingNew: true })))).toMatchObject({ status: 200 });
    const unknownType = JSON.stringify({ EventGroupId: 42, EventType: 4201, CallbackTs: T0, EventInfo: { Anything: 'x' } });
    expect((await post(url, unknownType)).status).toBe(200);
    const [e, u] = await stored(store);
    expect(e!.entry.body).toMatchObject({ SomethingNew: true, EventInfo: { NewField: { nested: [1, 2] } } });
    expect(present(e!).untrusted).toMatchObject({ NewField: { nested: [1, 2] } });
    expect(present(u!)).toMatchObject({ group: 42, type: 4201, name: undefined, meaning: expect.stringMatching(/^Event type 4201 of the unknown \(42\) group/), untrusted: { Anything: 'x' } });
  });

  it('answers 429 over the rate, so TRTC retries, and counts only callbacks that would be stored', async () => {
    const { url, store } = await receiver({ config: { callbacksRate: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await post(url, body({ EventMsTs: T0 + i }))).status);
    // Forged ones do not use up the rate.
    expect((await post(url, body({}), { Sign: 'forged' })).status).toBe(401);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const limited = await post(url, body({ EventMsTs: T0 + 9 }));
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await stored(store)).toHaveLength(3);
  });

  it('answers within the deadline when the store is slow, and the retry is not stored twice', async () => {
    const inner = new MemoryStore();
    let delay = 400;
    let appended = 0;
    const slow: Store = Object.assign(Object.create(inner) as Store, {
      append: async (...args: Parameters<Store['append']>) => {
        await new Promise((r) => setTimeout(r, delay));
        appended++;
        return inner.append(...args);
      },
    });
    const { url } = await receiver({ store: slow, deadlineMs: 100 });
    const first = await post(url, body({}));
    expect(first.status).toBe(503);
    // Answered at the deadline, while the store was still busy with it: the sender was not kept waiting on the store.
    expect(appended).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    delay = 0;
    expect((await post(url, body({}))).status).toBe(200);
    expect(await stored(inner)).toHaveLength(1);
  });

  it('acknowledges but does not store callbacks outside --allow-apps and --allow-rooms', async () => {
    const { url, store, receiver: r } = await receiver({ config: { allowApps: [APP], allowRooms: ['class-*'] } });
    expect((await post(url, body({ RoomId: 'class-1' }))).status).toBe(200);
    expect((await post(url, body({ RoomId: 'other' }))).status).toBe(200);
    expect((await post(url, body({ RoomId: 'class-1' }), { SdkAppId: '1400000002' })).status).toBe(200);
    expect((await stored(store)).map((e) => e.entry.body.EventInfo.RoomId)).toEqual(['class-1']);
    expect(await stored(store, 1400000002)).toHaveLength(0);
    expect(r.stats.outOfScope).toBe(2);
  });
});

describe('senders that did not sign', () => {
  it('are throttled per source after a few wrong signatures, even when they then sign right, until the window ends', async () => {
    const { url, store, receiver: r, clock } = await receiver();
    for (let i = 0; i < FORGED_PER_SOURCE; i++) {
      const forged = await post(url, body({ UserId: `guess${i}` }), { Sign: signCallback(`guess-${i}-0123456789abcdef`, body({ UserId: `guess${i}` })) });
      expect(forged.status).toBe(401);
    }
    const blocked = await post(url, body({ UserId: 'guess-more' }), { Sign: 'x' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(50);
    // A guess that would have been right is refused unheard: the guesser learns nothing more this window.
    expect((await post(url, body({ UserId: 'right' }))).status).toBe(429);
    expect(await stored(store)).toHaveLength(0);
    expect(r.stats.refused).toMatchObject({ forged: FORGED_PER_SOURCE, throttled: 2 });
    recordAttack('callbacks: online guessing of the callback key', (await stored(store)).length);
    clock.now += FORGED_WINDOW_MS;
    expect((await post(url, body({ UserId: 'right' }))).status).toBe(200);
    expect(await stored(store)).toHaveLength(1);
  });

  it('cannot hold a connection by trickling a body: it is answered 408 within the answer deadline', async () => {
    const { url, receiver: r } = await receiver({ deadlineMs: 1_000 });
    const slow = await trickle(url, { Sign: 'x', SdkAppId: String(APP) }, 200_000, 200);
    expect(slow.status).toBe(408);
    expect(slow.ms).toBeLessThan(3_000);
    expect(r.stats.refused.slow).toBe(1);
    recordAttack('callbacks: a slow body holds the receiver', 0);
  });
});

describe('times a callback carries', () => {
  it.each<[string, Record<string, unknown>]>([
    ['EventMsTs 1e16 (past what a Date holds)', { EventMsTs: 1e16 }],
    ['EventMsTs -1e16', { EventMsTs: -1e16 }],
    ['EventTs 1e14 seconds', { EventTs: 1e14, EventMsTs: undefined }],
    ['EventMsTs as text', { EventMsTs: 'soon' }],
    ['EventMsTs as an object', { EventMsTs: { t: 1 } }],
  ])('%s is kept as "no time", and the event is still shown and listed', async (_label, info) => {
    const { url, store } = await receiver();
    expect((await post(url, body(info))).status).toBe(200);
    expect((await post(url, body({ UserId: 'bob' }))).status).toBe(200);
    const entries = await stored(store);
    expect(entries).toHaveLength(2);
    const shown = entries.map(present);
    expect(shown[0]!.occurredAt).toBeUndefined();
    expect(shown[0]!.meaning).toMatch(/entered a room/);
    expect(shown[1]!.occurredAt).toBe(new Date(T0).toISOString());
    const r = await scan(store, { allowApps: [], allowRooms: [], eventsMax: 1000, eventsMaxAge: 86_400 }, APP, { limit: 10, filter: {} });
    expect(r.entries).toHaveLength(2);
  });
});

describe('the event log', () => {
  const config = { allowApps: [], allowRooms: [], eventsMax: 100, eventsMaxAge: 600, callbacksRate: 1000 };
  const event = (i: number, RoomId: number | string = 1234): StoredEvent => ({
    app: APP, body: { EventGroupId: 1, EventType: 103, EventInfo: { RoomId, UserId: `u${i}`, EventMsTs: T0 + i } },
  });

  it('keeps the newest events of each app within the bound, and tells a reader what expired unread', async () => {
    const store = new MemoryStore(() => T0);
    for (let i = 1; i <= 150; i++) await store.append(eventLog(APP), event(i), { maxEntries: config.eventsMax, maxAgeMs: config.eventsMaxAge * 1000 });
    await store.append(eventLog(1400000002), event(1), { maxEntries: config.eventsMax, maxAgeMs: 600_000 });
    const r = await scan(store, config, APP, { after: 10, limit: 5, filter: {} });
    expect(r).toMatchObject({ missed: 40, more: true, newest: 150, cursor: 55 });
    expect(r.entries.map((e) => e.entry.body.EventInfo.UserId)).toEqual(['u51', 'u52', 'u53', 'u54', 'u55']);
    expect((await scan(store, config, 1400000002, { limit: 5, filter: {} })).entries).toHaveLength(1);
  });

  it('expires events by age', async () => {
    const clock = { now: T0 };
    const store = new MemoryStore(() => clock.now);
    const opts = { maxEntries: 100, maxAgeMs: 600_000 };
    await store.append(eventLog(APP), event(1), opts);
    clock.now += 600_001;
    await store.append(eventLog(APP), event(2), opts);
    expect((await scan(store, config, APP, { limit: 10, filter: {} })).entries.map((e) => e.entry.body.EventInfo.UserId)).toEqual(['u2']);
  });

  it('pages honestly through a filter: the cursor is the last event examined, and a budget-limited call says there is more', async () => {
    const store = new MemoryStore(() => T0);
    const opts = { maxEntries: 1000, maxAgeMs: 600_000 };
    for (let i = 1; i <= 30; i++) await store.append(eventLog(APP), event(i, i % 10 === 0 ? 'rare' : 1234), opts);
    const first = await scan(store, config, APP, { limit: 10, filter: { RoomId: 'rare' }, budget: 15 });
    expect(first).toMatchObject({ cursor: 15, more: true, missed: 0 });
    expect(first.entries.map((e) => e.seq)).toEqual([10]);
    const second = await scan(store, config, APP, { after: first.cursor, limit: 10, filter: { RoomId: 'rare' }, budget: 15 });
    expect(second.entries.map((e) => e.seq)).toEqual([20, 30]);
    expect(second).toMatchObject({ cursor: 30, more: false });
    // A cursor past the newest event (another app's, say) is brought back, so nothing that comes next is skipped.
    expect(await scan(store, config, APP, { after: 999, limit: 10, filter: {} })).toMatchObject({ cursor: 30, entries: [] });
    // Matching by user also finds the speaker of a sentence.
    await store.append(eventLog(APP), { app: APP, body: { EventGroupId: 9, EventType: 903, EventInfo: { RoomId: '1234', Payload: { UserId: 'speaker', Text: 'hi' } } } }, opts);
    expect((await scan(store, config, APP, { limit: 10, filter: { UserId: 'speaker', RoomId: 1234 } })).entries.map((e) => e.seq)).toEqual([31]);
  });
});
