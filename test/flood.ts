// A flood of signed callbacks, sent the way TRTC sends them (the sandbox's sender: 16 at a time, retries on any
// answer but 200), into the receiver and a store. Everything inside the retention bound must be stored exactly
// once: nothing lost, nothing doubled, retries included. Prints its figures.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventLog, type StoredEvent } from '../src/events/log.js';
import { createCallbackReceiver, listenForCallbacks, type CallbackListener } from '../src/events/receiver.js';
import { silentLogger } from '../src/log.js';
import { CallbackSender } from '../src/sandbox/callbacks.js';
import { World } from '../src/sandbox/world.js';
import type { Store } from '../src/store/store.js';
import { capture, rememberSecret } from './helpers.js';

const KEY = 'floodTestKey0123456789abcdefghij';
rememberSecret(KEY);
const APP = 1400000001;
/** Declares the flood test in the calling describe block: `count` callbacks into the store `open` gives. */
export function floodTest(kind: string, open: () => Promise<Store>, count: number): void {
  // One in twenty is sent twice, as TRTC does when an answer is lost: stored once.
  const repeats = count / 20;
  let listener: CallbackListener;
  let store: Store;
  let sender: CallbackSender;
  let receiver: ReturnType<typeof createCallbackReceiver>;
  beforeAll(async () => {
    store = await open();
    receiver = createCallbackReceiver({
      key: KEY, store, log: silentLogger,
      config: { allowApps: [], allowRooms: [], eventsMax: count, eventsMaxAge: 86_400, callbacksRate: 1_000_000 },
    });
    listener = await listenForCallbacks('127.0.0.1', 0, receiver, silentLogger);
    sender = new CallbackSender(new World());
    sender.configure({ url: listener.url, key: KEY });
  });
  afterAll(async () => {
    sender.close();
    await listener.close();
    await store.close();
  });

  it(`stores ${count} callbacks (and ${repeats} retries of them) exactly once, inside the retention bound`, async () => {
    const started = performance.now();
    const info = (i: number) => ({ RoomId: 5000 + (i % 50), EventTs: 1_767_600_000 + i, EventMsTs: 1_767_600_000_000 + i, UserId: `user-${i}`, Role: 20, Reason: 1 });
    for (let i = 0; i < count; i++) {
      sender.send(APP, 1, 103, info(i));
      if (i % 20 === 0) sender.send(APP, 1, 103, info(i));
    }
    await sender.idle();
    const seconds = (performance.now() - started) / 1000;

    const users = new Set<string>();
    let entries = 0;
    for (let after = 0; ; ) {
      const page = await store.read<StoredEvent>(eventLog(APP), { after, limit: 1000 });
      if (!page.entries.length) break;
      for (const e of page.entries) users.add(e.entry.body.EventInfo.UserId as string);
      entries += page.entries.length;
      after = page.entries.at(-1)!.seq;
    }
    const lost = count - users.size;
    const duplicates = entries - users.size;
    const ms = sender.sent.map((c) => c.ms!).sort((a, b) => a - b);
    const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor(ms.length * p))]!.toFixed(1);
    const figures =
      `flood into ${kind}: ${count} callbacks + ${repeats} repeats in ${seconds.toFixed(2)} s (${Math.round((count + repeats) / seconds)} callbacks/s); ` +
      `stored ${entries}, lost ${lost}, duplicates stored ${duplicates}, duplicates refused ${receiver.stats.duplicates}, ` +
      `sender retries ${sender.stats.retries}, given up ${sender.stats.failed}, refusals ${JSON.stringify(receiver.stats.refused)}; ` +
      `answer latency with 16 in flight (last ${ms.length}): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${ms.at(-1)!.toFixed(1)} ms`;
    console.log(figures);
    capture(figures);
    expect(sender.stats).toMatchObject({ queued: count + repeats, delivered: count + repeats, failed: 0 });
    expect(lost).toBe(0);
    expect(duplicates).toBe(0);
    expect(receiver.stats.duplicates).toBe(repeats);
  }, 120_000);
}
