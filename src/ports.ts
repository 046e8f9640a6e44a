/** Interfaces for every side effect. Flows take these; main.ts and cli.ts pass the implementations in. */
import type { KnownBlock } from '@slack/types';
import type { AccountRef } from './core/accounts.js';
import type { MetricFilterInfo } from './core/alerts/alarm-filter.js';
import type { IncidentFacts } from './core/alerts/incident-state.js';
import type { KeyedLock } from './core/keyed-lock.js';
import type { LookupAttribute } from './core/lookup-plan.js';
import type { TrailQuery } from './core/trail-query.js';

export interface SourceProblem {
  /** A file path, a region, an account: where the problem is. */
  where: string;
  /** One line, saying what to fix where the reader can fix it. */
  message: string;
  /** A page budget ran out in `where` (a region): its newest events were read, older ones of the window were not. */
  budgetSpent?: boolean;
  /** The region, when `where` names more than it (`prod (123456789012) eu-west-1`). */
  region?: string;
}

export interface ScanRequest {
  query: TrailQuery;
  /** Inclusive bounds; null = unbounded (files: the whole trail). */
  from: Date | null;
  to: Date | null;
  /** Regions to read; null = every region the source has. */
  regions: readonly string[] | null;
  /** Called for anything that makes the answer partial (an unreadable file, a failed region, a page budget). */
  onProblem: (problem: SourceProblem) => void;
  /**
   * LookupEvents only: the attributes to look up instead of the ones the query plans (`scan` reads every event name
   * its rules share once); empty: the whole window. Sources that read everything ignore it.
   */
  attributes?: readonly LookupAttribute[];
  /** Aborts the reads under way: the consumer stopped (sources that read ahead stop with it). */
  signal?: AbortSignal;
}

/**
 * Where CloudTrail records come from: trail log files, the bundled samples, LookupEvents, later Athena.
 * `scan` yields raw CloudTrail records (as parsed JSON, untrusted) in batches, in no particular order;
 * it may yield records outside the request: the caller filters them.
 */
export interface EventSource {
  /** `files` sources default to the whole trail, `live` ones to the last 24 hours. */
  readonly kind: 'files' | 'live';
  /** Shown in answers: `samples`, `files:/var/trail`, `lookup`. */
  readonly label: string;
  /**
   * The accounts this source reads (TRAILBOT_CONFIG `accounts:`): a question without `account` reads them all, and
   * `account <id|alias>` names one of them. Absent: the credentials' own account (`account` then only filters by id).
   */
  readonly accounts?: readonly AccountRef[];
  scan(request: ScanRequest): AsyncIterable<readonly unknown[]>;
}

/** One `/trail` question, asked anywhere: who, where, what, when, and what came of it. */
export interface AuditEntry {
  /** When the question was asked. */
  at: Date;
  /** `slash`, `mention`, `button` (a button that re-ran or widened a query). */
  surface: 'slash' | 'mention' | 'button';
  teamId: string | null;
  userId: string;
  channelId: string | null;
  query: string;
  /** answered; refused (not on the allowlist); usage (a malformed query); failed (upstream). */
  outcome: 'answered' | 'refused' | 'usage' | 'failed';
  /** Events the answer matched (0 unless answered). */
  events: number;
  /** False when the answer was partial (a region failed, a page budget ran out). */
  complete: boolean;
  durationMs: number;
  /** The one-line reason for a refusal, usage error or failure. */
  detail: string | null;
}

/**
 * Trailbot's state. SQLite by default (`TRAILBOT_STORE=sqlite:PATH`); PostgreSQL joins later behind the same
 * port and the same contract tests. Every method is safe to call concurrently.
 */
