/**
 * Which engine answers a question when both LookupEvents and Athena (the organization trail's table) are
 * configured. Pure: `now` is an argument.
 *
 * LookupEvents is free, quick and fresh (events show within minutes), but reaches back 90 days and reads one lookup
 * attribute a call, 50 events a page, 2 calls a second. Athena reads any window of the whole organization in one
 * query, costs by the data it scans and sees events only once CloudTrail has delivered them to S3 (about 5 to 15
 * minutes later). So Athena takes the questions LookupEvents answers badly:
 * - a window that starts before LookupEvents' reach (or has no start);
 * - a question with no lookup attribute to narrow by (`ip`, bare `errors`, `scan`, a `match` pattern that pins no
 *   event name or source): over LookupEvents that is every event of the window, page by page.
 * Everything else stays on LookupEvents.
 */
import { chooseAttributes, LOOKUP_RETENTION_MS } from './lookup-plan.js';
import type { TrailQuery } from './trail-query.js';

export type Tier = 'lookup' | 'athena';

export function chooseTier(query: TrailQuery, from: Date | null, now: Date): Tier {
  if (from === null || from.getTime() < now.getTime() - LOOKUP_RETENTION_MS) return 'athena';
  if (query.verb === 'scan') return 'athena';
  return chooseAttributes(query).length === 0 ? 'athena' : 'lookup';
}
