/** One event in full, as label/value rows: what `id <EventId>` and `limit N` show for each listed event. */
import type { TrailRecord } from '../trail-record.js';
import { failureText } from './describe-answer.js';

export interface DetailRow {
  label: string;
  /** Untrusted: the renderer cleans and escapes it. */
  value: string;
  /** True when the value is a time (ISO) that the renderer formats. */
  time?: boolean;
}

function yesNo(value: boolean | null): string {
  return value === null ? 'not recorded' : value ? 'yes' : 'no';
}

export function eventDetails(r: TrailRecord): DetailRow[] {
  const rows: DetailRow[] = [
    { label: 'event', value: `${r.eventName} (${r.eventSource || 'unknown source'})` },
    { label: 'time', value: r.eventTime, time: true },
    { label: 'actor', value: `${r.actor.display} (${r.actor.type})` },
  ];
  if (r.actor.arn !== null) rows.push({ label: 'arn', value: r.actor.arn });
  if (r.actor.via !== null) rows.push({ label: 'via', value: r.actor.via });
  rows.push({ label: 'from', value: `${r.sourceIp} · ${r.client.display}` });
  if (r.userAgent !== null && r.userAgent !== r.client.display) rows.push({ label: 'user agent', value: r.userAgent });
  rows.push({ label: 'account', value: `${r.accountId ?? 'unknown'} · ${r.region || 'unknown region'}` });
  if (r.accessKeyId !== null) rows.push({ label: 'access key', value: r.accessKeyId });
  rows.push({ label: 'MFA', value: yesNo(r.mfa) });
  const failure = failureText(r);
  const kind = r.readOnly === null ? '' : r.readOnly ? ' (read)' : ' (write)';
  rows.push({ label: 'result', value: failure === null ? `succeeded${kind}` : `failed${kind}: ${failure}` });
  if (r.change !== null) rows.push({ label: 'change', value: r.change });
  if (r.resources.length > 0) rows.push({ label: 'resources', value: r.resources.map((x) => x.name).join(', ') });
  if (r.transitions.length > 0) {
    rows.push({
      label: 'changes',
      value: r.transitions.map((t) => `${t.resource} ${t.from ?? '∅'} → ${t.to}`).join(', '),
    });
  }
  rows.push({ label: 'event id', value: r.eventId });
  return rows;
}
