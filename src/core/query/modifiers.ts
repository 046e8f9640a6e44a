/**
 * The modifier words of the query language and the words each one takes with it (DESIGN.md, "The query language").
 * An unquoted modifier word is never a value: where a value belongs it counts as the value missing. Pure.
 */
import { type Failure, fail, replaceWords } from './failure.js';
import { quoteWord } from './quote-word.js';
import type { Token } from './tokenize.js';

export type Modifier = 'since' | 'from' | 'to' | 'in' | 'account' | 'writes' | 'reads' | 'limit' | 'public';
export const MODIFIERS: readonly Modifier[] = [
  'since',
  'from',
  'to',
  'in',
  'account',
  'writes',
  'reads',
  'limit',
  'public',
];
/** Words that are never read as a target or a modifier's value unless quoted. */
export const MODIFIER_WORDS: ReadonlySet<string> = new Set<string>(MODIFIERS);

/** The lower-cased word when `token` is an unquoted modifier word, else null. */
export function modifierOf(token: Token | undefined): Modifier | null {
  if (token === undefined || token.quoted) return null;
  const word = token.value.toLowerCase();
  return MODIFIERS.find((modifier) => modifier === word) ?? null;
}

/** True when `token` exists and can be a value (it is not a modifier word). */
function isValue(token: Token | undefined): boolean {
  return token !== undefined && modifierOf(token) === null;
}

/** The word at `index` and the value after it: 2 when a value follows, else 1. */
export function wordsWithValue(tokens: readonly Token[], index: number): number {
  return isValue(tokens[index + 1]) ? 2 : 1;
}

/** How many words the modifier or scope word at `index` takes with it (itself included). */
export function wordsTaken(tokens: readonly Token[], index: number): number {
  switch (modifierOf(tokens[index])) {
    case 'writes':
    case 'reads':
    case 'public':
      return 1;
    case 'from': {
      if (!isValue(tokens[index + 1])) return 1;
      if (modifierOf(tokens[index + 2]) === 'to') return isValue(tokens[index + 3]) ? 4 : 3;
      return 2;
    }
    case 'in':
      return isValue(tokens[index + 1]) ? regionRunEnd(tokens, index + 1) - index : 1;
    default:
      return wordsWithValue(tokens, index);
  }
}

/** Index just past the region words starting at `start`: words joined by commas, `a,b` or `a, b` or `a ,b`. */
export function regionRunEnd(tokens: readonly Token[], start: number): number {
  let end = start + 1;
  while (end < tokens.length) {
    const previous = tokens[end - 1];
    const next = tokens[end];
    if (previous === undefined || next === undefined || modifierOf(next) !== null) break;
    if (!previous.value.endsWith(',') && !next.value.startsWith(',')) break;
    end += 1;
  }
  return end;
}

/**
 * The value word after the modifier at `index`, or a failure (word null) saying it is missing: `needs` describes
 * the value, `fill` is the one the repair inserts.
 */
export function valueAfter(
  tokens: readonly Token[],
  raws: readonly string[],
  index: number,
  needs: string,
  fill: string,
): Token | Failure {
  const value = tokens[index + 1];
  const keyword = raws[index] ?? '';
  if (value === undefined || modifierOf(value) !== null) {
    const where = value === undefined ? '' : ` before ${quoteWord(value.raw)}`;
    return fail(
      null,
      `${quoteWord(keyword)} needs ${needs}${where}, as in ${quoteWord(`${keyword} ${fill}`)}.`,
      replaceWords(raws, index + 1, 0, [fill]),
    );
  }
  return value;
}
