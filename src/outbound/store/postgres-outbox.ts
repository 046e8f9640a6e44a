/**
 * The Outbox port on the PostgreSQL store's pool (docs/outbox.md), for several replicas sharing one database.
 * Every method that writes more than one row is one transaction (READ COMMITTED).
 *
 * Lanes, and why claim locks lanes rather than rows. A channel has two lanes, each delivered in id order with at
 * most one row in flight: its posts and replies (lane key: the channel) and its card updates (`<channel>#update`).
 * `FOR UPDATE SKIP LOCKED` on the outbox rows cannot keep that rule: a claimer that skips the head another claimer
 * has just locked takes the row behind it, and the lane then has two rows in flight, out of order. So the unit that
 * is locked and skipped is the lane: `outbox_lanes` holds one row per lane key (added by the first enqueue to it).
 * - claim, in one transaction: (1) picks the lanes whose head (lowest pending id) is due and which have nothing in
 *   flight and are not excluded, in head-id order, and locks up to `limit` of their `outbox_lanes` rows with
 *   `FOR UPDATE SKIP LOCKED`: a lane another replica is claiming from (or enqueueing to) is skipped, never waited
 *   for; (2) a new statement, so a new snapshot that sees every claim committed meanwhile, marks the head of each
 *   locked lane in flight if it is still pending and due and nothing in the lane is in flight, the UPDATE checking
 *   again on the newest version of the row. A stale step 1 can make a claim come back short, never wrong: no lane
 *   ever has two rows in flight, and no row is claimed twice. (3) With `laneSpacingMs`, the posts-and-replies lanes
 *   claimed from get `outbox_lanes.paced_until = now + spacing`, and step 1 skips a lane until then: the per-channel
 *   pace, shared by the replicas (each worker's token buckets only count its own posts).
 * - enqueue and acceptSnsMessage lock their lanes' rows (`FOR UPDATE`, in lane order, so two never deadlock)
 *   before taking ids. BIGSERIAL hands ids out in call order, not commit order: without the lock, a row with a
 *   lower id could commit after a claimer had taken a higher one of its lane. The lock also keeps claimers off a
 *   queued update while it collapses.
 * - markDelivered, retryAt, markDead and takeOverInflight take no lane lock: they only move rows out of flight, so
 *   a claimer that reads them late merely finds the lane busy until its next round.
 * Incidents are saved in key order, the same in every transaction; a deadlock PostgreSQL detects anyway is retried.
 *
 * Times are TIMESTAMPTZ (millisecond Dates round-trip). Ids come from BIGSERIAL: never reused, because a post's
 * message metadata carries its id and reconciliation looks for it in Slack. Text crosses the wire through
 * toDbText/fromDbText (postgres-connection.ts); the payload is `json`, as JSON.stringify wrote it.
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
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
import {
  fromDbText,
  fromDbTextOrNull,
  inTransaction,
  type PostgresTarget,
  storeError,
  toDbText,
  toDbTextOrNull,
} from './postgres-connection.js';

type EntryRow = {
  id: number;
  channel: string;
  kind: OutboxKind;
  incident_key: string | null;
  payload: OutboxMessage;
  state: OutboxState;
  attempts: number;
  not_before: Date;
  claimed_at: Date | null;
  unconfirmed_since: Date | null;
  slack_ts: string | null;
  last_error: string | null;
  thread_ts: string | null;
  root_queued: boolean;
};

type IncidentRow = {
  key: string;
  channel: string;
  root_ts: string | null;
  state: string;
  notifications: number;
  last_change_at: Date;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  snoozed_until: Date | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  reopened_at: Date | null;
  alert: string | null;
};

/**
 * Claim, step 1: lock up to $3 lanes whose head is due ($1), whose pace allows a claim ($1), and which have nothing
 * in flight, except $2.
 */
