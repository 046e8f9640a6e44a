/**
 * The Outbox port on the SQLite store's connection (migration 2: `sns_messages`, `incidents`, `outbox`;
 * docs/outbox.md). Every method is one transaction; the writing ones take the write lock at once (IMMEDIATE), so
 * two processes on one file never claim the same row.
 *
 * Times are stored as epoch milliseconds. Ids come from AUTOINCREMENT: never reused, even after rows are pruned,
 * because a post's message metadata carries its id and reconciliation looks for it in Slack.
 */
import type Database from 'better-sqlite3';
import { TrailbotError } from '../../core/errors.js';
import type {
  ClaimOptions,
  Incident,
  IncidentUpdate,
  Outbox,
  OutboxDepth,
  OutboxEntry,
  OutboxKind,
  OutboxMessage,
  OutboxState,
  OutboxWrite,
} from '../../ports.js';
import { bug, checkedDate, checkIncident, checkLimit, ENTRY_SELECT, toWriteRow, type WriteRow } from './outbox-rows.js';

export const OUTBOX_MIGRATION_SQL = `
  CREATE TABLE sns_messages (
    message_id  TEXT    PRIMARY KEY,
    topic_arn   TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    body        TEXT    NOT NULL
  ) STRICT;
  CREATE INDEX sns_messages_received ON sns_messages (received_at);

  CREATE TABLE incidents (
    key             TEXT    PRIMARY KEY,
    channel         TEXT    NOT NULL,
    root_ts         TEXT,
    state           TEXT    NOT NULL,
    notifications   INTEGER NOT NULL DEFAULT 0,
    last_change_at  INTEGER NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    snoozed_until   INTEGER,
    resolved_by     TEXT,
    resolved_at     INTEGER,
    reopened_at     INTEGER
  ) STRICT;

  CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    channel           TEXT    NOT NULL,
    incident_key      TEXT,
    kind              TEXT    NOT NULL CHECK (kind IN ('post', 'reply', 'broadcast', 'update')),
    payload           TEXT    NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'inflight', 'done', 'dead')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    not_before        INTEGER NOT NULL DEFAULT 0,
    enqueued_at       INTEGER NOT NULL,
    claimed_at        INTEGER,
    unconfirmed_since INTEGER,
    delivered_at      INTEGER,
    slack_ts          TEXT,
    last_error        TEXT,
    CHECK (kind = 'post' OR incident_key IS NOT NULL)
  ) STRICT;
  CREATE INDEX outbox_queue ON outbox (channel, id) WHERE state IN ('pending', 'inflight');
  CREATE INDEX outbox_incident ON outbox (incident_key, kind, id) WHERE state IN ('pending', 'inflight');
`;

interface EntryRow {
  id: number;
  channel: string;
  kind: OutboxKind;
  incident_key: string | null;
  payload: string;
  state: OutboxState;
  attempts: number;
  not_before: number;
  claimed_at: number | null;
  unconfirmed_since: number | null;
  slack_ts: string | null;
  last_error: string | null;
  thread_ts: string | null;
  root_queued: 0 | 1;
}

interface IncidentRow {
  key: string;
  channel: string;
  root_ts: string | null;
  state: string;
  notifications: number;
  last_change_at: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  snoozed_until: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  reopened_at: number | null;
  alert: string | null;
}

export class SqliteOutbox implements Outbox {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #assertOpen: () => void;
  #statements: ReturnType<typeof prepare> | undefined;

  constructor(db: Database.Database, path: string, assertOpen: () => void) {
    this.#db = db;
    this.#path = path;
    this.#assertOpen = assertOpen;
  }

