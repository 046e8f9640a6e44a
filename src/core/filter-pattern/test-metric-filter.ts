/**
 * What AWS's TestMetricFilter API answers for a pattern and some log event messages, computed locally: the matching
 * messages, numbered from 1 in the order given, with the values a space-delimited pattern extracts (`{}` for other
 * kinds). Pure.
 */
import type { FilterPattern } from './filter-pattern.js';

/** AWS TestMetricFilter's response shape for these log event messages (eventNumber counts from 1). */
export interface TestMetricFilterResult {
  matches: { eventNumber: number; eventMessage: string; extractedValues: Record<string, string> }[];
}

export function testMetricFilter(pattern: FilterPattern, messages: readonly string[]): TestMetricFilterResult {
  const matches: TestMetricFilterResult['matches'] = [];
  for (const [i, message] of messages.entries()) {
    const extractedValues = pattern.matchMessage(message);
    if (extractedValues !== null) matches.push({ eventNumber: i + 1, eventMessage: message, extractedValues });
  }
  return { matches };
}