const LOCK_READY_LANES = `
  SELECT l.lane
  FROM outbox_lanes l
  CROSS JOIN LATERAL (SELECT o.id, o.not_before FROM outbox o
                      WHERE o.lane = l.lane AND o.state = 'pending' ORDER BY o.id LIMIT 1) head
  WHERE head.not_before <= $1
    AND l.paced_until <= $1
    AND NOT EXISTS (SELECT 1 FROM outbox i WHERE i.lane = l.lane AND i.state = 'inflight')
    AND l.lane <> ALL ($2::text[])
  ORDER BY head.id
  LIMIT $3
  FOR UPDATE OF l SKIP LOCKED`;

/**
 * Claim, step 2 (a new statement, so a new snapshot): the heads of the locked lanes $2, checked again, in flight.
 * The outer conditions are checked again on the newest version of the row should another transaction change it
 * meanwhile (a retryAt or markDead of a pending row).
 */
const CLAIM_HEADS = `
  UPDATE outbox o SET state = 'inflight', claimed_at = $1, attempts = o.attempts + 1
  FROM (SELECT head.id
        FROM unnest($2::text[]) AS l (lane)
        CROSS JOIN LATERAL (SELECT p.id FROM outbox p
                            WHERE p.lane = l.lane AND p.state = 'pending' ORDER BY p.id LIMIT 1) head
        WHERE NOT EXISTS (SELECT 1 FROM outbox i WHERE i.lane = l.lane AND i.state = 'inflight')) c
  WHERE o.id = c.id AND o.state = 'pending' AND o.not_before <= $1
  RETURNING o.id, o.lane`;

/** Claim, step 3: the posts-and-replies lanes $2 that were claimed from wait until $1 (their shared pace). */
const PACE_LANES = `UPDATE outbox_lanes SET paced_until = $1 WHERE lane = ANY ($2::text[])`;

const UPSERT_INCIDENT = `
  INSERT INTO incidents (key, channel, state, notifications, last_change_at, acknowledged_by, acknowledged_at,
                         snoozed_until, resolved_by, resolved_at, reopened_at, alert)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (key) DO UPDATE SET channel = excluded.channel, state = excluded.state,
    notifications = excluded.notifications, last_change_at = excluded.last_change_at,
    acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at,
    snoozed_until = excluded.snoozed_until, resolved_by = excluded.resolved_by,
    resolved_at = excluded.resolved_at, reopened_at = excluded.reopened_at,
    alert = coalesce(excluded.alert, incidents.alert)`;

export class PostgresOutbox implements Outbox {
  readonly #pool: Pool;
  readonly #target: PostgresTarget;
  readonly #assertOpen: () => void;

  constructor(pool: Pool, target: PostgresTarget, assertOpen: () => void) {
    this.#pool = pool;
    this.#target = target;
    this.#assertOpen = assertOpen;
  }

  async enqueue(writes: readonly OutboxWrite[], incidents: readonly IncidentUpdate[] = []): Promise<number[]> {
    const rows = writes.map(toPostgresWriteRow);
    const saves = incidents.map(toIncidentSave);
    return this.#write('cannot queue Slack writes', (client) => this.#insert(client, rows, saves));
  }

