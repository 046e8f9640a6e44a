/**
 * What the text and Block Kit renderings of a `scan` answer share: which rules hit, each rule's newest events
 * (looked up in the answer's events by id) and the words for its counts. Pure; values stay raw (untrusted): the
 * renderer cleans and escapes them.
 */
import type { RuleHits } from '../answer.js';
import type { TrailRecord } from '../trail-record.js';
import { plural } from './describe-answer.js';

/** Actors a rule keeps (src/core/rules/rule-hits.ts): a rule listing this many may have had more. */
const RULE_ACTORS_KEPT = 10;

export const SEVERITY_LABEL: Readonly<Record<RuleHits['severity'], string>> = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
};

export function rulesWithHits(rules: readonly RuleHits[]): RuleHits[] {
  return rules.filter((r) => r.count > 0);
}

export function quietRules(rules: readonly RuleHits[]): RuleHits[] {
  return rules.filter((r) => r.count === 0);
}

/** The answer's events by id, for `ruleEvents` (the first, newest, wins where ids repeat). */
export function eventsById(events: readonly TrailRecord[]): Map<string, TrailRecord> {
  const byId = new Map<string, TrailRecord>();
  for (const r of events) if (r.eventId !== '' && !byId.has(r.eventId)) byId.set(r.eventId, r);
  return byId;
}

/**
 * A rule's newest events, newest first, at most `max`: those of its ids the answer's events hold (a `limit` may
 * have left some out).
 */
export function ruleEvents(rule: RuleHits, byId: ReadonlyMap<string, TrailRecord>, max: number): TrailRecord[] {
  const out: TrailRecord[] = [];
  for (const id of rule.eventIds) {
    if (out.length >= max) break;
    const record = byId.get(id);
    if (record !== undefined && !out.includes(record)) out.push(record);
  }
  return out;
}

/** `2 actors`, or `10+ actors` when the rule kept as many as it keeps. */
export function ruleActorCount(rule: RuleHits): string {
  const n = rule.actors.length;
  return n >= RULE_ACTORS_KEPT ? `${n}+ actors` : plural(n, 'actor');
}

/** A rule's busiest actors, at most `max`, and how to say the rest: ` +2 more`, ` +more`, or empty. */
export function ruleTopActors(rule: RuleHits, max: number): { shown: RuleHits['actors']; more: string } {
  const shown = rule.actors.slice(0, max);
  const left = rule.actors.length - shown.length;
  if (left <= 0) return { shown, more: '' };
  return { shown, more: rule.actors.length >= RULE_ACTORS_KEPT ? ' +more' : ` +${left} more` };
}
