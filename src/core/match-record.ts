/**
 * The client-side half of every query: does a normalized record answer it? LookupEvents can filter on one
 * attribute only (aws-slack-facts §1.1), and trail files on none, so every other condition is checked here.
 */
import { ipMatcher } from './query/match-ip.js';
import type { TrailQuery } from './trail-query.js';
import type { TrailRecord } from './trail-record.js';

export interface MatchBounds {
  from: Date | null;
  to: Date | null;
  /** null: every region. */
  regions: readonly string[] | null;
}

/** Failed calls: an errorCode, or an error message alone (a failed ConsoleLogin carries only that). */
export function isFailure(record: TrailRecord): boolean {
  return record.errorCode !== null || record.errorMessage !== null;
}

/** A resource reference names `target` if it is the target, or an ARN or path whose last part is it. */
export function namesResource(name: string, target: string): boolean {
  if (name === target) return true;
  if (name.length <= target.length || !name.endsWith(target)) return false;
  const before = name.charCodeAt(name.length - target.length - 1);
  return before === 0x2f /* / */ || before === 0x3a /* : */;
}

/** IAM names are unique regardless of case, so `user Alice` finds `alice`; it matches the user, role or session. */
function actedAs(record: TrailRecord, user: string): boolean {
  const { actor } = record;
  if (actor.display.toLowerCase() === user || actor.session?.toLowerCase() === user) return true;
  const arn = actor.arn;
  if (arn === null) return false;
  const path = arn.slice(arn.lastIndexOf(':') + 1).toLowerCase();
  // `user/alice`, `assumed-role/Deploy/ci-42`, `federated-user/bob`: any part after the kind.
  return path.split('/').some((part, i) => i > 0 && part === user);
}

export function createRecordMatcher(query: TrailQuery, bounds: MatchBounds): (record: TrailRecord) => boolean {
  const { filters, access, account } = query;
  const user = filters.user?.toLowerCase() ?? null;
  const eventName = filters.eventName?.toLowerCase() ?? null;
  const ip = filters.ip === null ? null : ipMatcher(filters.ip);
  const fromMs = bounds.from?.getTime() ?? null;
  const toMs = bounds.to?.getTime() ?? null;
  const regions = bounds.regions === null ? null : new Set(bounds.regions);

  return (record) => {
    if (fromMs !== null || toMs !== null) {
      const ms = Date.parse(record.eventTime);
      if (Number.isNaN(ms) || (fromMs !== null && ms < fromMs) || (toMs !== null && ms > toMs)) return false;
    }
    if (regions !== null && !regions.has(record.region)) return false;
    if (account !== null && record.accountId !== account) return false;
    if (filters.eventId !== null && record.eventId !== filters.eventId) return false;
    if (eventName !== null && record.eventName.toLowerCase() !== eventName) return false;
    if (filters.accessKeyId !== null && record.accessKeyId !== filters.accessKeyId) return false;
    if (filters.errorsOnly && !isFailure(record)) return false;
    if (access === 'reads' && record.readOnly !== true) return false;
    if (access === 'writes' && record.readOnly === true) return false;
    if (user !== null && !actedAs(record, user)) return false;
    if (ip !== null && !ip(record.sourceIp)) return false;
    if (filters.resource !== null) {
      const target = filters.resource;
      if (!record.resources.some((r) => namesResource(r.name, target))) return false;
    }
    return true;
  };
}