  async acceptSnsMessage(
    messageId: string,
    topicArn: string,
    body: string,
    writes: readonly OutboxWrite[],
    incidents: readonly IncidentUpdate[] = [],
  ): Promise<'accepted' | 'duplicate'> {
    if (messageId === '') throw bug('acceptSnsMessage: the MessageId is empty');
    const rows = writes.map(toPostgresWriteRow);
    const saves = incidents.map(toIncidentSave);
    return this.#write('cannot store the SNS message', async (client) => {
      // A concurrent insert of the same MessageId waits here for the other transaction, then sees its row.
      const inserted = await client.query(
        `INSERT INTO sns_messages (message_id, topic_arn, body) VALUES ($1, $2, $3)
         ON CONFLICT (message_id) DO NOTHING`,
        [toDbText(messageId), toDbText(topicArn), toDbText(body)],
      );
      if (inserted.rowCount !== 1) return 'duplicate';
      await this.#insert(client, rows, saves);
      return 'accepted';
    });
  }

  async claim(
    now: Date,
    limit: number,
    exclude: readonly string[] = [],
    options: ClaimOptions = {},
  ): Promise<OutboxEntry[]> {
    const at = checkedDate(now, 'claim: now');
    checkLimit('claim', limit);
    const spacingMs = options.laneSpacingMs ?? 0;
    if (!Number.isFinite(spacingMs) || spacingMs < 0) throw bug(`claim: laneSpacingMs must be ≥ 0, not ${spacingMs}`);
    if (limit === 0) return [];
    return this.#write('cannot claim Slack writes', async (client) => {
      const locked = await client.query<{ lane: string }>(LOCK_READY_LANES, [at, exclude.map(toDbText), limit]);
      if (locked.rows.length === 0) return [];
      const claimed = await client.query<{ id: number; lane: string }>(CLAIM_HEADS, [
        at,
        locked.rows.map((r) => r.lane),
      ]);
      if (claimed.rows.length === 0) return [];
      // Still under step 1's lane locks: no other claimer reads the pace until this commits.
      const paced = claimed.rows.filter((r) => !r.lane.endsWith('#update')).map((r) => r.lane);
      if (spacingMs > 0 && paced.length > 0) {
        await client.query(PACE_LANES, [new Date(at.getTime() + spacingMs), paced]);
      }
      const entries = await client.query<EntryRow>(`${ENTRY_SELECT} WHERE o.id = ANY ($1::bigint[]) ORDER BY o.id`, [
        claimed.rows.map((r) => r.id),
      ]);
      return entries.rows.map(fromEntryRow);
    });
  }

  async markDelivered(id: number, ts: string, at: Date = new Date()): Promise<void> {
    const when = checkedDate(at, 'markDelivered: at');
    if (ts === '') throw bug('markDelivered: the ts is empty');
    await this.#write('cannot record a delivery', async (client) => {
      const { rows } = await client.query<{
        kind: OutboxKind;
        incident_key: string | null;
        channel: string;
        state: OutboxState;
      }>('SELECT kind, incident_key, channel, state FROM outbox WHERE id = $1 FOR UPDATE', [id]);
      const row = rows[0];
      if (row === undefined) throw bug(`markDelivered: no outbox row ${id}`);
      if (row.state === 'done') return;
      const slackTs = toDbText(ts);
      await client.query(
        "UPDATE outbox SET state = 'done', slack_ts = $1, delivered_at = $2, last_error = NULL WHERE id = $3",
        [slackTs, when, id],
      );
      if (row.kind === 'post' && row.incident_key !== null) {
        await client.query(
          `INSERT INTO incidents (key, channel, root_ts, state, last_change_at) VALUES ($1, $2, $3, 'open', $4)
           ON CONFLICT (key) DO UPDATE SET root_ts = excluded.root_ts`,
          [row.incident_key, row.channel, slackTs, when],
        );
      }
    });
  }

  async retryAt(id: number, when: Date, error: string, options: { unconfirmed?: boolean } = {}): Promise<void> {
    const at = checkedDate(when, 'retryAt: when');
    await this.#query(
      'cannot reschedule a Slack write',
      `UPDATE outbox SET state = 'pending', not_before = $2, last_error = $3,
         unconfirmed_since = CASE WHEN $4 THEN coalesce(unconfirmed_since, claimed_at) ELSE unconfirmed_since END
       WHERE id = $1 AND state IN ('pending', 'inflight')`,
      [id, at, toDbText(error), options.unconfirmed === true],
    );
  }

  async markDead(id: number, error: string): Promise<void> {
    await this.#query(
      'cannot record a failed Slack write',
      "UPDATE outbox SET state = 'dead', last_error = $2 WHERE id = $1 AND state IN ('pending', 'inflight')",
      [id, toDbText(error)],
    );
  }

  async inflightOlderThan(t: Date): Promise<OutboxEntry[]> {
    const at = checkedDate(t, 'inflightOlderThan: t');
    const rows = await this.#query<EntryRow>(
      'cannot read the outbox',
      `${ENTRY_SELECT} WHERE o.state = 'inflight' AND o.claimed_at < $1 ORDER BY o.id`,
      [at],
    );
    return rows.map(fromEntryRow);
  }

  async takeOverInflight(claimedBefore: Date, at: Date): Promise<number> {
    const before = checkedDate(claimedBefore, 'takeOverInflight: claimedBefore');
    const when = checkedDate(at, 'takeOverInflight: at');
    this.#assertOpen();
    try {
      // One statement: a row claimed again since (a newer claimed_at) is not touched.
      const result = await this.#pool.query(
        `UPDATE outbox SET state = 'pending', not_before = $2, last_error = 'interrupted in flight',
           unconfirmed_since = CASE WHEN kind <> 'update' THEN coalesce(unconfirmed_since, claimed_at)
                                    ELSE unconfirmed_since END
         WHERE state = 'inflight' AND claimed_at < $1`,
        [before, when],
      );
      return result.rowCount ?? 0;
    } catch (error) {
      throw storeError(this.#target, 'cannot take over Slack writes left in flight', error);
    }
  }

  async depth(): Promise<OutboxDepth> {
    const rows = await this.#query<{ state: OutboxState; n: number }>(
      'cannot read the outbox',
      "SELECT state, count(*) AS n FROM outbox WHERE state IN ('pending', 'inflight', 'dead') GROUP BY state",
      [],
    );
    const depth: OutboxDepth = { pending: 0, inflight: 0, dead: 0 };
    for (const { state, n } of rows) {
      if (state === 'pending' || state === 'inflight' || state === 'dead') depth[state] = n;
    }
    return depth;
  }

  async entry(id: number): Promise<OutboxEntry | undefined> {
    const [row] = await this.#query<EntryRow>('cannot read the outbox', `${ENTRY_SELECT} WHERE o.id = $1`, [id]);
    return row === undefined ? undefined : fromEntryRow(row);
  }

  async incident(key: string): Promise<Incident | undefined> {
    const [row] = await this.#query<IncidentRow>('cannot read incidents', 'SELECT * FROM incidents WHERE key = $1', [
      toDbText(key),
    ]);
    return row === undefined ? undefined : fromIncidentRow(row);
  }

  async #insert(client: PoolClient, rows: readonly WriteRow[], incidents: readonly IncidentSave[]): Promise<number[]> {
    // The lanes first, in one order for every transaction (see the header); a lane seen for the first time is added.
    const lanes = [...new Set(rows.map(laneOf))];
    if (lanes.length > 0) {
      await client.query(
        'INSERT INTO outbox_lanes (lane) SELECT lane FROM unnest($1::text[]) AS l (lane) ORDER BY lane ON CONFLICT DO NOTHING',
        [lanes],
      );
      await client.query('SELECT lane FROM outbox_lanes WHERE lane = ANY ($1::text[]) ORDER BY lane FOR UPDATE', [
        lanes,
      ]);
    }
    // Incidents in key order, the same in every transaction, so two saving the same incidents never deadlock.
    const byKey = [...incidents].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const save of byKey) await client.query(UPSERT_INCIDENT, save.params);
    const ids: number[] = [];
    for (const row of rows) {
      if (row.kind === 'update') {
        // Collapse: a queued (not yet sent) update of the same card takes the newest content, keeping its place.
        const collapsed = await client.query<{ id: number }>(
          `UPDATE outbox SET payload = $1
           WHERE id = (SELECT id FROM outbox
                       WHERE incident_key = $2 AND kind = 'update' AND channel = $3 AND state = 'pending'
                       ORDER BY id LIMIT 1)
             AND state = 'pending'
           RETURNING id`,
          [row.payload, row.incident_key, row.channel],
        );
        const queued = collapsed.rows[0];
        if (queued !== undefined) {
          ids.push(queued.id);
          continue;
        }
      }
      const inserted = await client.query<{ id: number }>(
        'INSERT INTO outbox (channel, incident_key, kind, payload) VALUES ($1, $2, $3, $4) RETURNING id',
        [row.channel, row.incident_key, row.kind, row.payload],
      );
      const id = inserted.rows[0]?.id;
      if (id === undefined) throw bug('outbox: INSERT … RETURNING id returned no row');
      ids.push(id);
    }
    return ids;
  }

  async #write<T>(what: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await inTransaction(this.#pool, work);
    } catch (error) {
      if (error instanceof TrailbotError) throw error;
      throw storeError(this.#target, what, error);
    }
  }

  async #query<R extends QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<R[]> {
    this.#assertOpen();
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw storeError(this.#target, what, error);
    }
  }
}

