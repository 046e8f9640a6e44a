/**
 * Every matching event as CSV, for "All events". Cells are quoted where needed (RFC 4180), and a value that
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`, since CloudTrail
 * fields are attacker-controlled and these files are opened in spreadsheets.
 */
import type { TrailRecord } from '../trail-record.js';

export const CSV_COLUMNS = [
  'eventTime',
  'eventName',
  'eventSource',
  'region',
  'accountId',
  'actor',
  'actorType',
  'actorArn',
  'sourceIp',
  'client',
  'userAgent',
  'accessKeyId',
  'readOnly',
  'errorCode',
  'errorMessage',
  'mfa',
  'resources',
  'transitions',
  'change',
  'eventId',
] as const;

function cell(value: string | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function row(r: TrailRecord): string {
  return [
    r.eventTime,
    r.eventName,
    r.eventSource,
    r.region,
    r.accountId,
    r.actor.display,
    r.actor.type,
    r.actor.arn,
    r.sourceIp,
    r.client.display,
    r.userAgent,
    r.accessKeyId,
    r.readOnly,
    r.errorCode,
    r.errorMessage,
    r.mfa,
    r.resources.map((x) => x.name).join(' '),
    r.transitions.map((t) => `${t.resource}: ${t.from ?? ''} -> ${t.to}`).join('; '),
    r.change,
    r.eventId,
  ]
    .map(cell)
    .join(',');
}

export function eventsToCsv(records: readonly TrailRecord[]): string {
  return `${[CSV_COLUMNS.join(','), ...records.map(row)].join('\r\n')}\r\n`;
}
