/**
 * Folds matching records into an Answer with memory bounded by what is kept, not by what is scanned:
 * a million-event trail costs a few counters per actor plus the newest events kept.
 */
import type { AccountName, ActorSummary, Answer, ResourceHistory, TransitionStep } from './answer.js';
import { isFailure } from './match-record.js';
import type { TrailRecord } from './trail-record.js';

export interface AnswerLimits {
  /** Events listed in the answer (the newest ones); Infinity for all. */
  events: number;
  /** Timeline entries kept (the newest ones). */
  timeline: number;
  /** When true, reads are listed on the timeline too (the query asked for `reads`). */
  listReads: boolean;
  /** When true, actors are told apart by account too (the answer reads several accounts). */
  actorsByAccount?: boolean;
}

const MAX_ACTORS = 5000;
const MAX_IPS = 20;
const MAX_CLIENTS = 10;
const MAX_RESOURCES = 200;
const MAX_STEPS = 100;
const OTHER_ACTORS = '(other actors)';

/** Newer first; equal times by event id, so output is deterministic. */
function newestFirst(a: TrailRecord, b: TrailRecord): number {
  if (a.eventTime !== b.eventTime) return a.eventTime < b.eventTime ? 1 : -1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Keeps the newest `cap` items of a stream, compacting as it goes. */
class NewestKept {
  private items: TrailRecord[] = [];
  private dropped = 0;
  constructor(private readonly cap: number) {}
  push(record: TrailRecord): void {
    if (this.cap <= 0) {
      this.dropped += 1;
      return;
    }
    this.items.push(record);
    if (this.items.length >= this.cap * 2) this.compact();
  }
  private compact(): void {
    this.items.sort(newestFirst);
    if (this.items.length > this.cap) {
      this.dropped += this.items.length - this.cap;
      this.items.length = this.cap;
    }
  }
  /** Newest first. */
  take(): { items: TrailRecord[]; dropped: number } {
    this.compact();
    return { items: this.items, dropped: this.dropped };
  }
}

interface ActorTally {
  display: string;
  type: ActorSummary['type'];
  arn: string | null;
  accountId: string | null;
  count: number;
  failures: number;
  firstSeen: string;
  lastSeen: string;
  ips: Map<string, number>;
  clients: Map<string, number>;
  eventNames: Map<string, number>;
}

function bump(map: Map<string, number>, key: string, cap: number): void {
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + 1);
  else if (map.size < cap) map.set(key, 1);
}