  /** Prepared on first use: a store opened at an older schema (tests) has no outbox tables. */
  get #s(): ReturnType<typeof prepare> {
    this.#statements ??= prepare(this.#db);
    return this.#statements;
  }

  async enqueue(writes: readonly OutboxWrite[], incidents: readonly IncidentUpdate[] = []): Promise<number[]> {
    const rows = writes.map(toSqliteWriteRow);
    incidents.forEach(checkIncident);
    return this.#write('cannot queue Slack writes', () => this.#insert(rows, incidents));
  }

  async acceptSnsMessage(
    messageId: string,
    topicArn: string,
    body: string,
    writes: readonly OutboxWrite[],
    incidents: readonly IncidentUpdate[] = [],
  ): Promise<'accepted' | 'duplicate'> {
    if (messageId === '') throw bug('acceptSnsMessage: the MessageId is empty');
    const rows = writes.map(toSqliteWriteRow);
    incidents.forEach(checkIncident);
    return this.#write('cannot store the SNS message', () => {
      const fresh = this.#s.insertSns.run(messageId, topicArn, Date.now(), body).changes === 1;
      if (!fresh) return 'duplicate';
      this.#insert(rows, incidents);
      return 'accepted';
    });
  }

  /** `options.laneSpacingMs` is ignored: one process owns the file, and its worker paces its own claims. */
  async claim(
    now: Date,
    limit: number,
    exclude: readonly string[] = [],
    _options?: ClaimOptions,
  ): Promise<OutboxEntry[]> {
    const at = ms(now, 'claim: now');
    checkLimit('claim', limit);
    if (limit === 0) return [];
    return this.#write('cannot claim Slack writes', () => {
      const ids = this.#s.claimable.all({ now: at, limit, exclude: JSON.stringify(exclude) }).map((r) => r.id);
      for (const id of ids) this.#s.markInflight.run(at, id);
      return ids.map((id) => fromEntryRow(this.#s.entry.get(id) as EntryRow));
    });
  }

  async markDelivered(id: number, ts: string, at: Date = new Date()): Promise<void> {
    const when = ms(at, 'markDelivered: at');
    if (ts === '') throw bug('markDelivered: the ts is empty');
    this.#write('cannot record a delivery', () => {
      const row = this.#s.kindOf.get(id);
      if (row === undefined) throw bug(`markDelivered: no outbox row ${id}`);
      if (row.state === 'done') return;
      this.#s.markDone.run(ts, when, id);
      if (row.kind === 'post' && row.incident_key !== null) {
        this.#s.setRoot.run({ key: row.incident_key, channel: row.channel, ts, now: when });
      }
    });
  }

  async retryAt(id: number, when: Date, error: string, options: { unconfirmed?: boolean } = {}): Promise<void> {
    const at = ms(when, 'retryAt: when');
    this.#write('cannot reschedule a Slack write', () => {
      this.#s.retry.run({ id, at, error, unconfirmed: options.unconfirmed === true ? 1 : 0 });
    });
  }

  async markDead(id: number, error: string): Promise<void> {
    this.#write('cannot record a failed Slack write', () => {
      this.#s.markDead.run(error, id);
    });
  }

  async inflightOlderThan(t: Date): Promise<OutboxEntry[]> {
    const at = ms(t, 'inflightOlderThan: t');
    return this.#read('cannot read the outbox', () => this.#s.inflightBefore.all(at).map(fromEntryRow));
  }

  async takeOverInflight(claimedBefore: Date, at: Date): Promise<number> {
    const before = ms(claimedBefore, 'takeOverInflight: claimedBefore');
    const when = ms(at, 'takeOverInflight: at');
    return this.#write('cannot take over Slack writes left in flight', () =>
      Number(this.#s.takeOver.run({ before, at: when }).changes),
    );
  }

  async depth(): Promise<OutboxDepth> {
    return this.#read('cannot read the outbox', () => {
      const depth: OutboxDepth = { pending: 0, inflight: 0, dead: 0 };
      for (const { state, n } of this.#s.depth.all()) {
        if (state === 'pending' || state === 'inflight' || state === 'dead') depth[state] = n;
      }
      return depth;
    });
  }

  async entry(id: number): Promise<OutboxEntry | undefined> {
    return this.#read('cannot read the outbox', () => {
      const row = this.#s.entry.get(id);
      return row === undefined ? undefined : fromEntryRow(row);
    });
  }

  async incident(key: string): Promise<Incident | undefined> {
    return this.#read('cannot read incidents', () => {
      const row = this.#s.incident.get(key);
      return row === undefined ? undefined : fromIncidentRow(row);
    });
  }

  #insert(rows: readonly WriteRow[], incidents: readonly IncidentUpdate[]): number[] {
    for (const incident of incidents) this.#s.upsertIncident.run(toIncidentRow(incident));
    const now = Date.now();
    return rows.map((row) => {
      if (row.kind === 'update') {
        // Collapse: a queued (not yet sent) update of the same card takes the newest content, keeping its place.
        const queued = this.#s.queuedUpdate.get(row.incident_key, row.channel);
        if (queued !== undefined) {
          this.#s.replacePayload.run(row.payload, queued.id);
          return queued.id;
        }
      }
      return Number(this.#s.insertEntry.run({ ...row, now }).lastInsertRowid);
    });
  }

  #write<T>(what: string, work: () => T): T {
    this.#assertOpen();
    try {
      return this.#db.transaction(work).immediate();
    } catch (error) {
      if (error instanceof TrailbotError) throw error;
      throw storeError(`${what} in ${this.#path}`, error);
    }
  }

  #read<T>(what: string, work: () => T): T {
    this.#assertOpen();
    try {
      return work();
    } catch (error) {
      throw storeError(`${what} in ${this.#path}`, error);
    }
  }
}