function toPostgresWriteRow(write: OutboxWrite): WriteRow {
  return toWriteRow(write, toDbText);
}

/** The lane key, as the generated column `outbox.lane` computes it. */
function laneOf(row: WriteRow): string {
  return row.kind === 'update' ? `${row.channel}#update` : row.channel;
}

function fromEntryRow(row: EntryRow): OutboxEntry {
  return {
    id: row.id,
    channel: fromDbText(row.channel),
    kind: row.kind,
    incidentKey: fromDbTextOrNull(row.incident_key),
    message: row.payload,
    state: row.state,
    attempts: row.attempts,
    notBefore: row.not_before,
    claimedAt: row.claimed_at,
    unconfirmedSince: row.unconfirmed_since,
    slackTs: fromDbTextOrNull(row.slack_ts),
    lastError: fromDbTextOrNull(row.last_error),
    threadTs: fromDbTextOrNull(row.thread_ts),
    rootQueued: row.root_queued,
  };
}

/** An incident to save: its stored key and UPSERT_INCIDENT's parameters. */
interface IncidentSave {
  key: string;
  params: unknown[];
}

function toIncidentSave(i: IncidentUpdate): IncidentSave {
  checkIncident(i);
  const key = toDbText(i.key);
  const params = [
    key,
    toDbText(i.channel),
    toDbText(i.state),
    i.notifications,
    checkedDate(i.lastChangeAt, 'incident: lastChangeAt'),
    toDbTextOrNull(i.acknowledgedBy),
    checkedDateOrNull(i.acknowledgedAt),
    checkedDateOrNull(i.snoozedUntil),
    toDbTextOrNull(i.resolvedBy),
    checkedDateOrNull(i.resolvedAt),
    checkedDateOrNull(i.reopenedAt),
    toDbTextOrNull(i.alert),
  ];
  return { key, params };
}

function fromIncidentRow(row: IncidentRow): Incident {
  return {
    key: fromDbText(row.key),
    channel: fromDbText(row.channel),
    rootTs: fromDbTextOrNull(row.root_ts),
    state: fromDbText(row.state),
    notifications: row.notifications,
    lastChangeAt: row.last_change_at,
    acknowledgedBy: fromDbTextOrNull(row.acknowledged_by),
    acknowledgedAt: row.acknowledged_at,
    snoozedUntil: row.snoozed_until,
    resolvedBy: fromDbTextOrNull(row.resolved_by),
    resolvedAt: row.resolved_at,
    reopenedAt: row.reopened_at,
    alert: fromDbTextOrNull(row.alert),
  };
}

function checkedDateOrNull(date: Date | null): Date | null {
  return date === null ? null : checkedDate(date, 'incident date');
}
