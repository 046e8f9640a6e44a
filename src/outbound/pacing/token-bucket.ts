/**
 * A token bucket that paces calls to a quota (LookupEvents: 2 requests/s per account and region). Callers queue in
 * `take()` and are let through first come, first served as tokens refill, however many scans share the bucket.
 *
 * Tokens are counted against the clock when a caller is actually let through, not against a schedule worked out in
 * advance: after the event loop stalls (a GC pause, a busy moment in the server), waiters resume one token apart
 * instead of all at once, which is what a quota enforced at the other end needs to see.
 */

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Tokens the bucket holds when idle: how many calls may go out together after a quiet spell. */
  burst: number;
  /** Milliseconds on a monotonic clock (default performance.now). */
  now?: () => number;
}

export interface TokenBucket {
  /** Resolves when the caller may make one call; rejects with the signal's reason if `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void>;
  /**
   * The server said "too fast" (another client may share the quota): forget any saved-up burst and let the next
   * caller through no sooner than `ms` from now, so every scan sharing this bucket slows down, not only the one
   * that was throttled.
   */
  penalize(ms: number): void;
  /** Callers waiting. */
  readonly waiting: number;
}

/** Waits `ms`; rejects with the signal's reason if `signal` aborts first. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { ratePerSecond, burst } = options;
  if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('token bucket: rate must be > 0 and burst ≥ 1');
  const now = options.now ?? (() => performance.now());
  const perToken = 1000 / ratePerSecond;
  const queue: Waiter[] = [];
  let tokens = burst;
  let last = now();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const refill = (): void => {
    const t = now();
    tokens = Math.min(burst, tokens + (t - last) / perToken);
    last = t;
  };

  const pump = (): void => {
    refill();
    while (queue.length > 0 && tokens >= 1) {
      const waiter = queue.shift() as Waiter;
      tokens -= 1;
      if (waiter.onAbort !== null) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    if (queue.length > 0 && timer === null) {
      timer = setTimeout(
        () => {
          timer = null;
          pump();
        },
        Math.max(1, Math.ceil((1 - tokens) * perToken)),
      );
    }
  };

  return {
    take(signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const waiter: Waiter = { resolve, reject, signal, onAbort: null };
        if (signal !== undefined) {
          waiter.onAbort = () => {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
            if (queue.length === 0 && timer !== null) {
              clearTimeout(timer); // Nothing left to wait for: do not hold the process open.
              timer = null;
            }
            reject(signal.reason);
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        queue.push(waiter);
        pump();
      });
    },
    penalize(ms) {
      refill();
      tokens = Math.min(tokens, 0) - ms / perToken;
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      pump();
    },
    get waiting() {
      return queue.length;
    },
  };
}
