/**
 * What the SQLite and PostgreSQL stores share, independent of the database: the migration list's shape and check,
 * and the validation of what is written (audit entries, outbox writes, incidents, dates, limits) before any SQL runs.
 * Each store keeps its own SQL and its own conversion of rows to and from its column types.
 */
import { TrailbotError } from '../../core/errors.js';
import type { AuditEntry, IncidentUpdate, OutboxKind, OutboxWrite } from '../../ports.js';

/** One step of the schema. Versions start at 1 and increase by 1; a released migration never changes. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  /** ISO 8601, UTC, milliseconds. */
  appliedAt: string;
}

export function checkMigrationList(schema: readonly Migration[]): void {
  schema.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new TrailbotError(
        'internal',
        `migration "${migration.name}" has version ${migration.version}; expected ${index + 1}`,
        'bug',
      );
    }
  });
}

export function bug(message: string): TrailbotError {
  return new TrailbotError('internal', message, 'bug');
}

/** `limit` must be a whole number ≥ 0 (`what`: the method, for the message). */
export function checkLimit(what: string, limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) throw bug(`${what}: limit must be a whole number ≥ 0, not ${limit}`);
}

/** Refuses an audit entry no store can record (an invalid Date, a bad count or duration). */
export function checkAuditEntry(entry: AuditEntry): void {
  const problems: string[] = [];
  if (Number.isNaN(entry.at.getTime())) problems.push('at is an invalid Date');
  if (!Number.isSafeInteger(entry.events) || entry.events < 0) problems.push('events must be a whole number ≥ 0');
  if (!Number.isFinite(entry.durationMs)) problems.push('durationMs must be a finite number');
  if (problems.length > 0) {
    throw new TrailbotError('internal', `audit entry not recorded: ${problems.join('; ')}`, 'bug');
  }
}

/** A write as stored: text already through the store's `text` conversion, the payload as JSON text. */
export interface WriteRow {
  channel: string;
  incident_key: string | null;
  kind: OutboxKind;
  payload: string;
}

/**
 * Checks a write and turns it into its row. `text` converts the channel and incident key for the database (the
 * identity for SQLite). JSON.stringify escapes NUL and lone surrogates, so the payload needs no conversion.
 */
export function toWriteRow(write: OutboxWrite, text: (value: string) => string): WriteRow {
  if (typeof write.channel !== 'string' || write.channel === '') throw bug(`outbox: a ${write.kind} without a channel`);
  if (typeof write.message?.text !== 'string') throw bug(`outbox: a ${write.kind} without message text`);
  const payload = JSON.stringify(
    write.message.blocks === undefined
      ? { text: write.message.text }
      : { text: write.message.text, blocks: write.message.blocks },
  );
  const channel = text(write.channel);
  switch (write.kind) {
    case 'post': {
      const key = write.incidentKey ?? null;
      return { channel, incident_key: key === null ? null : text(key), kind: 'post', payload };
    }
    case 'reply':
    case 'update': {
      if (typeof write.incidentKey !== 'string' || write.incidentKey === '') {
        throw bug(`outbox: a ${write.kind} must name its incident`);
      }
      const kind = write.kind === 'reply' && write.broadcast === true ? 'broadcast' : write.kind;
      return { channel, incident_key: text(write.incidentKey), kind, payload };
    }
    default:
      throw bug(`outbox: unknown write kind ${JSON.stringify((write as { kind: unknown }).kind)}`);
  }
}

export function checkIncident(incident: IncidentUpdate): void {
  if (incident.key === '' || incident.channel === '') throw bug('incident: key and channel must not be empty');
  if (!Number.isSafeInteger(incident.notifications) || incident.notifications < 0) {
    throw bug('incident: notifications must be a whole number ≥ 0');
  }
}

/** `date`, refused when invalid (`what` names it in the message). */
export function checkedDate(date: Date, what: string): Date {
  if (Number.isNaN(date.getTime())) throw bug(`${what} is an invalid Date`);
  return date;
}

/**
 * An outbox row as the worker needs it (both databases' SQL): the incident's root ts as the thread to reply in,
 * and whether a root post of the incident is still queued ahead of it. Callers add WHERE and ORDER BY.
 */
export const ENTRY_SELECT = `
  SELECT o.id, o.channel, o.kind, o.incident_key, o.payload, o.state, o.attempts, o.not_before, o.claimed_at,
         o.unconfirmed_since, o.slack_ts, o.last_error, inc.root_ts AS thread_ts,
         EXISTS (SELECT 1 FROM outbox r
                 WHERE r.incident_key = o.incident_key AND r.kind = 'post' AND r.id < o.id
                   AND r.state IN ('pending', 'inflight')) AS root_queued
  FROM outbox o LEFT JOIN incidents inc ON inc.key = o.incident_key`;
