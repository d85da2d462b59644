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
 * Client side: a sliding log, so no window of windowMs (plus a margin for network jitter) ever holds more than
 * max requests, which keeps us inside the service's own count however its windows are aligned.
 */
export class SlidingWindowLimiter {
  private readonly sent: number[] = [];
  private readonly w: RateWindow;
  constructor(documented: RateWindow) {
    this.w = { ...documented, windowMs: Math.round(documented.windowMs * (1 + JITTER_MARGIN)) };
  }

  /** Takes a slot and returns 0, or returns how many ms until one frees up (taking nothing). */
  take(now = Date.now()): number {
    while (this.sent.length && this.sent[0]! <= now - this.w.windowMs) this.sent.shift();
    if (this.sent.length < this.w.max) {
      this.sent.push(now);
      return 0;
    }
    return this.sent[0]! + this.w.windowMs - now;
  }
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

/** Client-side gate that keeps each action under its documented rate, waiting briefly when it can. */
export class RateGate {
  private readonly limiters = new Map<string, SlidingWindowLimiter>();
  constructor(private readonly maxWaitMs: number, private readonly scale = 1) {}

  async acquire(key: string, documented: number): Promise<void> {
    const perSecond = documented * this.scale;
    let limiter = this.limiters.get(key);
    if (!limiter) this.limiters.set(key, (limiter = new SlidingWindowLimiter(rateWindow(perSecond))));
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const wait = limiter.take();
      if (wait === 0) return;
      if (Date.now() + wait > deadline) {
        const { windowMs, max } = rateWindow(perSecond);
        const rate = windowMs === 1000 ? `${max} requests per second` : `one request every ${windowMs / 1000} s`;
        throw new RateLimitedError(`${key} allows ${rate}; the next slot frees in ${Math.ceil(wait / 100) / 10} s, longer than this server waits (${this.maxWaitMs} ms). Retry after that.`);
      }
      await sleep(wait);
    }
  }
}
