/** Reading an EventSource in tests: one scan collected whole, a failure caught, corpus records re-timed. */
import { TrailbotError } from '../../src/core/errors.js';
import type { EventSource, ScanRequest, SourceProblem } from '../../src/ports.js';
import { aQuery } from './records.js';

export type Rec = Record<string, unknown>;

export interface Scanned {
  records: Rec[];
  /** Each batch's length, in the order the source yielded them. */
  batches: number[];
  problems: SourceProblem[];
}

/**
 * Runs one scan to its end: `request` over aQuery() in every region (`from` and `to` are the caller's window),
 * collecting the records, the batch sizes and the problems reported.
 */
export async function scanSource(
  source: EventSource,
  request: Partial<Omit<ScanRequest, 'onProblem'>> & Pick<ScanRequest, 'from' | 'to'>,
): Promise<Scanned> {
  const out: Scanned = { records: [], batches: [], problems: [] };
  const full: ScanRequest = {
    query: aQuery(),
    regions: null,
    ...request,
    onProblem: (problem) => out.problems.push(problem),
  };
  for await (const batch of source.scan(full)) {
    out.batches.push(batch.length);
    for (const record of batch) out.records.push(record as Rec);
  }
  return out;
}

/** The TrailbotError `promise` rejects with (anything else, or no rejection, fails the test). */
export async function failureOf(promise: Promise<unknown>): Promise<TrailbotError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TrailbotError) return error;
    throw error;
  }
  throw new Error('expected a TrailbotError');
}

/** An instant as CloudTrail writes eventTime: ISO 8601, UTC, whole seconds. */
export function trailTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `n` copies of `corpus` records (cycling), in `region`, `stepMs` apart going back from `newest`: each gets the id
 * `id(i)` and the fields of `extra`.
 */
export function placedCopies(
  corpus: readonly Rec[],
  n: number,
  placing: { region: string; newest: number; stepMs: number; id: (i: number) => string; extra?: Rec },
): Rec[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(corpus[i % corpus.length] as Rec),
    eventID: placing.id(i),
    awsRegion: placing.region,
    ...placing.extra,
    eventTime: trailTime(placing.newest - i * placing.stepMs),
  }));
}
