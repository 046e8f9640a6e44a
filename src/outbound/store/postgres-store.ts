/**
 * The Store port on PostgreSQL (node-postgres `Pool`): `TRAILBOT_STORE=postgres://USER:PASSWORD@HOST:PORT/DB`, for
 * several replicas sharing one database (DESIGN.md "Scale"). The same contract as the SQLite store
 * (test/outbound/store/*-contract.ts).
 *
 * - Opening makes a first connection (a server that cannot be reached, or refuses the login, is a `store_failed`
 *   error naming HOST:PORT and what to check, never the password), then migrates (postgres-migrations.ts: one
 *   transaction and one advisory lock per migration, so replicas starting together never race).
 * - The outbox (postgres-outbox.ts) is safe for replicas claiming at once: lanes locked with
 *   `FOR UPDATE SKIP LOCKED`; see that file's header and docs/outbox.md.
 * - Replicas: `sharedBy` is `replicas`, and `keyedLock()` is the incident lock across them (postgres-lock.ts: an
 *   advisory lock per key, on a small pool of its own).
 * - The database's own settings come from the URL (`?sslmode=require`, `?options=-c search_path=trailbot`, …) or
 *   the PG* environment variables, as node-postgres reads them. `close()` ends the pool.
 */
import type { Pool } from 'pg';
import type { KeyedLock } from '../../core/keyed-lock.js';
import type { AuditEntry, Coordination, Outbox, Store } from '../../ports.js';
import { checkAuditEntry, checkLimit, checkMigrationList, type Migration } from './outbox-rows.js';
import { OutboxStore } from './outbox-store.js';
import {
  describeTarget,
  fromDbText,
  fromDbTextOrNull,
  openPool,
  type PoolOptions,
  type PostgresTarget,
  storeError,
  toDbText,
  toDbTextOrNull,
} from './postgres-connection.js';
import { type AdvisoryLockOptions, AdvisoryLocks } from './postgres-lock.js';
import { migrate, migrations } from './postgres-migrations.js';
import { PostgresOutbox } from './postgres-outbox.js';

export { type AppliedMigration, appliedMigrations, type Migration, migrations } from './postgres-migrations.js';

export interface PostgresStoreOptions extends PoolOptions {
  /** The schema to bring the database to; tests pass a prefix (an older Trailbot) or an extension (a newer one). */
  migrations?: readonly Migration[];
  /** The incident lock's own pool and wait (postgres-lock.ts). */
  locks?: AdvisoryLockOptions;
}

/**
 * Connects to the database at `url` and migrates it. The one object is both the Store and the Outbox (one
 * database, so one transaction can span an SNS message, its incidents and its writes).
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<Store & Outbox & Coordination> {
  const schema = options.migrations ?? migrations;
  checkMigrationList(schema);
  const target = describeTarget(url);
  const pool = await openPool(url, target, options);
  try {
    await migrate(pool, target, schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresStore(
    pool,
    target,
    (assertOpen) => new AdvisoryLocks(url, target, options.locks ?? {}, assertOpen),
  );
}

type AuditRow = {
  at: Date;
  surface: AuditEntry['surface'];
  team_id: string | null;
  user_id: string;
  channel_id: string | null;
  query: string;
  outcome: AuditEntry['outcome'];
  events: number;
  complete: boolean;
  duration_ms: number;
  detail: string | null;
};

/** The Outbox methods go to postgres-outbox.ts (outbox-store.ts). */
class PostgresStore extends OutboxStore implements Store, Coordination {
  readonly sharedBy = 'replicas';
  readonly #pool: Pool;
  readonly #target: PostgresTarget;
  readonly #locks: AdvisoryLocks;

  constructor(pool: Pool, target: PostgresTarget, locks: (assertOpen: () => void) => AdvisoryLocks) {
    super((assertOpen) => new PostgresOutbox(pool, target, assertOpen));
    this.#pool = pool;
    this.#target = target;
    this.#locks = locks(() => this.assertOpen());
  }

  keyedLock(): KeyedLock {
    return this.#locks.keyedLock();
  }

  async recordQuery(entry: AuditEntry): Promise<void> {
    this.assertOpen();
    const params = toParams(entry);
    try {
      await this.#pool.query(
        `INSERT INTO audit_log (at, surface, team_id, user_id, channel_id, query, outcome, events, complete, duration_ms, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        params,
      );
    } catch (error) {
      throw storeError(this.#target, 'cannot write the audit log', error);
    }
  }

  async recentQueries(limit: number): Promise<AuditEntry[]> {
    this.assertOpen();
    checkLimit('recentQueries', limit);
    if (limit === 0) return [];
    try {
      const { rows } = await this.#pool.query<AuditRow>(
        `SELECT at, surface, team_id, user_id, channel_id, query, outcome, events, complete, duration_ms, detail
         FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`,
        [limit],
      );
      return rows.map(fromRow);
    } catch (error) {
      throw storeError(this.#target, 'cannot read the audit log', error);
    }
  }

  /** Ends the pools (waiting for the queries under way); later calls reject. */
  protected async release(): Promise<void> {
    await Promise.all([this.#pool.end(), this.#locks.close()]);
  }
}

function toParams(entry: AuditEntry): unknown[] {
  checkAuditEntry(entry);
  return [
    entry.at,
    entry.surface,
    toDbTextOrNull(entry.teamId),
    toDbText(entry.userId),
    toDbTextOrNull(entry.channelId),
    toDbText(entry.query),
    entry.outcome,
    entry.events,
    entry.complete,
    entry.durationMs,
    toDbTextOrNull(entry.detail),
  ];
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    at: row.at,
    surface: row.surface,
    teamId: fromDbTextOrNull(row.team_id),
    userId: fromDbText(row.user_id),
    channelId: fromDbTextOrNull(row.channel_id),
    query: fromDbText(row.query),
    outcome: row.outcome,
    events: row.events,
    complete: row.complete,
    durationMs: row.duration_ms,
    detail: fromDbTextOrNull(row.detail),
  };
}