function prepare(db: Database.Database) {
  return {
    insertSns: db.prepare<[string, string, number, string]>(
      'INSERT INTO sns_messages (message_id, topic_arn, received_at, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    insertEntry: db.prepare<[WriteRow & { now: number }]>(
      `INSERT INTO outbox (channel, incident_key, kind, payload, enqueued_at)
       VALUES (@channel, @incident_key, @kind, @payload, @now)`,
    ),
    queuedUpdate: db.prepare<[string | null, string], { id: number }>(
      `SELECT id FROM outbox WHERE incident_key = ? AND kind = 'update' AND channel = ? AND state = 'pending'
       ORDER BY id LIMIT 1`,
    ),
    replacePayload: db.prepare<[string, number]>('UPDATE outbox SET payload = ? WHERE id = ?'),
    claimable: db.prepare<[{ now: number; limit: number; exclude: string }], { id: number }>(
      // Two lanes a channel, each in order: posts and replies; and card updates (they need only their root card,
      // and chat.update has its own rate, so they must not hold the replies up). A lane's key: the channel, or
      // the channel + '#update' (what `exclude` lists).
      `SELECT o.id FROM outbox o
       WHERE o.id IN (SELECT min(id) FROM outbox WHERE state = 'pending' GROUP BY channel, kind = 'update')
         AND o.not_before <= @now
         AND NOT EXISTS (SELECT 1 FROM outbox i WHERE i.channel = o.channel AND (i.kind = 'update') = (o.kind = 'update')
                           AND i.state = 'inflight')
         AND o.channel || CASE WHEN o.kind = 'update' THEN '#update' ELSE '' END NOT IN (SELECT value FROM json_each(@exclude))
       ORDER BY o.id LIMIT @limit`,
    ),
    markInflight: db.prepare<[number, number]>(
      "UPDATE outbox SET state = 'inflight', claimed_at = ?, attempts = attempts + 1 WHERE id = ?",
    ),
    entry: db.prepare<[number], EntryRow>(`${ENTRY_SELECT} WHERE o.id = ?`),
    inflightBefore: db.prepare<[number], EntryRow>(
      `${ENTRY_SELECT} WHERE o.state = 'inflight' AND o.claimed_at < ? ORDER BY o.id`,
    ),
    kindOf: db.prepare<
      [number],
      { kind: OutboxKind; incident_key: string | null; channel: string; state: OutboxState }
    >('SELECT kind, incident_key, channel, state FROM outbox WHERE id = ?'),
    markDone: db.prepare<[string, number, number]>(
      "UPDATE outbox SET state = 'done', slack_ts = ?, delivered_at = ?, last_error = NULL WHERE id = ?",
    ),
    setRoot: db.prepare<[{ key: string; channel: string; ts: string; now: number }]>(
      `INSERT INTO incidents (key, channel, root_ts, state, last_change_at) VALUES (@key, @channel, @ts, 'open', @now)
       ON CONFLICT (key) DO UPDATE SET root_ts = excluded.root_ts`,
    ),
    retry: db.prepare<[{ id: number; at: number; error: string; unconfirmed: 0 | 1 }]>(
      `UPDATE outbox SET state = 'pending', not_before = @at, last_error = @error,
         unconfirmed_since = CASE WHEN @unconfirmed = 1 THEN coalesce(unconfirmed_since, claimed_at)
                                  ELSE unconfirmed_since END
       WHERE id = @id AND state IN ('pending', 'inflight')`,
    ),
    takeOver: db.prepare<[{ before: number; at: number }]>(
      `UPDATE outbox SET state = 'pending', not_before = @at, last_error = 'interrupted in flight',
         unconfirmed_since = CASE WHEN kind <> 'update' THEN coalesce(unconfirmed_since, claimed_at)
                                  ELSE unconfirmed_since END
       WHERE state = 'inflight' AND claimed_at < @before`,
    ),
    markDead: db.prepare<[string, number]>(
      "UPDATE outbox SET state = 'dead', last_error = ? WHERE id = ? AND state IN ('pending', 'inflight')",
    ),
    depth: db.prepare<[], { state: OutboxState; n: number }>(
      "SELECT state, count(*) AS n FROM outbox WHERE state IN ('pending', 'inflight', 'dead') GROUP BY state",
    ),
    incident: db.prepare<[string], IncidentRow>('SELECT * FROM incidents WHERE key = ?'),
    upsertIncident: db.prepare<[Omit<IncidentRow, 'root_ts'>]>(
      `INSERT INTO incidents (key, channel, state, notifications, last_change_at, acknowledged_by, acknowledged_at,
                              snoozed_until, resolved_by, resolved_at, reopened_at, alert)
       VALUES (@key, @channel, @state, @notifications, @last_change_at, @acknowledged_by, @acknowledged_at,
               @snoozed_until, @resolved_by, @resolved_at, @reopened_at, @alert)
       ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, state = excluded.state,
         notifications = excluded.notifications, last_change_at = excluded.last_change_at,
         acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at,
         snoozed_until = excluded.snoozed_until, resolved_by = excluded.resolved_by,
         resolved_at = excluded.resolved_at, reopened_at = excluded.reopened_at,
         alert = coalesce(excluded.alert, incidents.alert)`,
    ),
  };
}

