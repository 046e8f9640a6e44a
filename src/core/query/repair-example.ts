/**
 * The example in a usage error: the user's own query with the fault repaired (and any later faults, found by
 * parsing each repair in turn), searched depth-first, best repair first, within a fixed budget. Pure.
 */
import type { Failure } from './failure.js';

/** What the search needs to know of a parse: the query's text, help, or another failure with its repairs. */
export type Reading = { kind: 'query'; query: { text: string } } | { kind: 'help' } | Failure;

/** Parses tried in all, per example. */
const MAX_ATTEMPTS = 30;
/** Repairs of repairs followed at most this deep. */
const MAX_DEPTH = 5;

/**
 * Tries the failure's repairs (and the repairs of what they still get wrong) until one parses; returns that
 * query's text, or null when none does within the budget. A candidate longer than `maxLength` is skipped unread.
 */
export function repairExample(failure: Failure, parse: (text: string) => Reading, maxLength: number): string | null {
  let budget = MAX_ATTEMPTS;
  const tried = new Set<string>();
  const attempt = (words: readonly string[], depth: number): string | null => {
    const candidate = words.join(' ');
    if (budget <= 0 || tried.has(candidate) || candidate.length > maxLength) return null;
    tried.add(candidate);
    budget -= 1;
    const reading = parse(candidate);
    if (reading.kind === 'query') return reading.query.text;
    if (reading.kind === 'help' || depth >= MAX_DEPTH) return null;
    for (const next of reading.fixes()) {
      const found = attempt(next, depth + 1);
      if (found !== null) return found;
    }
    return null;
  };
  for (const words of failure.fixes()) {
    const found = attempt(words, 0);
    if (found !== null) return found;
  }
  return null;
}
