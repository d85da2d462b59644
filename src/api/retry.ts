// The one retry loop of the API callers. Each caller decides what is safe to repeat and how long to wait.
import { RateLimitedError, type RateGate, type RateShare } from '../rate-limit.js';
import { ApiError, PreflightError } from './errors.js';
import { telemetry } from '../telemetry/index.js';

export interface RetryPolicy<T> {
  maxRetries: number;
  signal?: AbortSignal;
  /** Whether this failure may be sent again without risking a duplicate effect. */
  safeToRepeat(err: unknown): boolean;
  delayMs(err: unknown, attempt: number): number;
  /** Called after every attempt (for logging). */
  onAttempt?(info: { attempt: number; ms: number; value?: T; error?: unknown; retry?: boolean }): void;
}

export async function withRetries<T>(policy: RetryPolicy<T>, run: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    try {
      const value = await run();
      policy.onAttempt?.({ attempt, ms: Date.now() - started, value });
      return { value, attempts: attempt };
    } catch (err) {
      const retry = attempt <= policy.maxRetries && policy.safeToRepeat(err) && !policy.signal?.aborted;
      policy.onAttempt?.({ attempt, ms: Date.now() - started, error: err, retry });
      if (!retry) throw err;
      await sleep(policy.delayMs(err, attempt));
    }
  }
}

/** Waits for a slot under the documented rate. A slot too far off refuses the call: nothing is sent to be rejected. */
export async function acquireSlot(gate: RateGate, key: string, perSecond: number, share?: RateShare): Promise<number> {
  try {
    return await telemetry.rateLimit(key, () => gate.acquire(key, perSecond, share));
  } catch (err) {
    throw err instanceof RateLimitedError ? new PreflightError(err.message) : err;
  }
}

/** Exponential backoff with jitter, from a base that depends on why the attempt failed. */
export const jittered = (baseMs: number, attempt: number) => baseMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
