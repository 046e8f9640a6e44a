/**
 * The incident lock across replicas (src/outbound/store/postgres-lock.ts): two stores on one database (two pools,
 * as two `trailbot serve` processes would have) share each key's critical section, and only that.
 */
import { afterEach, expect, test } from '@jest/globals';
import pg from 'pg';
import { TrailbotError } from '../../../src/core/errors.js';
import type { KeyedLock } from '../../../src/core/keyed-lock.js';
import { openPostgresStore, type PostgresStoreOptions } from '../../../src/outbound/store/postgres-store.js';
import type { Coordination, Outbox, Store } from '../../../src/ports.js';
import { describePostgres } from '../../helpers/postgres.js';

type Place = Store & Outbox & Coordination;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Settles `promise` into a flag that tests can read without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  return { settled: () => done, promise: tracked };
}

describePostgres('PostgreSQL incident lock (two replicas)', (db) => {
  const opened: Place[] = [];
  async function open(options: PostgresStoreOptions = {}): Promise<Place> {
    const store = await openPostgresStore(db.url, options);
    opened.push(store);
    return store;
  }
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  test('the critical sections of one key never overlap across the two stores; every task runs once', async () => {
    const [a, b] = [await open(), await open()];
    const locks: KeyedLock[] = [a.keyedLock(), b.keyedLock()];
    const keys = ['alarm:a', 'alarm:b', 'alarm:\u0000nul'];
    const inside = new Map<string, number>();
    const counters = new Map<string, number>();
    let overlaps = 0;
    let ran = 0;
    const tasks: Promise<void>[] = [];
    for (let i = 0; i < 120; i += 1) {
      const key = keys[i % keys.length] as string;
      const lock = locks[(i >> 1) % 2] as KeyedLock;
      const store = (i >> 1) % 2 === 0 ? a : b;
      tasks.push(
        lock.run(key, async () => {
          const now = (inside.get(key) ?? 0) + 1;
          inside.set(key, now);
          if (now > 1) overlaps += 1;
          // A read-modify-write with the store's own pool in between, as acceptAlert does.
          const seen = counters.get(key) ?? 0;
          await store.depth();
          await sleep(i % 3);
          counters.set(key, seen + 1);
          inside.set(key, (inside.get(key) ?? 1) - 1);
          ran += 1;
        }),
      );
    }
    await Promise.all(tasks);
    expect(overlaps).toBe(0);
    expect(ran).toBe(120);
    expect(keys.map((k) => counters.get(k))).toEqual([40, 40, 40]);
  }, 30_000);

  test('different keys run at once; a key held by one store makes the other wait, then run', async () => {
    const [a, b] = [await open(), await open()];
    const [lockA, lockB] = [a.keyedLock(), b.keyedLock()];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const order: string[] = [];
    const first = lockA.run('x', async () => {
      entered();
      await held;
      order.push('A x');
    });
    await holding;
    // Other keys, on either store, are not held up by x.
    await lockB.run('y', async () => {
      order.push('B y');
    });
    await lockA.run('z', async () => {
      order.push('A z');
    });
    const waiting = track(
      lockB.run('x', async () => {
        order.push('B x');
      }),
    );
    await sleep(300);
    expect(waiting.settled()).toBe(false);
    release();
    await Promise.all([first, waiting.promise]);
    expect(order).toEqual(['B y', 'A z', 'A x', 'B x']);
  }, 30_000);

  test('one store holds one database lock per key however many of its tasks queue for it', async () => {
    const [a, b] = [await open(), await open()];
    const [lockA, lockB] = [a.keyedLock(), b.keyedLock()];
    const probe = new pg.Client({ connectionString: db.url });
    await probe.connect();
    try {
      const seen: number[] = [];
      const run = (lock: KeyedLock) =>
        lock.run('same', async () => {
          const { rows } = await probe.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          );
          seen.push(Number(rows[0]?.n));
          await sleep(5);
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => run(i % 2 === 0 ? lockA : lockB)));
      expect(seen).toHaveLength(20);
      // The holder's lock, and at most the other store's one waiting for it.
      expect(Math.max(...seen)).toBeLessThanOrEqual(2);
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(1);
    } finally {
      await probe.end();
    }
  }, 30_000);

  test('a task that throws releases the key; the error is the task’s', async () => {
    const [a, b] = [await open(), await open()];
    const [lockA, lockB] = [a.keyedLock(), b.keyedLock()];
    await expect(
      lockA.run('k', async () => {
        throw new Error('task failed');
      }),
    ).rejects.toThrow('task failed');
    await expect(lockB.run('k', async () => 'ran')).resolves.toBe('ran');
    await expect(lockA.run('k', async () => 'again')).resolves.toBe('again');
  }, 30_000);

  test('the wait is bounded (waitMs): the other store fails that task, which never runs', async () => {
    const a = await open();
    const b = await open({ locks: { waitMs: 200 } });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = a.keyedLock().run('busy', async () => {
      entered();
      await held;
    });
    await holding;
    let ran = false;
    const started = Date.now();
    const error = await b
      .keyedLock()
      .run('busy', async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrailbotError);
    expect((error as TrailbotError).message).toMatch(/cannot take the incident lock/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ran).toBe(false);
    release();
    await first;
    // The failed wait left the lock connection usable.
    await expect(b.keyedLock().run('busy', async () => 'now')).resolves.toBe('now');
  }, 30_000);

  test('a holder whose session ends (a replica killed) releases the key to the others', async () => {
    const b = await open();
    const holder = new pg.Client({ connectionString: db.url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query("SELECT pg_advisory_lock(hashtextextended('trailbot:incident:' || $1, 0))", ['gone']);
    const waiting = track(b.keyedLock().run('gone', async () => 'ran'));
    await sleep(300);
    expect(waiting.settled()).toBe(false);
    // As SIGKILL would: the connection goes away without unlocking.
    (holder as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await expect(waiting.promise).resolves.toBe('ran');
    await holder.end().catch(() => undefined);
  }, 30_000);
});
