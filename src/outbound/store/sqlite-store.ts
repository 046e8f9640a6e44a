/**
 * The Store port on SQLite (better-sqlite3): the embedded default, `TRAILBOT_STORE=sqlite:PATH`.
 *
 * - WAL journal, a busy timeout, synchronous=FULL (a committed write survives a crash and a power cut).
 * - Versioned migrations: `migrations` is applied in order, each in its own IMMEDIATE transaction that also
 *   records the version in `schema_migrations` (version, name, applied_at), so a version runs once even when
 *   two processes open the same file at once. A file from a newer Trailbot (unknown versions) is refused.
 * - better-sqlite3 is synchronous, so concurrent calls from one process run one after another; other
 *   processes on the same file wait on the busy timeout.
 */
import Database from 'better-sqlite3';
import { TrailbotError } from '../../core/errors.js';
import { createKeyedLock, type KeyedLock } from '../../core/keyed-lock.js';
import type { AuditEntry, Coordination, Outbox, Store } from '../../ports.js';
import {
  type AppliedMigration,
  checkAuditEntry,
  checkLimit,
  checkMigrationList,
  type Migration,
} from './outbox-rows.js';
import { OutboxStore } from './outbox-store.js';
import { OUTBOX_MIGRATION_SQL, SqliteOutbox, storeError } from './sqlite-outbox.js';

export type { AppliedMigration, Migration } from './outbox-rows.js';

export const migrations: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'audit_log',
    sql: `
      CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms       INTEGER NOT NULL,
        surface     TEXT    NOT NULL CHECK (surface IN ('slash', 'mention', 'button')),
        team_id     TEXT,
        user_id     TEXT    NOT NULL,
        channel_id  TEXT,
        query       TEXT    NOT NULL,
        outcome     TEXT    NOT NULL CHECK (outcome IN ('answered', 'refused', 'usage', 'failed')),
        events      INTEGER NOT NULL CHECK (events >= 0),
        complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
        duration_ms REAL    NOT NULL,
        detail      TEXT
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at_ms DESC, id DESC);
    `,
  },
  { version: 2, name: 'outbox', sql: OUTBOX_MIGRATION_SQL },
  // The newest notification of each incident, so a button press can render its card again.
  { version: 3, name: 'incident_alert', sql: 'ALTER TABLE incidents ADD COLUMN alert TEXT;' },
]);

export interface SqliteStoreOptions {
  /** The schema to bring the file to; tests pass a prefix (an older Trailbot) or an extension (a newer one). */
  migrations?: readonly Migration[];
  /** How long to wait for another process's write lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) and migrates the SQLite file at `path` (`:memory:` for a private in-memory one).
 * The one object is both the Store and the Outbox (one connection, so one transaction can span both).
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store & Outbox & Coordination {
  const schema = options.migrations ?? migrations;
  checkMigrationList(schema);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw storeError(`cannot open ${path}`, error);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, path, schema);
  } catch (error) {
    db.close();
    if (error instanceof TrailbotError) throw error;
    throw storeError(`cannot prepare ${path}`, error);
  }
  return new SqliteStore(db, path);
}

/** The migrations recorded in the file, oldest first (for tests and `trailbot doctor`-style checks). */
export function appliedMigrations(path: string): AppliedMigration[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    if (!hasMigrationsTable(db)) return [];
    return db
      .prepare('SELECT version, name, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
      .all() as AppliedMigration[];
  } finally {
    db.close();
  }
}

interface AuditRow {
  at_ms: number;
  surface: AuditEntry['surface'];
  team_id: string | null;
  user_id: string;
  channel_id: string | null;
  query: string;
  outcome: AuditEntry['outcome'];
  events: number;
  complete: 0 | 1;
  duration_ms: number;
  detail: string | null;
}

/** The Outbox methods go to sqlite-outbox.ts (outbox-store.ts). */
class SqliteStore extends OutboxStore implements Store, Coordination {
  /** One process owns the file: what is in flight at start-up was left by its previous run. */
  readonly sharedBy = 'process';
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #insert: Database.Statement<[AuditRow]>;
  readonly #recent: Database.Statement<[number], AuditRow>;

