/**
 * The PostgreSQL store's schema: the same logical tables as the SQLite store's migrations 1–3 (audit_log; the outbox
 * with sns_messages and incidents; incidents.alert), in PostgreSQL's own types: BIGSERIAL ids (never reused),
 * TIMESTAMPTZ instants, BOOLEAN, DOUBLE PRECISION, TEXT (see postgres-connection.ts for NUL), and the outbox payload
 * as `json`: validated, kept as written. (`jsonb` would refuse the `\u0000` escape a message may carry, and the
 * payload is only ever read whole, so jsonb's indexing would buy nothing.)
 *
 * Beyond the SQLite schema, for several replicas (docs/outbox.md, "PostgreSQL"): `outbox.lane` (generated: the
 * channel, or the channel + '#update' for card updates) and `outbox_lanes`, one row per lane, the unit that claim
 * locks with `FOR UPDATE SKIP LOCKED` and enqueue locks to keep a lane's ids in commit order.
 *
 * Each migration runs in its own transaction, which first takes a transaction-scoped advisory lock
 * (`pg_advisory_xact_lock`): replicas starting together wait for each other, and each version runs once. The
 * version is recorded in `schema_migrations` (version, name, applied_at) in that same transaction. A database
 * from a newer Trailbot (unknown versions) is refused, not changed.
 */

import type { Pool } from 'pg';
import pg from 'pg';
import { TrailbotError } from '../../core/errors.js';
import type { AppliedMigration, Migration } from './outbox-rows.js';
import { describeTarget, inTransaction, type PostgresTarget, storeError } from './postgres-connection.js';

export type { AppliedMigration, Migration } from './outbox-rows.js';

export const migrations: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'audit_log',
    sql: `
      CREATE TABLE audit_log (
        id          BIGSERIAL        PRIMARY KEY,
        at          TIMESTAMPTZ      NOT NULL,
        surface     TEXT             NOT NULL CHECK (surface IN ('slash', 'mention', 'button')),
        team_id     TEXT,
        user_id     TEXT             NOT NULL,
        channel_id  TEXT,
        query       TEXT             NOT NULL,
        outcome     TEXT             NOT NULL CHECK (outcome IN ('answered', 'refused', 'usage', 'failed')),
        events      BIGINT           NOT NULL CHECK (events >= 0),
        complete    BOOLEAN          NOT NULL,
        duration_ms DOUBLE PRECISION NOT NULL,
        detail      TEXT
      );
      CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
    `,
  },
  {
    version: 2,
    name: 'outbox',
    sql: `
      CREATE TABLE sns_messages (
        message_id  TEXT        PRIMARY KEY,
        topic_arn   TEXT        NOT NULL,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        body        TEXT        NOT NULL
      );
      CREATE INDEX sns_messages_received ON sns_messages (received_at);

      CREATE TABLE incidents (
        key             TEXT        PRIMARY KEY,
        channel         TEXT        NOT NULL,
        root_ts         TEXT,
        state           TEXT        NOT NULL,
        notifications   INTEGER     NOT NULL DEFAULT 0,
        last_change_at  TIMESTAMPTZ NOT NULL,
        acknowledged_by TEXT,
        acknowledged_at TIMESTAMPTZ,
        snoozed_until   TIMESTAMPTZ,
        resolved_by     TEXT,
        resolved_at     TIMESTAMPTZ,
        reopened_at     TIMESTAMPTZ
      );

      CREATE TABLE outbox (
        id                BIGSERIAL   PRIMARY KEY,
        channel           TEXT        NOT NULL,
        incident_key      TEXT,
        kind              TEXT        NOT NULL CHECK (kind IN ('post', 'reply', 'broadcast', 'update')),
        lane              TEXT        NOT NULL
                          GENERATED ALWAYS AS (channel || CASE WHEN kind = 'update' THEN '#update' ELSE '' END) STORED,
        payload           JSON        NOT NULL,
        state             TEXT        NOT NULL DEFAULT 'pending'
                          CHECK (state IN ('pending', 'inflight', 'done', 'dead')),
        attempts          INTEGER     NOT NULL DEFAULT 0,
        not_before        TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
        enqueued_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
        claimed_at        TIMESTAMPTZ,
        unconfirmed_since TIMESTAMPTZ,
        delivered_at      TIMESTAMPTZ,
        slack_ts          TEXT,
        last_error        TEXT,
        CHECK (kind = 'post' OR incident_key IS NOT NULL)
      );
      CREATE INDEX outbox_queue ON outbox (lane, id) WHERE state IN ('pending', 'inflight');
      CREATE INDEX outbox_incident ON outbox (incident_key, kind, id) WHERE state IN ('pending', 'inflight');
      CREATE INDEX outbox_open ON outbox (state) WHERE state IN ('pending', 'inflight', 'dead');

      CREATE TABLE outbox_lanes (
        lane TEXT PRIMARY KEY
      );
    `,
  },
  // The newest notification of each incident, so a button press can render its card again.
  { version: 3, name: 'incident_alert', sql: 'ALTER TABLE incidents ADD COLUMN alert TEXT;' },
  // The per-channel pace shared by replicas: a lane claimed at t is not claimed again before paced_until.
  {
    version: 4,
    name: 'lane_pacing',
    sql: "ALTER TABLE outbox_lanes ADD COLUMN paced_until TIMESTAMPTZ NOT NULL DEFAULT '-infinity';",
  },
]);

/** The advisory lock that serializes migrations between replicas (one key, this database only). */
const MIGRATION_LOCK = "hashtext('trailbot:schema_migrations')";

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER     PRIMARY KEY,
  name       TEXT        NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
)`;

/** Brings the database to `schema`'s last version, one transaction (and one advisory lock) per migration. */
export async function migrate(pool: Pool, target: PostgresTarget, schema: readonly Migration[]): Promise<void> {
  for (;;) {
    let applied: Migration | undefined;
    try {
      applied = await inTransaction(pool, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
        await client.query(CREATE_MIGRATIONS_TABLE);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
        const versions = new Set(rows.map((r) => r.version));
        const newest = Math.max(0, ...versions);
        if (newest > schema.length) {
          throw new TrailbotError(
            'store_failed',
            `the store ${target.where} has schema version ${newest}, newer than this Trailbot knows ` +
              `(${schema.length}); run the newer Trailbot, or point TRAILBOT_STORE at another database`,
            'user',
          );
        }
        const next = schema.find((m) => !versions.has(m.version));
        if (next === undefined) return undefined;
        try {
          await client.query(next.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            next.version,
            next.name,
          ]);
        } catch (error) {
          throw storeError(target, `migration ${next.version} (${next.name}) failed`, error);
        }
        return next;
      });
    } catch (error) {
      if (error instanceof TrailbotError) throw error;
      throw storeError(target, 'cannot prepare the schema', error);
    }
    if (applied === undefined) return;
  }
}

/** The migrations recorded in the database at `url`, oldest first (for tests and `trailbot doctor`-style checks). */
export async function appliedMigrations(url: string): Promise<AppliedMigration[]> {
  const target = describeTarget(url);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    );
    if (rows[0]?.present !== true) return [];
    const applied = await client.query<{ version: number; name: string; applied_at: Date }>(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
    );
    return applied.rows.map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at.toISOString() }));
  } catch (error) {
    throw storeError(target, 'cannot read schema_migrations', error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
