// How readers learn that events arrived: the receiver in this process wakes them at once; events that another
// process sharing the store received are found by polling it.
import type { Store } from '../store/store.js';
import { Wakers } from '../wake.js';
import type { StoredEvent } from './log.js';

/** Told of each event this process stored, with its place in its app's log. */
export type StoredListener = (event: StoredEvent, seq: number) => void;

/** How often a waiting reader looks at the store when nothing in this process tells it sooner. */
export const POLL_MS = 500;

export class EventFeed {
  private readonly wakers = new Wakers<number>();
  private readonly listeners = new Set<StoredListener>();
  private closed = false;

  /**
   * @param receiving where this process receives TRTC callbacks, if it does; without it, events arrive only
   *   from other processes that share the store.
   */
  constructor(readonly store: Store, public receiving?: string, private readonly pollMs = POLL_MS) {}

  /** The receiver stored an event of this app. */
  stored(app: number, stored?: { event: StoredEvent; seq: number }): void {
    this.wakers.wake(app);
    if (stored) for (const listener of this.listeners) listener(stored.event, stored.seq);
  }

  /** Hears of every event this process stores, as it is stored (what it names can move at once). */
  onStored(listener: StoredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when events of this app may have arrived: when told, after the poll interval or `maxMs`, or on abort. */
  changed(app: number, signal?: AbortSignal, maxMs = this.pollMs): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.wakers.wait(app, Math.min(maxMs, this.pollMs), signal);
  }

  /** False once closed: readers stop waiting. */
  get open(): boolean {
    return !this.closed;
  }

  /** Wakes every reader, for shutdown. */
  close(): void {
    this.closed = true;
    this.wakers.wakeAll();
  }
}