  constructor(db: Database.Database, path: string) {
    super((assertOpen) => new SqliteOutbox(db, path, assertOpen));
    this.#db = db;
    this.#path = path;
    this.#insert = db.prepare(
      `INSERT INTO audit_log (at_ms, surface, team_id, user_id, channel_id, query, outcome, events, complete, duration_ms, detail)
       VALUES (@at_ms, @surface, @team_id, @user_id, @channel_id, @query, @outcome, @events, @complete, @duration_ms, @detail)`,
    );
    this.#recent = db.prepare(
      `SELECT at_ms, surface, team_id, user_id, channel_id, query, outcome, events, complete, duration_ms, detail
       FROM audit_log ORDER BY at_ms DESC, id DESC LIMIT ?`,
    );
  }

  async recordQuery(entry: AuditEntry): Promise<void> {
    this.assertOpen();
    const row = toRow(entry);
    try {
      this.#insert.run(row);
    } catch (error) {
      throw storeError(`cannot write the audit log in ${this.#path}`, error);
    }
  }

  async recentQueries(limit: number): Promise<AuditEntry[]> {
    this.assertOpen();
    checkLimit('recentQueries', limit);
    if (limit === 0) return [];
    try {
      return this.#recent.all(limit).map(fromRow);
    } catch (error) {
      throw storeError(`cannot read the audit log in ${this.#path}`, error);
    }
  }

  /** In-process: one process owns the file. */
  keyedLock(): KeyedLock {
    return createKeyedLock();
  }

  protected release(): void {
    this.#db.close();
  }
}

function toRow(entry: AuditEntry): AuditRow {
  checkAuditEntry(entry);
  const at = entry.at.getTime();
  return {
    at_ms: at,
    surface: entry.surface,
    team_id: wellFormedOrNull(entry.teamId),
    user_id: wellFormed(entry.userId),
    channel_id: wellFormedOrNull(entry.channelId),
    query: wellFormed(entry.query),
    outcome: entry.outcome,
    events: entry.events,
    complete: entry.complete ? 1 : 0,
    duration_ms: entry.durationMs,
    detail: wellFormedOrNull(entry.detail),
  };
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    at: new Date(row.at_ms),
    surface: row.surface,
    teamId: row.team_id,
    userId: row.user_id,
    channelId: row.channel_id,
    query: row.query,
    outcome: row.outcome,
    events: row.events,
    complete: row.complete === 1,
    durationMs: row.duration_ms,
    detail: row.detail,
  };
}

/**
 * Text is stored verbatim, NUL included; only a lone UTF-16 surrogate (which no UTF-8 store can hold) becomes
 * U+FFFD, the same as String.prototype.toWellFormed.
 */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function wellFormedOrNull(text: string | null): string | null {
  return text === null ? null : wellFormed(text);
}

function hasMigrationsTable(db: Database.Database): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined
  );
}

function migrate(db: Database.Database, path: string, schema: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ) STRICT`);
  const latestApplied = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const isApplied = db.prepare<[number], { version: number }>(
    'SELECT version FROM schema_migrations WHERE version = ?',
  );
  const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');

  const newest = latestApplied.get()?.v ?? 0;
  if (newest > schema.length) {
    throw new TrailbotError(
      'store_failed',
      `the store ${path} has schema version ${newest}, newer than this Trailbot knows (${schema.length}); ` +
        'run the newer Trailbot, or point TRAILBOT_STORE at another file',
      'user',
    );
  }
  for (const migration of schema) {
    if (isApplied.get(migration.version) !== undefined) continue;
    const apply = db.transaction(() => {
      // Checked again inside the write lock: another process may have applied it since.
      if (isApplied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name);
    });
    try {
      apply.immediate();
    } catch (error) {
      throw storeError(`migration ${migration.version} (${migration.name}) failed on ${path}`, error);
    }
  }
}
