/**
 * A KeyedLock held across replicas on one PostgreSQL database: the incident lock of the alert flows (acceptAlert,
 * pressAlertButton), so that two notifications of one incident reaching two replicas at once never both see
 * "no incident yet" and both post a card, nor both read the same count and lose one.
 *
 * - The task runs while this process holds `pg_advisory_lock(hashtextextended('trailbot:incident:' || key, 0))`, a
 *   session lock, on a connection of a small pool of its own (the lock pool). The task's queries use the store's pool:
 *   a lock holder never waits for a connection that another lock holder keeps, so the two pools never starve each
 *   other (one pool would: every connection held by a lock, every task waiting for one more).
 * - In front of it, the in-process KeyedLock: tasks of one key in one process queue there, in arrival order, so a
 *   process spends at most one lock connection per key, and a key's queue never holds a connection while it waits.
 * - A wait is bounded (`waitMs`, PostgreSQL's `lock_timeout` on the lock connections): a replica that hangs while
 *   holding a key makes the others fail that one notification (POST /sns answers 5xx and SNS delivers it again)
 *   rather than pile up. A replica that dies releases its locks: the server ends its session.
 * - Two keys whose 64-bit hashes collide share a lock: they are serialized for nothing, never run together wrongly.
 * - If the lock connection is lost while the task runs, the server has already released the lock; the task goes on
 *   (its writes are one transaction each, and the replica is then likely losing the database altogether).
 */
import type { Pool, PoolClient } from 'pg';
import { createKeyedLock, type KeyedLock } from '../../core/keyed-lock.js';
import { createPool, type PostgresTarget, storeError, toDbText } from './postgres-connection.js';

export interface AdvisoryLockOptions {
  /** Connections the lock pool may open: keys held at once by this process (default 5). */
  readonly connections?: number;
  /** How long to wait for a key another replica holds, in ms (default 10 000). */
  readonly waitMs?: number;
  /** How long a new lock connection may take, in ms (default 10 000). */
  readonly connectionTimeoutMs?: number;
}

const LOCK = 'SELECT pg_advisory_lock(hashtextextended($1, 0))';
const UNLOCK = 'SELECT pg_advisory_unlock(hashtextextended($1, 0)) AS released';

/** The lock pool: opened on first use, ended by `close`. */
export class AdvisoryLocks {
  readonly #url: string;
  readonly #target: PostgresTarget;
  readonly #options: AdvisoryLockOptions;
  readonly #assertOpen: () => void;
  #pool: Pool | undefined;

  constructor(url: string, target: PostgresTarget, options: AdvisoryLockOptions, assertOpen: () => void) {
    const waitMs = options.waitMs ?? 10_000;
    const connections = options.connections ?? 5;
    if (!Number.isSafeInteger(waitMs) || waitMs < 1) throw new RangeError('advisory lock: waitMs must be ≥ 1');
    if (!Number.isSafeInteger(connections) || connections < 1) {
      throw new RangeError('advisory lock: connections must be ≥ 1');
    }
    this.#url = url;
    this.#target = target;
    this.#options = { ...options, waitMs, connections };
    this.#assertOpen = assertOpen;
  }

  /** A KeyedLock over this database (each has its own in-process queue: share one between the flows). */
  keyedLock(): KeyedLock {
    const local = createKeyedLock();
    return {
      run: <T>(key: string, task: () => Promise<T>): Promise<T> => local.run(key, () => this.#holding(key, task)),
    };
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }

  #lockPool(): Pool {
    if (this.#pool === undefined) {
      const pool = createPool(this.#url, {
        max: this.#options.connections ?? 5,
        ...(this.#options.connectionTimeoutMs === undefined
          ? {}
          : { connectionTimeoutMs: this.#options.connectionTimeoutMs }),
      });
      // Queued before any other query on the new connection: lock_timeout bounds pg_advisory_lock's wait.
      pool.on('connect', (client) => {
        client.query(`SET lock_timeout = ${this.#options.waitMs ?? 10_000}`).catch(() => undefined);
      });
      this.#pool = pool;
    }
    return this.#pool;
  }

  async #holding<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    const lockKey = `trailbot:incident:${toDbText(key)}`;
    let client: PoolClient;
    try {
      client = await this.#lockPool().connect();
    } catch (error) {
      throw storeError(this.#target, 'cannot take the incident lock', error);
    }
    let broken: Error | undefined;
    // A lock connection lost while checked out must not be an unhandled 'error' event (see inTransaction).
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      try {
        await client.query(LOCK, [lockKey]);
      } catch (error) {
        // Timed out (55P03) or the connection failed: nothing is held; a failed connection is not reused.
        if ((error as { code?: unknown }).code !== '55P03') broken = asError(error);
        throw storeError(this.#target, 'cannot take the incident lock', error);
      }
      try {
        return await task();
      } finally {
        // Should the unlock fail, the connection is closed instead, which releases the lock as well.
        await client.query(UNLOCK, [lockKey]).catch((error: unknown) => {
          broken = asError(error);
        });
      }
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
