/** The answer to a query (DESIGN.md, "The summary"): what every rendering (text, JSON, Block Kit) is made from. */
import type { IdentityType, TrailRecord } from './trail-record.js';

export interface ActorSummary {
  display: string;
  type: IdentityType;
  arn: string | null;
  count: number;
  failures: number;
  firstSeen: string;
  lastSeen: string;
  /** Distinct source IPs (or service names), most used first, at most 20. */
  sourceIps: string[];
  /** Distinct clients (`aws-cli 2.13.5`, `AWS console`), most used first, at most 10. */
  clients: string[];
  /** Calls per event name, most called first. */
  eventNames: Record<string, number>;
  /** The account the actor acted in, when the answer reads several (the same name in two accounts is two actors). */
  accountId?: string | null;
}

export interface TransitionStep {
  time: string;
  eventName: string;
  actor: string;
  sourceIp: string;
  from: string | null;
  to: string;
}

/** One resource's state changes, oldest first: a chain `running → stopping → stopped`. */
export interface ResourceHistory {
  resource: string;
  steps: TransitionStep[];
}

/** One rule of a pack (`scan`) and what it matched. */
export interface RuleHits {
  /** `CloudWatch.10`. */
  id: string;
  cis: string;
  title: string;
  severity: 'high' | 'medium' | 'low';
  description: string;
  /** Events the rule matched (duplicates removed). */
  count: number;
  span: { first: string; last: string } | null;
  /** The busiest actors, at most 10. */
  actors: { display: string; count: number }[];
  /** The newest matching events' ids, newest first, at most 10 (the events are in the answer's `events`). */
  eventIds: string[];
}

export interface Answer {
  /** The query as typed. */
  query: string;
  /** `samples`, `files:./trail`, `lookup`. */
  source: string;
  /** The window asked for; null ends are open (a file source's whole trail). */
  window: { from: string | null; to: string | null };
  /** The regions asked for, or for file sources the regions the trail holds. */
  regions: string[];
  /** False when anything was left unread (an unreadable file, a failed region, a page budget): see notes. */
  complete: boolean;
  /** Why the answer is partial, one plain line each. */
  notes: string[];
  /** Records read from the source. */
  scanned: number;
  /** Records that answer the query (duplicates removed). */
  matched: number;
  /** First and last matching event times, or null when nothing matched. */
  span: { first: string; last: string } | null;
  /** Matching events, newest first: all of them, or the newest `limit`. */
  events: TrailRecord[];
  actors: ActorSummary[];
  /** State-changing and failed calls (and reads, when the query asks for reads), oldest first. */
  timeline: TrailRecord[];
  /** Timeline entries left out past the kept number. */
  timelineOmitted: number;
  reads: number;
  writes: number;
  failures: number;
  transitions: ResourceHistory[];
  /** `scan` only: every rule of the pack, those with hits first. */
  rules?: RuleHits[];
  /** The accounts read, through the accounts map (TRAILBOT_CONFIG `accounts:`); absent without one. */
  accounts?: AccountName[];
}

/** An account of the accounts map, as answers name it. */
export interface AccountName {
  id: string;
  alias: string | null;
}
