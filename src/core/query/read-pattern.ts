/**
 * The pattern of `match <filter pattern> [modifiers]`: where it ends in the query text, and whether it is a valid
 * CloudWatch Logs filter pattern. Pure.
 *
 * A pattern holds spaces, quotes and braces, so it is cut from the text before the rest is split into words:
 * - `{ … }` (JSON) and `[ … ]` (space-delimited) run to their balanced closing brace or bracket; braces and brackets
 *   inside double-quoted strings and `%regex%` do not count. An unbalanced one runs to the end of the text, and the
 *   pattern's own parse error then says what is missing.
 * - Anything else is a term pattern: its words run up to the first modifier word (`since`, `in`, …), so
 *   `match ERROR -Exiting since 2d` reads as the pattern `ERROR -Exiting`; quote a term to search for a modifier
 *   word (`match "since"`).
 * - Curly quotes, which Slack and phones type for `"`, are straightened: filter patterns only know `"`.
 */
import { parseFilterPattern } from '../filter-pattern/filter-pattern.js';
import { type Failure, fail } from './failure.js';
import { modifierOf } from './modifiers.js';
import { quoteWord } from './quote-word.js';
import { stripZeroWidth, type Token, tokenize } from './tokenize.js';

/** A pattern that parses: what `match` examples use, and what repairs put in place of a broken one. */
export const EXAMPLE_PATTERN = '{ $.errorCode = "AccessDenied*" }';

export interface PatternRead {
  /** The pattern as it will be matched (curly quotes straightened). */
  pattern: string;
  /** The words after the pattern: the modifiers. */
  rest: Token[];
}

/** Reads the pattern after the verb `match`; `afterVerb` is the text that follows the verb's word. */
export function readPattern(afterVerb: string): PatternRead | Failure {
  const typed = stripZeroWidth(afterVerb);
  // Straightening keeps every index: each curly quote is one UTF-16 unit, and so is its replacement.
  const text = straightenQuotes(typed);
  const start = text.search(/\S/);
  if (start === -1) {
    return fail(null, `match needs a CloudWatch Logs filter pattern, as in match ${EXAMPLE_PATTERN} since 1d.`, () => [
      ['match', EXAMPLE_PATTERN, 'since', '1d'],
    ]);
  }
  const opener = text.charAt(start);
  let end: number;
  let pattern: string;
  let rest: Token[];
  if (opener === '{' || opener === '[') {
    end = balancedEnd(text, start, opener, opener === '{' ? '}' : ']');
    pattern = collapseSpaces(text.slice(start, end));
    rest = tokenize(text.slice(end));
  } else {
    const words = tokenize(text);
    const cut = words.findIndex((word) => modifierOf(word) !== null);
    const terms = cut === -1 ? words : words.slice(0, cut);
    pattern = terms.map((word) => word.raw).join(' ');
    rest = cut === -1 ? [] : words.slice(cut);
    end = start;
    for (const term of terms) end = text.indexOf(term.raw, end) + term.raw.length;
  }
  if (pattern === '') {
    // `match since 1d`: the first word is a modifier, so no pattern was typed (an empty one would match everything).
    const restRaws = rest.map((word) => word.raw);
    const word = rest[0]?.raw ?? '';
    return fail(
      word,
      `match needs a CloudWatch Logs filter pattern before ${quoteWord(word)}; to look for the word ${quoteWord(word)} itself, quote it.`,
      () => [['match', EXAMPLE_PATTERN, ...restRaws]],
    );
  }
  const parsed = parseFilterPattern(pattern);
  if (!parsed.ok) {
    const restRaws = rest.map((word) => word.raw);
    return fail(
      // The pattern as typed, so the reader finds it in what they wrote.
      typed.slice(start, end),
      `The filter pattern ${describeFault(pattern, parsed.error.offset)} cannot be read: ${parsed.error.message}`,
      () => [['match', EXAMPLE_PATTERN, ...restRaws]],
    );
  }
  return { pattern, rest };
}

/** Index just past the closing `close` that balances the `open` at `start`; the text's length when none does. */
function balancedEnd(text: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '"') {
      i = skipQuoted(text, i);
      continue;
    }
    if (ch === '%') {
      const end = text.indexOf('%', i + 1);
      if (end !== -1) {
        i = end + 1;
        continue;
      }
    }
    if (ch === open) depth += 1;
    else if (ch === close) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  return text.length;
}

/**
 * Runs of whitespace as one space, except inside double-quoted strings and `%regex%`, where they mean what they
 * say. Outside them whitespace only separates, so the query's text, shown back in answers, reads as typed.
 */
function collapseSpaces(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    let end = i + 1;
    if (ch === '"') end = skipQuoted(pattern, i);
    else if (ch === '%' && pattern.indexOf('%', i + 1) !== -1) end = pattern.indexOf('%', i + 1) + 1;
    else if (/\s/.test(ch)) {
      while (end < pattern.length && /\s/.test(pattern.charAt(end))) end += 1;
      out += ' ';
      i = end;
      continue;
    }
    out += pattern.slice(i, end);
    i = end;
  }
  return out;
}

/** Index just past the double-quoted string at `start` (backslash escapes honoured), or the text's length. */
function skipQuoted(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\') i += 2;
    else if (ch === '"') return i + 1;
    else i += 1;
  }
  return text.length;
}

function straightenQuotes(text: string): string {
  return text.replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"').replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'");
}

/** The pattern when it is short, else the part around the fault. */
function describeFault(pattern: string, offset: number): string {
  if (pattern.length <= 40) return quoteWord(pattern);
  const from = Math.max(0, Math.min(offset - 15, pattern.length - 36));
  return `near ${quoteWord(`${from > 0 ? '…' : ''}${pattern.slice(from, from + 36)}`)}`;
}
