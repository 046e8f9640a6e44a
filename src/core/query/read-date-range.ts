/**
 * `from <start> [to <end>]`: a range of dates or times (read-instant.ts reads each one, so `from 2015-03-29 to
 * 2015-03-29` is that whole day). `to` must directly follow `from <start>`; `to now`, or no `to`, means up to now;
 * an end equal to the start is allowed, one before it is an error. Pure.
 */
import type { WindowSpec } from '../trail-query.js';
import { type Failure, fail, replaceWords, splice } from './failure.js';
import { modifierOf, valueAfter, wordsTaken } from './modifiers.js';
import { quoteWord } from './quote-word.js';
import { readInstant, splitDateTime } from './read-instant.js';
import { isSpan } from './read-since.js';
import type { Token } from './tokenize.js';

/** Reads `from …` at `index` (the word from): the window and the index after its words, or a failure. */
export function readDateRange(
  tokens: readonly Token[],
  raws: readonly string[],
  index: number,
): { window: Extract<WindowSpec, { kind: 'range' }>; next: number } | Failure {
  const fromValue = valueAfter(
    tokens,
    raws,
    index,
    'a date or time such as 2015-03-29 or 2015-03-29T10:00Z',
    '2015-03-29',
  );
  if ('kind' in fromValue) return fromValue;
  if (isSpan(fromValue.value)) {
    return fail(
      fromValue.raw,
      `For a span back from now, write ${quoteWord(`since ${fromValue.value}`)}.`,
      replaceWords(raws, index, wordsTaken(tokens, index), ['since', fromValue.value]),
    );
  }
  const start = readInstant(tokens, raws, index + 1, 'from');
  if ('kind' in start) return start;
  if ('now' in start) return fail(fromValue.raw, 'from needs a date.');
  const split = splitDateTime(tokens, raws, index + 1);
  if (split !== null) return split;
  if (modifierOf(tokens[index + 2]) !== 'to') {
    return { window: { kind: 'range', from: start.iso, to: null }, next: index + 2 };
  }
  const toIndex = index + 2;
  const toValue = valueAfter(tokens, raws, toIndex, 'a date or time (or now)', 'now');
  if ('kind' in toValue) return toValue;
  const end = readInstant(tokens, raws, toIndex + 1, 'to');
  if ('kind' in end) return end;
  if ('now' in end) return { window: { kind: 'range', from: start.iso, to: null }, next: toIndex + 2 };
  const splitEnd = splitDateTime(tokens, raws, toIndex + 1);
  if (splitEnd !== null) return splitEnd;
  if (Date.parse(end.iso) < Date.parse(start.iso)) {
    return fail(
      toValue.raw,
      `The range ends at ${quoteWord(toValue.raw)} before it starts at ${quoteWord(fromValue.raw)}; put the earlier one after from.`,
      () => [splice(splice(raws, index + 1, 1, [toValue.raw]), toIndex + 1, 1, [fromValue.raw])],
    );
  }
  return { window: { kind: 'range', from: start.iso, to: end.iso }, next: toIndex + 2 };
}