function byCount(map: Map<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

export class AnswerBuilder {
  private scannedCount = 0;
  private readonly regionsSeen = new Set<string>();
  private readonly seenIds = new Set<string>();
  private matchedCount = 0;
  private readsCount = 0;
  private writesCount = 0;
  private failuresCount = 0;
  private first = '';
  private last = '';
  private readonly events: NewestKept;
  private readonly timeline: NewestKept;
  private readonly actors = new Map<string, ActorTally>();
  private readonly histories = new Map<string, TransitionStep[]>();

  constructor(private readonly limits: AnswerLimits) {
    this.events = new NewestKept(limits.events);
    this.timeline = new NewestKept(limits.timeline);
  }

  /** Every record read from the source, matching or not. */
  scanned(record: TrailRecord): void {
    this.scannedCount += 1;
    if (record.region !== '') this.regionsSeen.add(record.region);
  }

  /** A record that answers the query. Duplicates (same event id, as trail files can hold) count once. */
  add(record: TrailRecord): void {
    if (record.eventId !== '') {
      if (this.seenIds.has(record.eventId)) return;
      this.seenIds.add(record.eventId);
    }
    this.matchedCount += 1;
    const failed = isFailure(record);
    if (record.readOnly === true) this.readsCount += 1;
    else this.writesCount += 1;
    if (failed) this.failuresCount += 1;
    if (record.eventTime !== '') {
      if (this.first === '' || record.eventTime < this.first) this.first = record.eventTime;
      if (record.eventTime > this.last) this.last = record.eventTime;
    }
    this.events.push(record);
    if (record.readOnly !== true || failed || this.limits.listReads) this.timeline.push(record);
    this.tallyActor(record, failed);
    for (const t of record.transitions) this.addStep(t.resource, record, t.from, t.to);
  }

  private tallyActor(record: TrailRecord, failed: boolean): void {
    const { actor } = record;
    const byAccount = this.limits.actorsByAccount === true;
    let key = `${actor.type}\u0000${actor.display}${byAccount ? `\u0000${record.accountId ?? ''}` : ''}`;
    let tally = this.actors.get(key);
    if (tally === undefined) {
      const folded = this.actors.size >= MAX_ACTORS;
      if (folded) key = `Unknown\u0000${OTHER_ACTORS}`;
      tally = this.actors.get(key);
      if (tally === undefined) {
        tally = {
          display: folded ? OTHER_ACTORS : actor.display,
          type: folded ? 'Unknown' : actor.type,
          arn: folded ? null : actor.arn,
          accountId: folded ? null : record.accountId,
          count: 0,
          failures: 0,
          firstSeen: record.eventTime,
          lastSeen: record.eventTime,
          ips: new Map(),
          clients: new Map(),
          eventNames: new Map(),
        };
        this.actors.set(key, tally);
      }
    }
    tally.count += 1;
    if (failed) tally.failures += 1;
    if (record.eventTime !== '') {
      if (tally.firstSeen === '' || record.eventTime < tally.firstSeen) tally.firstSeen = record.eventTime;
      if (record.eventTime > tally.lastSeen) tally.lastSeen = record.eventTime;
    }
    bump(tally.ips, record.sourceIp, MAX_IPS * 5);
    bump(tally.clients, record.client.display, MAX_CLIENTS * 5);
    bump(tally.eventNames, record.eventName, 1000);
  }

  private addStep(resource: string, record: TrailRecord, from: string | null, to: string): void {
    let steps = this.histories.get(resource);
    if (steps === undefined) {
      if (this.histories.size >= MAX_RESOURCES) return;
      steps = [];
      this.histories.set(resource, steps);
    }
    steps.push({
      time: record.eventTime,
      eventName: record.eventName,
      actor: record.actor.display,
      sourceIp: record.sourceIp,
      from,
      to,
    });
    if (steps.length >= MAX_STEPS * 2) {
      steps.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      steps.splice(0, steps.length - MAX_STEPS);
    }
  }

  finish(head: {
    query: string;
    source: string;
    window: { from: Date | null; to: Date | null };
    regions: readonly string[] | null;
    notes: readonly string[];
    /** The accounts read through an accounts map; null or absent without one. */
    accounts?: readonly AccountName[] | null;
  }): Answer {
    const events = this.events.take().items;
    const timeline = this.timeline.take();
    const actors: ActorSummary[] = [...this.actors.values()]
      .sort((a, b) => b.count - a.count || (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
      .map((t) => ({
        display: t.display,
        type: t.type,
        arn: t.arn,
        count: t.count,
        failures: t.failures,
        firstSeen: t.firstSeen,
        lastSeen: t.lastSeen,
        sourceIps: byCount(t.ips)
          .slice(0, MAX_IPS)
          .map(([ip]) => ip),
        clients: byCount(t.clients)
          .slice(0, MAX_CLIENTS)
          .map(([c]) => c),
        eventNames: Object.fromEntries(byCount(t.eventNames)),
        ...(this.limits.actorsByAccount === true ? { accountId: t.accountId } : {}),
      }));
    const transitions: ResourceHistory[] = [...this.histories].map(([resource, steps]) => ({
      resource,
      steps: steps.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)).slice(-MAX_STEPS),
    }));
    transitions.sort((a, b) => ((a.steps.at(-1)?.time ?? '') < (b.steps.at(-1)?.time ?? '') ? 1 : -1));
    return {
      query: head.query,
      source: head.source,
      window: { from: head.window.from?.toISOString() ?? null, to: head.window.to?.toISOString() ?? null },
      regions: head.regions === null ? [...this.regionsSeen].sort() : [...head.regions],
      complete: head.notes.length === 0,
      notes: [...head.notes],
      scanned: this.scannedCount,
      matched: this.matchedCount,
      span: this.first === '' ? null : { first: this.first, last: this.last },
      events,
      actors,
      timeline: timeline.items.slice().reverse(),
      timelineOmitted: timeline.dropped,
      reads: this.readsCount,
      writes: this.writesCount,
      failures: this.failuresCount,
      transitions,
      ...(head.accounts === undefined || head.accounts === null
        ? {}
        : { accounts: head.accounts.map((a) => ({ id: a.id, alias: a.alias })) }),
    };
  }
}
