/**
 * answerQuery: a parsed query → the Answer, read from one event source. Sequences the source and the pure
 * core (normalize, match, summarize); holds no formatting. Shared by the CLI and, later, /trail in Slack.
 */
import type { Answer } from '../core/answer.js';
import { AnswerBuilder } from '../core/answer-builder.js';
import { TrailbotError } from '../core/errors.js';
import { type FilterPattern, parseFilterPattern } from '../core/filter-pattern/filter-pattern.js';
import { planLookup } from '../core/lookup-plan.js';
import { createRecordMatcher } from '../core/match-record.js';
import { normalizeRecord } from '../core/normalize/normalize-record.js';
import { resolveWindow } from '../core/query/resolve-window.js';
import type { TrailQuery } from '../core/trail-query.js';
import type { EventSource, SourceProblem } from '../ports.js';
import { readSource } from './read-source.js';
import { answerScan } from './scan-pack.js';

export interface AnswerQueryDeps {
  source: EventSource;
  /** The clock's reading, for `since` and default windows. */
  now: Date;
}

export interface AnswerQueryOptions {
  /** Events to list when the query has no `limit`: Infinity for `--json`, 0 where only the summary is shown. */
  events: number;
  /** Regions when the query has no `in` (`--regions`, TRAILBOT_REGIONS); null: every region the source has. */
  defaultRegions: readonly string[] | null;
}

const MAX_NOTES = 50;
const TIMELINE_KEPT = 500;

export async function answerQuery(
  deps: AnswerQueryDeps,
  query: TrailQuery,
  options: AnswerQueryOptions,
): Promise<Answer> {
  const { source, now } = deps;
  if (query.account !== null && !/^\d{12}$/.test(query.account)) {
    throw new TrailbotError(
      'usage',
      `account "${query.account}": account aliases need an accounts map, which this version does not have yet; use the 12-digit account id`,
      'user',
    );
  }
  if (query.verb === 'scan') return answerScan(deps, query, options);
  const { from, to } = resolveWindow(query.window, now, source.kind);
  const asked = query.regions === 'all' ? null : (query.regions ?? options.defaultRegions);
  // A live lookup also reads us-east-1 where global events (IAM, STS, sign-in) live: match what it reads.
  const regions = source.kind === 'live' && asked !== null ? planLookup(query, asked).regions : asked;
  const builder = new AnswerBuilder({
    // `id` asks for one event in full: keep it whatever the rendering lists.
    events: query.limit ?? (query.verb === 'id' ? Math.max(options.events, 10) : options.events),
    timeline: TIMELINE_KEPT,
    listReads: query.access === 'reads',
  });
  const matches = createRecordMatcher(query, { from, to, regions });
  const pattern = patternOf(query);

  const notes: string[] = [];
  let unnoted = 0;
  const onProblem = (p: SourceProblem): void => {
    if (notes.length < MAX_NOTES) notes.push(`${p.where}: ${p.message}`);
    else unnoted += 1;
  };

  await readSource(source, { query, from, to, regions, onProblem }, (raw) => {
    const record = normalizeRecord(raw);
    builder.scanned(record);
    // The pattern reads the record as CloudTrail wrote it, as a metric filter would.
    if (matches(record) && (pattern === null || pattern.matchEvent(raw))) builder.add(record);
  });
  if (unnoted > 0) notes.push(`+${unnoted} more problems`);
  return builder.finish({ query: query.text, source: source.label, window: { from, to }, regions, notes });
}

/** The query's filter pattern, compiled; a query built by code with a broken pattern is a usage error. */
function patternOf(query: TrailQuery): FilterPattern | null {
  if (query.filters.pattern === null) return null;
  const parsed = parseFilterPattern(query.filters.pattern);
  if (parsed.ok) return parsed.pattern;
  throw new TrailbotError('usage', `the filter pattern cannot be read: ${parsed.error.message}`, 'user');
}
