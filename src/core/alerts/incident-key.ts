/**
 * Which incident (one Slack thread) an alert belongs to. Notifications with the same key share a card and a
 * thread; a null key means the alert is an incident of its own.
 * - alarm: its AlarmArn (`alarm:` + account/region/name when the ARN is missing). Every state of one alarm
 *   (ALARM, OK, INSUFFICIENT_DATA) has the same key, so the card follows the alarm.
 * - CloudTrail event: account + actor (ARN, else display name) + eventSource/eventName + first resource + the
 *   time bucket `floor(eventTime / groupingWindowMs)`. Buckets are fixed, not sliding: two calls a second apart
 *   on either side of a bucket boundary get two keys. That keeps the key a pure function of one alert; a flow
 *   that wants a sliding window can look up the previous bucket's incident itself.
 * - other EventBridge event: a GuardDuty finding by its finding id (GuardDuty re-sends a finding as it updates);
 *   otherwise source + detail-type + its resources + the time bucket; null when it names no resource.
 * - text: null.
 * Keys are at most MAX_KEY characters (a long key keeps its head and a hash of the whole), so a button value
 * can always carry one.
 */
import type { Alert } from './alert.js';

export interface IncidentKeyOptions {
  /** How long CloudTrail events (and resource events) group into one incident; > 0. */
  groupingWindowMs: number;
}

export const MAX_KEY = 512;

export function incidentKeyOf(alert: Alert, options: IncidentKeyOptions): string | null {
  switch (alert.kind) {
    case 'alarm': {
      const a = alert.alarm;
      return bounded(a.arn ?? `alarm:${a.accountId ?? '?'}:${a.region ?? '?'}:${a.name}`);
    }
    case 'cloudtrail': {
      const r = alert.record;
      const bucket = bucketOf(r.eventTime || alert.eventBridge.time, options.groupingWindowMs);
      if (bucket === null) return null;
      const account = r.accountId ?? alert.eventBridge.account ?? '?';
      const actor = r.actor.arn ?? r.actor.display;
      const resource = r.resources[0]?.name ?? '-';
      return bounded(`ct:${account}:${actor}:${r.eventSource}:${r.eventName}:${resource}:${bucket}`);
    }
    case 'event': {
      const detail = alert.detail as { id?: unknown } | null;
      if (alert.source === 'aws.guardduty' && typeof detail?.id === 'string' && detail.id.length > 0) {
        return bounded(`ev:${alert.account ?? '?'}:${alert.source}:finding:${detail.id}`);
      }
      if (alert.resources.length === 0) return null;
      const bucket = bucketOf(alert.time, options.groupingWindowMs);
      if (bucket === null) return null;
      const resources = [...alert.resources].sort().join(',');
      return bounded(`ev:${alert.account ?? '?'}:${alert.source}:${alert.detailType}:${resources}:${bucket}`);
    }
    case 'text':
      return null;
  }
}

/** The grouping window's number for a time, or null for an unreadable time or a window that is not > 0. */
function bucketOf(iso: string | null, windowMs: number): number | null {
  if (iso === null || iso === '' || !(windowMs > 0) || !Number.isFinite(windowMs)) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / windowMs);
}

function bounded(key: string): string {
  if (key.length <= MAX_KEY) return key;
  return `${key.slice(0, MAX_KEY - 18)}#${fnv1a64(key)}`;
}

/** FNV-1a, 64-bit, as 16 hex digits: a stable fingerprint (not a security hash) of a long key. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
