/**
 * One task at a time per key, in arrival order; different keys run freely. Two notifications of the same
 * incident arriving together must not both see "no incident yet" and both post a card. (One process; replicas
 * sharing PostgreSQL put the database's advisory lock behind this one: outbound/store/postgres-lock.ts.)
 */
export interface KeyedLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const current = previous.then(task, task);
      const settled = current.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, settled);
      try {
        return await current;
      } finally {
        if (tails.get(key) === settled) tails.delete(key);
      }
    },
  };
}