/** SQLite stores text verbatim. */
function toSqliteWriteRow(write: OutboxWrite): WriteRow {
  return toWriteRow(write, (text) => text);
}

function fromEntryRow(row: EntryRow): OutboxEntry {
  return {
    id: row.id,
    channel: row.channel,
    kind: row.kind,
    incidentKey: row.incident_key,
    message: JSON.parse(row.payload) as OutboxMessage,
    state: row.state,
    attempts: row.attempts,
    notBefore: new Date(row.not_before),
    claimedAt: dateOrNull(row.claimed_at),
    unconfirmedSince: dateOrNull(row.unconfirmed_since),
    slackTs: row.slack_ts,
    lastError: row.last_error,
    threadTs: row.thread_ts,
    rootQueued: row.root_queued === 1,
  };
}

function toIncidentRow(i: IncidentUpdate): Omit<IncidentRow, 'root_ts'> {
  return {
    key: i.key,
    channel: i.channel,
    state: i.state,
    notifications: i.notifications,
    last_change_at: ms(i.lastChangeAt, 'incident: lastChangeAt'),
    acknowledged_by: i.acknowledgedBy,
    acknowledged_at: msOrNull(i.acknowledgedAt),
    snoozed_until: msOrNull(i.snoozedUntil),
    resolved_by: i.resolvedBy,
    resolved_at: msOrNull(i.resolvedAt),
    reopened_at: msOrNull(i.reopenedAt),
    alert: i.alert ?? null,
  };
}

function fromIncidentRow(row: IncidentRow): Incident {
  return {
    key: row.key,
    channel: row.channel,
    rootTs: row.root_ts,
    state: row.state,
    notifications: row.notifications,
    lastChangeAt: new Date(row.last_change_at),
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: dateOrNull(row.acknowledged_at),
    snoozedUntil: dateOrNull(row.snoozed_until),
    resolvedBy: row.resolved_by,
    resolvedAt: dateOrNull(row.resolved_at),
    reopenedAt: dateOrNull(row.reopened_at),
    alert: row.alert,
  };
}

function ms(date: Date, what: string): number {
  return checkedDate(date, what).getTime();
}

function msOrNull(date: Date | null): number | null {
  return date === null ? null : ms(date, 'incident date');
}

function dateOrNull(value: number | null): Date | null {
  return value === null ? null : new Date(value);
}

export function storeError(what: string, error: unknown): TrailbotError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TrailbotError('store_failed', `store: ${what}: ${reason}`, 'upstream', { cause: error });
}
