/** Interfaces for every side effect. Flows take these; main.ts and cli.ts pass the implementations in. */
import type { TrailQuery } from './core/trail-query.js';

export interface SourceProblem {
  /** A file path, a region, an account: where the problem is. */
  where: string;
  /** One line, saying what to fix where the reader can fix it. */
  message: string;
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
