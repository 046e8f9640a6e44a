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
