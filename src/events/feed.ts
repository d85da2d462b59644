// How readers learn that events arrived: the receiver in this process wakes them at once; events that another
// process sharing the store received are found by polling it.
import type { Store } from '../store/store.js';
import type { StoredEvent } from './log.js';

/** Told of each event this process stored, with its place in its app's log. */
export type StoredListener = (event: StoredEvent, seq: number) => void;

/** How often a waiting reader looks at the store when nothing in this process tells it sooner. */
export const POLL_MS = 500;

export class EventFeed {
  private readonly wakers = new Map<number, Set<() => void>>();
  private readonly listeners = new Set<StoredListener>();
  private closed = false;

  /**
   * @param receiving where this process receives TRTC callbacks, if it does; without it, events arrive only
   *   from other processes that share the store.
   */
  constructor(readonly store: Store, public receiving?: string, private readonly pollMs = POLL_MS) {}

  /** The receiver stored an event of this app. */
  stored(app: number, stored?: { event: StoredEvent; seq: number }): void {
    for (const wake of [...(this.wakers.get(app) ?? [])]) wake();
    if (stored) for (const listener of this.listeners) listener(stored.event, stored.seq);
  }

  /** Hears of every event this process stores, as it is stored (what it names can move at once). */
  onStored(listener: StoredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when events of this app may have arrived: when told, after the poll interval or `maxMs`, or on abort. */
  changed(app: number, signal?: AbortSignal, maxMs = this.pollMs): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.wakers.get(app);
      if (!set) this.wakers.set(app, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size) this.wakers.delete(app);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(maxMs, this.pollMs)));
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** False once closed: readers stop waiting. */
  get open(): boolean {
    return !this.closed;
  }

  /** Wakes every reader, for shutdown. */
  close(): void {
    this.closed = true;
    for (const set of this.wakers.values()) for (const wake of [...set]) wake();
  }
}