export interface Store {
  recordQuery(entry: AuditEntry): Promise<void>;
  /** The newest entries first. */
  recentQueries(limit: number): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

/** Structured logging (pino's shape): fields first, then the message. Never pass tokens or secrets. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What a Slack write says: the notification text (always) and Block Kit blocks (optional). */
export interface OutboxMessage {
  text: string;
  blocks?: readonly KnownBlock[];
}

/**
 * One Slack write, as the alert flow asks for it. A reply or an update names its incident, not a ts: the worker
 * takes the thread's ts from the incident's root post once that post is delivered.
 */
export type OutboxWrite =
  /** A top-level message; with `incidentKey` it is the incident's root card (its ts becomes the thread's). */
  | { kind: 'post'; channel: string; message: OutboxMessage; incidentKey?: string }
  /** A thread reply under the incident's root card; `broadcast` also shows it in the channel. */
  | { kind: 'reply'; channel: string; incidentKey: string; message: OutboxMessage; broadcast?: boolean }
  /**
   * The root card's newest content (chat.update). A queued update for the same incident and channel that has not
   * been sent yet is replaced by this one (collapse): Slack only ever needs the newest card.
   */
  | { kind: 'update'; channel: string; incidentKey: string; message: OutboxMessage };

export type OutboxKind = 'post' | 'reply' | 'broadcast' | 'update';
export type OutboxState = 'pending' | 'inflight' | 'done' | 'dead';

/** One outbox row, as stored (and as claimed, with what the worker needs to send it). */
export interface OutboxEntry {
  /** Increasing, never reused; carried in the post's message metadata (`trailbot_outbox`, `{ id }`). */
  id: number;
  channel: string;
  kind: OutboxKind;
  incidentKey: string | null;
  message: OutboxMessage;
  state: OutboxState;
  /** Claims so far (the current one included). */
  attempts: number;
  /** Not to be claimed before this instant. */
  notBefore: Date;
  /** The latest claim. */
  claimedAt: Date | null;
  /**
   * Set when a post or reply may have reached Slack without us learning its ts (a crash while in flight, a network
   * error or a 5xx): the earliest such claim. Before sending again the worker looks for it in the channel.
   */
  unconfirmedSince: Date | null;
  /** The message's ts once delivered. */
  slackTs: string | null;
  lastError: string | null;
  /** The incident's root card ts (the thread to reply in, the card to update); null when not yet posted. */
  threadTs: string | null;
  /** A root post for this incident, earlier in the queue, is still waiting or in flight. */
  rootQueued: boolean;
}

/**
 * One thread per incident: its card and who did what to it (the core's IncidentFacts: state names belong to the
 * alert flow), plus what only the store holds.
 */
export interface Incident extends IncidentFacts {
  /** Filled by the outbox when the root post is delivered. */
  rootTs: string | null;
  /** The newest notification (`{"message","subject"}` JSON), so the card can be rendered again; kept when not given. */
  alert?: string | null;
}

/** An incident as the alert flow saves it: everything but `rootTs`, which only the outbox writes. */
export type IncidentUpdate = Omit<Incident, 'rootTs'>;

export interface OutboxDepth {
  pending: number;
  inflight: number;
  dead: number;
}

export interface ClaimOptions {
  /**
   * A channel's posts-and-replies lane claimed at `now` is not claimed again before `now + laneSpacingMs`, whoever
   * claims: the per-channel pace shared by replicas (each worker also paces its own claims). A store that one process
   * owns (SQLite) may ignore it: that process's pace is the whole story.
   */
  laneSpacingMs?: number;
}

/**
 * The durable outbox for Slack writes (docs/outbox.md). Implemented by the same object as the Store (one
 * database), so that an SNS message, its incidents and its writes are committed in one transaction; a separate
 * port so that the worker depends on nothing else (and tests can wrap it to inject faults).
 */
export interface Outbox {
  /** Queues the writes (and saves the incidents) in one transaction; returns the rows' ids, in order. */
  enqueue(writes: readonly OutboxWrite[], incidents?: readonly IncidentUpdate[]): Promise<number[]>;
  /**
   * Remembers the SNS message and queues what it causes, in one transaction: call it before answering 200.
   * A MessageId seen before is `duplicate`, and nothing is queued.
   */
  acceptSnsMessage(
    messageId: string,
    topicArn: string,
    body: string,
    writes: readonly OutboxWrite[],
    incidents?: readonly IncidentUpdate[],
  ): Promise<'accepted' | 'duplicate'>;
  /**
   * Takes up to `limit` rows to send, marking them in flight. A channel has two lanes, each kept in order: its posts
   * and replies (lane key: the channel) and its card updates (lane key: `<channel>#update`). For each lane with
   * nothing in flight (and not in `exclude`), its lowest pending id, when that row's `notBefore` has come.
   */
  claim(now: Date, limit: number, exclude?: readonly string[], options?: ClaimOptions): Promise<OutboxEntry[]>;
  /** Slack took it (`ts`); a delivered root post also fills its incident's `rootTs`. */
  markDelivered(id: number, ts: string, at?: Date): Promise<void>;
  /** Back to pending until `when`. `unconfirmed`: it may have reached Slack (see `unconfirmedSince`). */
  retryAt(id: number, when: Date, error: string, options?: { unconfirmed?: boolean }): Promise<void>;
  /** Never to be sent (Slack refused it for good). */
  markDead(id: number, error: string): Promise<void>;
  /** Rows in flight claimed before `t`: at start-up, the ones a previous process left behind. */
  inflightOlderThan(t: Date): Promise<OutboxEntry[]>;
  /**
   * Rows in flight claimed before `claimedBefore` (the process that claimed them died, or hangs) back to pending at
   * `at`; posts and replies are marked unconfirmed (they may have reached Slack). One statement, so a row another
   * worker has claimed again since is not touched. How many rows were taken over.
   */
  takeOverInflight(claimedBefore: Date, at: Date): Promise<number>;
  depth(): Promise<OutboxDepth>;
  entry(id: number): Promise<OutboxEntry | undefined>;
  incident(key: string): Promise<Incident | undefined>;
}

/**
 * Who may use a store at once, and how they keep out of each other's way (docs/outbox.md, "PostgreSQL"). Implemented
 * by the same object as the Store and the Outbox.
 */
export interface Coordination {
  /**
   * `process`: one process owns the store (SQLite), so whatever is in flight when it starts was left by its previous
   * run. `replicas`: several processes may share it (PostgreSQL): a row in flight may be a live replica's.
   */
  readonly sharedBy: 'process' | 'replicas';
  /**
   * A lock per key (an incident) held across every process sharing the store: in-process for `process`, a database
   * lock as well for `replicas`. Make one and share it between the flows that must exclude each other.
   */
  keyedLock(): KeyedLock;
}

/** What DescribeMetricFilters said about one metric (alarm enrichment). */
export type MetricFilterLookup =
  | { kind: 'found'; filters: MetricFilterInfo[] }
  /** The caller may not call DescribeMetricFilters there (no `logs:DescribeMetricFilters`). */
  | { kind: 'denied'; message: string }
  /** Anything else went wrong: one line, saying what. */
  | { kind: 'failed'; message: string };

/** CloudWatch Logs' metric filters: which filter pattern emits an alarm's metric, in the alarm's region. */
export interface MetricFilterReader {
  describe(region: string, metric: { namespace: string; metricName: string }): Promise<MetricFilterLookup>;
}
