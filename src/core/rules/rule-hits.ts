/**
 * What `scan` found for each rule: how many events, who, when, and the newest few, with memory bounded by what is
 * kept. Pure. The newest few of every rule become the scan answer's events; a rule lists their ids.
 */
import type { RuleHits } from '../answer.js';
import type { TrailRecord } from '../trail-record.js';
import type { PackRule, RuleSeverity } from './cis-pack.js';

/** Event ids kept per rule (the newest). */
export const EVENTS_PER_RULE = 10;
const MAX_ACTORS = 1000;

const SEVERITY_RANK: Readonly<Record<RuleSeverity, number>> = { high: 0, medium: 1, low: 2 };

interface Tally {
  rule: PackRule;
  ids: Set<string>;
  count: number;
  first: string;
  last: string;
  actors: Map<string, number>;
  newest: TrailRecord[];
}

export class RuleHitsBuilder {
  private readonly tallies: Tally[];

  constructor(rules: readonly PackRule[]) {
    this.tallies = rules.map((rule) => ({
      rule,
      ids: new Set(),
      count: 0,
      first: '',
      last: '',
      actors: new Map(),
      newest: [],
    }));
  }

  /** A record rule number `index` matched (duplicates by event id count once). */
  add(index: number, record: TrailRecord): void {
    const tally = this.tallies[index];
    if (tally === undefined) return;
    if (record.eventId !== '') {
      if (tally.ids.has(record.eventId)) return;
      tally.ids.add(record.eventId);
    }
    tally.count += 1;
    if (record.eventTime !== '') {
      if (tally.first === '' || record.eventTime < tally.first) tally.first = record.eventTime;
      if (record.eventTime > tally.last) tally.last = record.eventTime;
    }
    const actor = record.actor.display;
    if (tally.actors.has(actor) || tally.actors.size < MAX_ACTORS) {
      tally.actors.set(actor, (tally.actors.get(actor) ?? 0) + 1);
    }
    tally.newest.push(record);
    if (tally.newest.length >= EVENTS_PER_RULE * 4) keepNewest(tally.newest);
  }

  /** The newest few events of every rule, each once, newest first. */
  kept(): TrailRecord[] {
    const byId = new Map<string, TrailRecord>();
    for (const tally of this.tallies) {
      keepNewest(tally.newest);
      for (const record of tally.newest) byId.set(`${record.eventId}\u0000${record.eventTime}`, record);
    }
    return [...byId.values()].sort(newestFirst);
  }

  /** Rules with hits first, most severe first, then the busiest; then the quiet ones in pack order. */
  finish(): RuleHits[] {
    const hits = this.tallies.map((tally, order) => ({ tally, order }));
    hits.sort((a, b) => {
      const quiet = Number(a.tally.count === 0) - Number(b.tally.count === 0);
      if (quiet !== 0 || a.tally.count === 0) return quiet || a.order - b.order;
      const severity = SEVERITY_RANK[a.tally.rule.severity] - SEVERITY_RANK[b.tally.rule.severity];
      return severity || b.tally.count - a.tally.count || a.order - b.order;
    });
    return hits.map(({ tally }) => {
      keepNewest(tally.newest);
      return {
        id: tally.rule.id,
        cis: tally.rule.cis,
        title: tally.rule.title,
        severity: tally.rule.severity,
        description: tally.rule.description,
        count: tally.count,
        span: tally.first === '' ? null : { first: tally.first, last: tally.last },
        actors: [...tally.actors]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, 10)
          .map(([display, count]) => ({ display, count })),
        eventIds: tally.newest.map((r) => r.eventId),
      };
    });
  }
}

function keepNewest(list: TrailRecord[]): void {
  list.sort(newestFirst);
  if (list.length > EVENTS_PER_RULE) list.length = EVENTS_PER_RULE;
}

function newestFirst(a: TrailRecord, b: TrailRecord): number {
  if (a.eventTime !== b.eventTime) return a.eventTime < b.eventTime ? 1 : -1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}
