// Waiters keyed by what they wait for (an app's events, an approval): news in this process wakes them at once;
// news from other processes sharing the store is found by the waiters themselves, polling after their interval.

export class Wakers<K> {
  private readonly waiting = new Map<K, Set<() => void>>();

  /** Resolves when `key` is woken, after `ms`, or when the signal aborts. */
  wait(key: K, ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (!set.size) this.waiting.delete(key);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  wake(key: K): void {
    for (const done of [...(this.waiting.get(key) ?? [])]) done();
  }

  wakeAll(): void {
    for (const key of [...this.waiting.keys()]) this.wake(key);
  }
}
