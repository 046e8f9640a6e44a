/**
 * answerQuery: a parsed query → the Answer, read from one event source. Sequences the source and the pure
 * core (normalize, match, summarize); holds no formatting. Shared by the CLI and /trail in Slack.
 *
 * `account <alias>` resolves through the source's accounts map (core/accounts.ts) before anything is read: the
 * source and the record matcher then see the account's id. With a map and no `account`, every account is read.
 */
import { type AccountRef, questionRegions, resolveAccount } from '../core/accounts.js';
import type { AccountName, Answer } from '../core/answer.js';
import { AnswerBuilder } from '../core/answer-builder.js';
import { TrailbotError } from '../core/errors.js';
import { type FilterPattern, parseFilterPattern } from '../core/filter-pattern/filter-pattern.js';
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
  typed: TrailQuery,
  options: AnswerQueryOptions,
): Promise<Answer> {
  const { source, now } = deps;
  const account = resolveAccount(typed.account, source.accounts ?? null);
  if (!account.ok) throw new TrailbotError('usage', account.message, 'user');
  const accounts = account.accounts === null ? null : account.accounts.map(nameOf);
  // From here on `account` is an id or null: what the records carry, and what the source reads.
  const query = account.id === typed.account ? typed : { ...typed, account: account.id };
  if (query.verb === 'scan') {
    const answer = await answerScan(deps, query, options);
    return accounts === null ? answer : { ...answer, accounts };
  }
  const { from, to } = resolveWindow(query.window, now, source.kind);
  // A live lookup also reads us-east-1 where global events (IAM, STS, sign-in) live, and an account of the map may
  // read regions of its own: the matcher takes every region read.
  const { read, match: regions } = questionRegions(source.kind, query, options.defaultRegions, account.accounts);
  const builder = new AnswerBuilder({
    // `id` asks for one event in full: keep it whatever the rendering lists.
    events: query.limit ?? (query.verb === 'id' ? Math.max(options.events, 10) : options.events),
    timeline: TIMELINE_KEPT,
    listReads: query.access === 'reads',
    actorsByAccount: accounts !== null && accounts.length > 1,
  });
  const matches = createRecordMatcher(query, { from, to, regions });
  const pattern = patternOf(query);

  const notes: string[] = [];
  let unnoted = 0;
  const onProblem = (p: SourceProblem): void => {
    if (notes.length < MAX_NOTES) notes.push(`${p.where}: ${p.message}`);
    else unnoted += 1;
  };

  await readSource(source, { query, from, to, regions: read, onProblem }, (raw) => {
    const record = normalizeRecord(raw);
    builder.scanned(record);
    // The pattern reads the record as CloudTrail wrote it, as a metric filter would.
    if (matches(record) && (pattern === null || pattern.matchEvent(raw))) builder.add(record);
  });
  if (unnoted > 0) notes.push(`+${unnoted} more problems`);
  return builder.finish({ query: query.text, source: source.label, window: { from, to }, regions, notes, accounts });
}

function nameOf(account: AccountRef): AccountName {
  return { id: account.id, alias: account.alias };
}

/** The query's filter pattern, compiled; a query built by code with a broken pattern is a usage error. */
function patternOf(query: TrailQuery): FilterPattern | null {
  if (query.filters.pattern === null) return null;
  const parsed = parseFilterPattern(query.filters.pattern);
  if (parsed.ok) return parsed.pattern;
  throw new TrailbotError('usage', `the filter pattern cannot be read: ${parsed.error.message}`, 'user');
}
