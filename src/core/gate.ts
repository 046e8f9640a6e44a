/**
 * At most `limit` tasks run at once; the rest wait their turn in order. Answering questions is CPU work (parsing,
 * normalizing) or shares one AWS quota, so running twenty at once is no faster than four, and it keeps the event
 * loop free to ack new Slack requests within their 3 seconds.
 */
export interface Gate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks waiting for a turn. */
  readonly waiting: number;
}

export function createGate(limit: number): Gate {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    running -= 1;
    queue.shift()?.();
  };
  return {
    get waiting() {
      return queue.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
      running += 1;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
