// Request-rate windows derived from a documented "N requests per second" limit.
// Limits below one per second (DescribeTrtcRoomUsage: one per 15 s) become one request per longer window.

export interface RateWindow {
  windowMs: number;
  max: number;
}

export function rateWindow(perSecond: number): RateWindow {
  if (perSecond >= 1) return { windowMs: 1000, max: Math.floor(perSecond) };
  return { windowMs: Math.round(1000 / perSecond), max: 1 };
}

/** Requests reach the service later than we send them, by varying delays; windows are kept this much longer. */
export const JITTER_MARGIN = 0.05;

/**
 * A slot in a rate window: reserved (wait `waitMs`, then send), or not, because the earliest is `waitMs` away.
 * `at` is the slot's time on this process's clock: a request is stamped with it, not with the moment a late timer
 * let it go, so that the service counts it in the window it was reserved in.
 */
export interface Slot {
  reserved: boolean;
  waitMs: number;
  at: number;
}

/**
 * A sliding log per key: no window of windowMs ever holds more than `limit` slots. Slots are reserved in order,
 * now or later: the earliest time that is windowMs after the slot `limit` places back. A caller waits for its own
 * slot and then sends, so waiting callers neither poll nor race, and go first come, first served.
 */
export class SlidingWindows {
  private readonly logs = new Map<string, number[]>();

  reserve(key: string, limit: number, windowMs: number, maxWaitMs: number, now = Date.now()): Slot {
    let slots = this.logs.get(key);
    if (!slots) this.logs.set(key, (slots = []));
    while (slots.length && slots[0]! <= now - windowMs) slots.shift();
    const at = slots.length < limit ? now : Math.max(now, slots[slots.length - limit]! + windowMs);
    if (at - now > maxWaitMs) return { reserved: false, waitMs: at - now, at };
    slots.push(at);
    return { reserved: true, waitMs: at - now, at };
  }
}

/** Where the gate reserves its slots: this process's windows, or windows shared through the store. */
export interface WindowSource {
  reserve(key: string, limit: number, windowMs: number, maxWaitMs: number): Promise<Slot>;
}

/** Service side (the sandbox): fixed window counters, as quota systems usually count. */
export class FixedWindowCounter {
  private readonly counts = new Map<number, number>();
  constructor(private readonly w: RateWindow) {}

  /** Counts a request made at `time` (ms; times may arrive out of order); false when it is over the limit. */
  hit(time = Date.now()): boolean {
    const window = Math.floor(time / this.w.windowMs);
    const count = (this.counts.get(window) ?? 0) + 1;
    this.counts.set(window, count);
    if (this.counts.size > 8) for (const w of this.counts.keys()) if (w < window - 4) this.counts.delete(w);
    return count <= this.w.max;
  }
}

/** Thrown when an action's slot would not free up within the wait budget: the call is refused, never sent to be rejected. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Client-side gate that keeps each action under its documented rate, waiting briefly when it can. Windows are kept
 * longer than documented by a margin for network jitter, which keeps us inside the service's own count however its
 * windows are aligned.
 */
export class RateGate {
  constructor(
    private readonly maxWaitMs: number,
    private readonly scale = 1,
    private readonly windows: WindowSource = localWindows(),
  ) {}

  /**
   * Waits for a slot of the action `key`, and answers the slot's time. With a share, the caller's own window comes
   * first: one identity takes at most that fraction of the action's rate, and the rest stays for the others.
   */
  async acquire(key: string, documented: number, share?: RateShare): Promise<number> {
    if (share && share.fraction < 1) await this.take(`${key}:by:${share.who}`, documented * share.fraction, `${key} allows each identity`);
    return this.take(key, documented, `${key} allows`);
  }

  private async take(key: string, documented: number, says: string): Promise<number> {
    const perSecond = documented * this.scale;
    const { windowMs, max } = rateWindow(perSecond);
    const slot = await this.windows.reserve(`rate:${key}`, max, Math.round(windowMs * (1 + JITTER_MARGIN)), this.maxWaitMs);
    if (!slot.reserved) {
      const rate = windowMs === 1000 ? `${max} requests per second` : `one request every ${windowMs / 1000} s`;
      throw new RateLimitedError(`${says} ${rate}; the next slot frees in ${Math.ceil(slot.waitMs / 100) / 10} s, longer than this server waits (${this.maxWaitMs} ms). Retry after that.`);
    }
    const wait = slot.at - Date.now();
    if (wait > 0) await sleep(wait);
    return slot.at;
  }
}

/** One identity's part of every action's rate: `who` names its window (a digest, never a credential). */
export interface RateShare {
  who: string;
  fraction: number;
}

/** Windows in this process only. */
export function localWindows(): WindowSource {
  const windows = new SlidingWindows();
  return { reserve: async (key, limit, windowMs, maxWaitMs) => windows.reserve(key, limit, windowMs, maxWaitMs) };
}
