/**
 * Helpers shared by the filter-pattern tests. Not a test file: jest only runs `*.test.ts`.
 */
import { expect } from '@jest/globals';
import { type FilterPattern, parseFilterPattern } from '../../../src/core/filter-pattern/filter-pattern.js';

/** The parsed pattern; throws, naming the text and the parse error, when it does not parse. */
export function compile(text: string): FilterPattern {
  const parsed = parseFilterPattern(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  return parsed.pattern;
}

/** The verdict on a parsed event, after checking that the event's JSON text gets the same one. */
export function verdict(text: string, event: unknown): boolean {
  const pattern = compile(text);
  const onEvent = pattern.matchEvent(event);
  expect(pattern.matchMessage(JSON.stringify(event)) !== null).toBe(onEvent);
  return onEvent;
}
