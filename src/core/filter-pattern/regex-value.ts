/**
 * `%regex%` values (CloudWatch Logs "supported regular expressions syntax", aws-slack-facts §5.1): usable as a
 * stand-alone term, a JSON value (`{ $.msg = %ERROR [0-9]+% }`) or a space-delimited field value.
 *
 * - The expression runs from the `%` to the next `%`; it may hold only ASCII letters and digits, the symbols
 *   `: _ # = @ / ; , -`, the operators `^ $ ? [ ] { } | \ * + .`, and (our choice, AWS lists it nowhere) the space,
 *   so `%Failed login%` reads as written. `(` and `)` (no grouping) and multibyte characters are rejected by name.
 * - At most 2 regexes a pattern (AWS's quota); the third is a fault.
 * - It compiles to a JavaScript RegExp without flags and is tested unanchored (use `^`/`$` to anchor) against the
 *   string value, or a number's JSON text. An expression JavaScript cannot compile (`%[a%`) is a fault.
 * Pure.
 */
import type { PatternCursor } from './pattern-cursor.js';
import type { TextMatcher } from './wildcard.js';

/** AWS's limit of regexes in one filter pattern. */
export const MAX_REGEXES = 2;

const ALLOWED = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+. ]$/;

/** Reads the `%…%` at the cursor; null (fault recorded) when it is unclosed, empty, holds a forbidden character, is one too many or does not compile. */
export function readRegex(cursor: PatternCursor): TextMatcher | null {
  const { text } = cursor;
  const open = cursor.pos;
  const close = text.indexOf('%', open + 1);
  if (close === -1) return cursor.fail(text.length, `expected "%" to close the regex opened at column ${open + 1}`);
  const source = text.slice(open + 1, close);
  if (source.length === 0) return cursor.fail(open, 'a regex between "%" and "%" may not be empty');
  for (let i = 0; i < source.length; ) {
    const point = source.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(point);
    if (!ALLOWED.test(ch)) return cursor.fail(open + 1 + i, forbidden(ch, point));
    i += ch.length;
  }
  cursor.regexCount += 1;
  if (cursor.regexCount > MAX_REGEXES)
    return cursor.fail(open, `a pattern may hold at most ${MAX_REGEXES} regexes (AWS's limit); this is one more`);
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return cursor.fail(open, `the regex %${source}% does not compile: ${why}`);
  }
  cursor.pos = close + 1;
  return { test: (value) => regex.test(value), exact: null, anything: false, numbers: true };
}

function forbidden(ch: string, point: number): string {
  const shown = JSON.stringify(ch);
  if (ch === '(' || ch === ')') return `a regex may not contain ${shown}: grouping with parentheses is not supported`;
  if (point > 0x7f) return `a regex may not contain ${shown}: multibyte characters are not supported`;
  return `a regex may not contain ${shown}: allowed are letters, digits, space, : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + .`;
}
