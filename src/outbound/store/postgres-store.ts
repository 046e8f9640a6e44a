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
import { TrailbotError } from '../../core/errors.js';
import type { KeyedLock } from '../../core/keyed-lock.js';
import type {
  AuditEntry,
  ClaimOptions,
  Coordination,
  Incident,
  IncidentUpdate,
  Outbox,
  OutboxDepth,
  OutboxEntry,
  OutboxWrite,
  Store,
} from '../../ports.js';
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
import { checkMigrationList, type Migration, migrate, migrations } from './postgres-migrations.js';
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

class PostgresStore implements Store, Outbox, Coordination {
  readonly sharedBy = 'replicas';
  readonly #pool: Pool;
  readonly #target: PostgresTarget;
  readonly #outbox: PostgresOutbox;
  readonly #locks: AdvisoryLocks;
  #closed = false;

  constructor(pool: Pool, target: PostgresTarget, locks: (assertOpen: () => void) => AdvisoryLocks) {
    this.#pool = pool;
    this.#target = target;
    this.#outbox = new PostgresOutbox(pool, target, () => this.#open());
    this.#locks = locks(() => this.#open());
  }

  keyedLock(): KeyedLock {
    return this.#locks.keyedLock();
  }

  async recordQuery(entry: AuditEntry): Promise<void> {
    this.#open();
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
    this.#open();
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new TrailbotError('internal', `recentQueries: limit must be a whole number ≥ 0, not ${limit}`, 'bug');
    }
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

  // ---- Outbox (postgres-outbox.ts) ----

  enqueue(writes: readonly OutboxWrite[], incidents?: readonly IncidentUpdate[]): Promise<number[]> {
    return this.#outbox.enqueue(writes, incidents);
  }

  acceptSnsMessage(
    messageId: string,
    topicArn: string,
    body: string,
    writes: readonly OutboxWrite[],
    incidents?: readonly IncidentUpdate[],
  ): Promise<'accepted' | 'duplicate'> {
    return this.#outbox.acceptSnsMessage(messageId, topicArn, body, writes, incidents);
  }

  claim(now: Date, limit: number, exclude?: readonly string[], options?: ClaimOptions): Promise<OutboxEntry[]> {
    return this.#outbox.claim(now, limit, exclude, options);
  }

  markDelivered(id: number, ts: string, at?: Date): Promise<void> {
    return this.#outbox.markDelivered(id, ts, at);
  }

  retryAt(id: number, when: Date, error: string, options?: { unconfirmed?: boolean }): Promise<void> {
    return this.#outbox.retryAt(id, when, error, options);
  }

  markDead(id: number, error: string): Promise<void> {
    return this.#outbox.markDead(id, error);
  }

  inflightOlderThan(t: Date): Promise<OutboxEntry[]> {
    return this.#outbox.inflightOlderThan(t);
  }

  takeOverInflight(claimedBefore: Date, at: Date): Promise<number> {
    return this.#outbox.takeOverInflight(claimedBefore, at);
  }

  depth(): Promise<OutboxDepth> {
    return this.#outbox.depth();
  }

  entry(id: number): Promise<OutboxEntry | undefined> {
    return this.#outbox.entry(id);
  }

  incident(key: string): Promise<Incident | undefined> {
    return this.#outbox.incident(key);
  }

  /** Ends the pools (waiting for the queries under way); later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#locks.close()]);
  }

  #open(): void {
    if (this.#closed) throw new TrailbotError('internal', 'the store is closed', 'bug');
  }
}

function toParams(entry: AuditEntry): unknown[] {
  const problems: string[] = [];
  if (Number.isNaN(entry.at.getTime())) problems.push('at is an invalid Date');
  if (!Number.isSafeInteger(entry.events) || entry.events < 0) problems.push('events must be a whole number ≥ 0');
  if (!Number.isFinite(entry.durationMs)) problems.push('durationMs must be a finite number');
  if (problems.length > 0) {
    throw new TrailbotError('internal', `audit entry not recorded: ${problems.join('; ')}`, 'bug');
  }
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
